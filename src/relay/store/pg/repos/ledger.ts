import type { LedgerAccountRow, LedgerRepo, LedgerSnapshot, LedgerTransferRow } from '../../ports'
import { ms, ts, type Sql } from '../sql'

const ACCOUNT_COLUMNS =
  'id, kind, customer_account_id AS "customerAccountId", currency, debits_posted AS "debitsPosted", credits_posted AS "creditsPosted"'
const TRANSFER_COLUMNS = `id, kind, debit_account_id AS "debitAccountId", credit_account_id AS "creditAccountId", amount, currency,
  customer_account_id AS "customerAccountId", source_id AS "sourceId", at`

// Opens the account on first use and adds to its posted sum, in one statement per side.
const ADD = (column: 'debits_posted' | 'credits_posted') =>
  `INSERT INTO ledger_accounts (id, kind, customer_account_id, currency, created_at, ${column}) VALUES ($1, $2, $3, $4, $5, $6)
   ON CONFLICT (id) DO UPDATE SET ${column} = ledger_accounts.${column} + excluded.${column}`

export function pgLedger(q: Sql): LedgerRepo {
  return {
    account: (id) => q.get<LedgerAccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE id = $1`, [id]),
    async post(t, { debit, credit }) {
      await q.later(ADD('debits_posted'), [debit.id, debit.kind, debit.customerAccountId, debit.currency, ts(t.at), t.amount])
      await q.later(ADD('credits_posted'), [credit.id, credit.kind, credit.customerAccountId, credit.currency, ts(t.at), t.amount])
      await q.later(
        `INSERT INTO ledger_transfers (id, kind, debit_account_id, credit_account_id, amount, currency, customer_account_id, source_id, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [t.id, t.kind, t.debitAccountId, t.creditAccountId, t.amount, t.currency, t.customerAccountId, t.sourceId, ts(t.at)]
      )
    },
    // Read in one snapshot (a read is one REPEATABLE READ transaction), so the parts agree.
    async snapshot(): Promise<LedgerSnapshot> {
      const accounts = await q.all<LedgerAccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts ORDER BY id`)
      const transfers = (await q.all<Omit<LedgerTransferRow, 'at'> & { at: Date }>(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers ORDER BY seq`)).map(
        (t) => ({ ...t, at: ms(t.at) })
      )
      const paidOrders = await q.all<LedgerSnapshot['paidOrders'][number]>(
        `SELECT id, order_no AS "orderNo", amount, refunded_amount AS refunded, currency FROM orders
         WHERE state IN ('paid', 'partially_refunded', 'refunded') ORDER BY id`
      )
      const refunds = await q.all<LedgerSnapshot['refunds'][number]>(
        'SELECT provider, refund_id AS "refundId", order_id AS "orderId", amount FROM refunds ORDER BY provider, refund_id'
      )
      const purchases = await q.all<LedgerSnapshot['purchases'][number]>(
        'SELECT account_id AS "accountId", purchase_id AS "purchaseId", coalesce(price_minor, 0) AS amount FROM grants WHERE purchase_id IS NOT NULL ORDER BY account_id, purchase_id'
      )
      return { accounts, transfers, paidOrders, refunds, purchases }
    }
  }
}
