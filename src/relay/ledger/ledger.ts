import type { Clock } from '../../node/clock'
import { CurrencyMismatch, InvalidAmount } from '../../shared/errors'
import type { Money } from '../../shared/money'
import type { StoreTx } from '../store/ports'
import { NORMAL_SIDE, type LedgerAccountRef, type TransferKind } from './chart'

// Posting: one immutable transfer, one amount from a debit account to a credit account, inside
// the unit of work of the effect it records (an order paid, an outbox record applied). The id is
// unique: posting it twice fails the unit, so nothing is counted twice. Accounts open on first use.

export interface TransferRequest {
  id: string
  kind: TransferKind
  debit: LedgerAccountRef
  credit: LedgerAccountRef
  amount: Money
  /** The customer account it concerns, for reports; null for the business's own moves. */
  customerAccountId: string | null
  /** What it belongs to: an order id, `provider:refundId`, an outbox record id. */
  sourceId: string
}

export class Ledger {
  constructor(private readonly clock: Clock) {}

  async post(tx: StoreTx, t: TransferRequest): Promise<void> {
    if (!Number.isSafeInteger(t.amount.amount) || t.amount.amount <= 0) throw new InvalidAmount(`transfer ${t.id}: amount must be a positive integer of minor units`, { amount: t.amount.amount })
    for (const side of [t.debit, t.credit]) {
      if (side.currency !== t.amount.currency) throw new CurrencyMismatch(side.currency, t.amount.currency)
    }
    if (t.debit.id === t.credit.id) throw new Error(`transfer ${t.id} debits and credits one account`)
    const now = this.clock.now()
    await tx.ledger.post(
      {
        id: t.id,
        kind: t.kind,
        debitAccountId: t.debit.id,
        creditAccountId: t.credit.id,
        amount: t.amount.amount,
        currency: t.amount.currency,
        customerAccountId: t.customerAccountId,
        sourceId: t.sourceId,
        at: now
      },
      { debit: t.debit, credit: t.credit }
    )
  }

  /** The balance on the account's normal side (0 for an account never used). */
  async balance(tx: StoreTx, account: LedgerAccountRef): Promise<number> {
    const row = await tx.ledger.account(account.id)
    if (!row) return 0
    return NORMAL_SIDE[account.kind] === 'credit' ? row.creditsPosted - row.debitsPosted : row.debitsPosted - row.creditsPosted
  }
}
