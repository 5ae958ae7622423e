import type { IdSource } from '../../node/ids'
import { CurrencyMismatch } from '../../shared/errors'
import type { Money } from '../../shared/money'
import type { RelayDb } from '../db/open'
import type { Feed } from '../feed/feed'

// The relay's view of each account's wallet: credited by confirmed recharges, debited by
// refunds of recharges, device debits and lost first-free claims. Devices spend offline, so
// the balance may go below zero: that shortfall is debt, published in the feed as a `debt`
// record whose `outstanding` tells every device to stop paid use until a recharge settles it.
// All methods run inside the caller's transaction.

export type DebtReason = 'overdraft' | 'first_free_lost'

export class RelayWallet {
  private readonly read
  private readonly write

  constructor(
    db: RelayDb,
    private readonly feed: Feed,
    private readonly ids: IdSource
  ) {
    this.read = db.sqlite.prepare('SELECT wallet_balance AS balance, wallet_currency AS currency FROM accounts WHERE id = ?')
    this.write = db.sqlite.prepare('UPDATE accounts SET wallet_balance = ? WHERE id = ?')
  }

  state(accountId: string): { balance: Money; debt: Money } {
    const row = this.read.get(accountId) as { balance: number; currency: Money['currency'] }
    return {
      balance: { amount: row.balance, currency: row.currency },
      debt: { amount: Math.max(0, -row.balance), currency: row.currency }
    }
  }

  credit(accountId: string, amount: Money, sourceId: string): void {
    this.move(accountId, amount, +1, sourceId, 'overdraft')
  }

  debit(accountId: string, amount: Money, sourceId: string, reason: DebtReason): void {
    this.move(accountId, amount, -1, sourceId, reason)
  }

  private move(accountId: string, amount: Money, sign: 1 | -1, sourceId: string, reason: DebtReason): void {
    const row = this.read.get(accountId) as { balance: number; currency: Money['currency'] } | undefined
    if (!row) throw new Error(`no relay account ${accountId}`)
    if (amount.currency !== row.currency) throw new CurrencyMismatch(row.currency, amount.currency)
    const after = row.balance + sign * amount.amount
    this.write.run(after, accountId)
    const debtBefore = Math.max(0, -row.balance)
    const debtAfter = Math.max(0, -after)
    if (debtBefore === debtAfter) return
    this.feed.append(accountId, 'debt', {
      debtId: `debt_${this.ids.next()}`,
      sourceId,
      reason: debtAfter < debtBefore ? 'settled' : reason,
      change: { amount: debtAfter - debtBefore, currency: row.currency },
      outstanding: { amount: debtAfter, currency: row.currency }
    })
  }
}
