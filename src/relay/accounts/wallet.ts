import type { IdSource } from '../../node/ids'
import { CurrencyMismatch } from '../../shared/errors'
import type { Money } from '../../shared/money'
import type { Feed } from '../feed/feed'
import { walletState } from './accounts'
import type { StoreTx } from '../store/ports'

// The relay's view of each account's wallet: credited by confirmed recharges, debited by
// refunds of recharges, device debits and lost first-free claims. Devices spend offline, so
// the balance may go below zero: that shortfall is debt, published in the feed as a `debt`
// record whose `outstanding` tells every device to stop paid use until a recharge settles it.
// All methods run inside the caller's unit of work.

export type DebtReason = 'overdraft' | 'first_free_lost'

export class RelayWallet {
  constructor(
    private readonly feed: Feed,
    private readonly ids: IdSource
  ) {}

  async state(tx: StoreTx, accountId: string): Promise<{ balance: Money; debt: Money }> {
    const row = await tx.accounts.get(accountId)
    if (!row) throw new Error(`no relay account ${accountId}`)
    return walletState(row)
  }

  credit(tx: StoreTx, accountId: string, amount: Money, sourceId: string): Promise<void> {
    return this.move(tx, accountId, amount, +1, sourceId, 'overdraft')
  }

  debit(tx: StoreTx, accountId: string, amount: Money, sourceId: string, reason: DebtReason): Promise<void> {
    return this.move(tx, accountId, amount, -1, sourceId, reason)
  }

  private async move(tx: StoreTx, accountId: string, amount: Money, sign: 1 | -1, sourceId: string, reason: DebtReason): Promise<void> {
    const row = await tx.accounts.get(accountId)
    if (!row) throw new Error(`no relay account ${accountId}`)
    if (amount.currency !== row.walletCurrency) throw new CurrencyMismatch(row.walletCurrency, amount.currency)
    const after = row.walletBalance + sign * amount.amount
    await tx.accounts.setWalletBalance(accountId, after)
    const debtBefore = Math.max(0, -row.walletBalance)
    const debtAfter = Math.max(0, -after)
    if (debtBefore === debtAfter) return
    await this.feed.append(tx, accountId, 'debt', {
      debtId: `debt_${this.ids.next()}`,
      sourceId,
      reason: debtAfter < debtBefore ? 'settled' : reason,
      change: { amount: debtAfter - debtBefore, currency: row.walletCurrency },
      outstanding: { amount: debtAfter, currency: row.walletCurrency }
    })
  }
}
