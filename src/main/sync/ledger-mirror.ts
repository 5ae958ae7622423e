import { fingerprint } from '../core/fingerprint'
import type { IdSource } from '../core/ids'
import type { BillingDb } from '../db/open'
import { LedgerCore, walletAccounts, type Wallet } from '../wallet'
import type { Money } from '../../shared/money'

// Debits the relay reports that this device did not make locally: another device's spending,
// or a first-free claim (this device's or another's) that lost and became a charge. They
// are posted to the same hash-chained ledger as type 'consume', keyed `feed:<record id>` so
// a record applied twice posts nothing: what the wallet can cover leaves the wallet, the
// rest becomes debt (the relay records the same overdraft as debt; paid use then stops).

export interface MirroredDebit {
  fromWallet: number
  toDebt: number
}

export function postMirroredDebit(
  db: BillingDb,
  wallet: Wallet,
  ids: IdSource,
  now: number,
  key: string,
  amount: Money,
  feature: string,
  reason: string
): MirroredDebit {
  const core = LedgerCore.of(db)
  const A = walletAccounts(wallet.accountId, wallet.currency)
  return core.transact((tx) => {
    const at = tx.entryTime(now)
    if (core.stmts.keyResult.get(key)) return { fromWallet: 0, toDebt: 0 }
    const d = tx.draft()
    const fromWallet = Math.min(Math.max(0, d.balance(A.wallet)), amount.amount)
    const toDebt = amount.amount - fromWallet
    const first = ids.next()
    d.move({ id: first, type: 'consume', debit: A.wallet, credit: A.revenue, amount: fromWallet, ref: key, feature, reason })
    d.move({ id: fromWallet > 0 ? ids.next() : first, type: 'consume', debit: A.debt, credit: A.revenue, amount: toDebt, ref: key, feature, reason })
    const result = { fromWallet, toDebt }
    if (d.legs.length > 0) tx.post(d, key, fingerprint({ op: 'mirror', key, amount: amount.amount, feature, reason }), result, wallet.accountId, wallet.currency, at)
    return result
  })
}
