import type { LedgerAccountRow, LedgerRepo, LedgerSnapshot, LedgerTransferRow } from '../../ports'
import { ms, ts, type Sql } from '../sql'

export const ACCOUNT_COLUMNS =
  'id, kind, customer_account_id AS "customerAccountId", currency, debits_posted AS "debitsPosted", credits_posted AS "creditsPosted"'
const TRANSFER_COLUMNS = `id, kind, debit_account_id AS "debitAccountId", credit_account_id AS "creditAccountId", amount, currency,
  customer_account_id AS "customerAccountId", source_id AS "sourceId", at`

// Opens the account on first use and adds to its posted sum, in one statement per side.
const ADD = (column: 'debits_posted' | 'credits_posted') =>
  `INSERT INTO ledger_accounts (id, kind, customer_account_id, currency, created_at, ${column}) VALUES ($1, $2, $3, $4, $5, $6)
   ON CONFLICT (id) DO UPDATE SET ${column} = ledger_accounts.${column} + excluded.${column}`

// An account read once in a unit is kept (sql.ts memo) and the unit's own postings are added to
// it: what a second read would answer under the unit's snapshot, without the round trip (a payment
// reads its wallet's balances for its feed record; a batch pays many into one wallet).
export const ledgerAccountKey = (id: string) => `ledger_account:${id}`
const memoKey = ledgerAccountKey

export function pgLedger(q: Sql): LedgerRepo {
  const kept = (id: string) => q.memo.get(memoKey(id)) as LedgerAccountRow | undefined
  return {
    async account(id) {
      const key = memoKey(id)
      if (!q.memo.has(key)) q.memo.set(key, await q.get<LedgerAccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE id = $1`, [id]))
      const row = kept(id)
      return row && { ...row }
    },
    async post(t, { debit, credit }) {
      // A kept row gains the posting; an account never read, or not there yet (opened by this
      // posting), is forgotten, so its next read asks the database.
      const d = kept(debit.id)
      if (d) d.debitsPosted += t.amount
      else q.memo.delete(memoKey(debit.id))
      const c = kept(credit.id)
      if (c) c.creditsPosted += t.amount
      else q.memo.delete(memoKey(credit.id))
      await q.later(ADD('debits_posted'), [debit.id, debit.kind, debit.customerAccountId, debit.currency, ts(t.at), t.amount])
      await q.later(ADD('credits_posted'), [credit.id, credit.kind, credit.customerAccountId, credit.currency, ts(t.at), t.amount])
      await q.later(
        `INSERT INTO ledger_transfers (id, kind, debit_account_id, credit_account_id, amount, currency, customer_account_id, source_id, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [t.id, t.kind, t.debitAccountId, t.creditAccountId, t.amount, t.currency, t.customerAccountId, t.sourceId, ts(t.at)]
      )
    },
    accounts: async () =>
      (await q.all<LedgerAccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts ORDER BY id`)).map((a) => ({
        ...a,
        debitsPosted: Number(a.debitsPosted),
        creditsPosted: Number(a.creditsPosted)
      })),
    transfersPage: async (afterSeq, from, until, limit) =>
      (
        await q.all<Omit<LedgerTransferRow, 'at'> & { at: Date; seq: string | number }>(
          `SELECT seq, ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE seq > $1 AND at >= $2 AND at < $3 ORDER BY seq LIMIT $4`,
          [afterSeq, ts(from), ts(until), limit]
        )
      ).map((t) => ({ ...t, seq: Number(t.seq), amount: Number(t.amount), at: ms(t.at) })),
    postedSince: async (at) =>
      (
        await q.all<{ account_id: string; debits: string | number; credits: string | number }>(
          `SELECT account_id, sum(debits) AS debits, sum(credits) AS credits FROM (
             SELECT debit_account_id AS account_id, amount AS debits, 0 AS credits FROM ledger_transfers WHERE at >= $1
             UNION ALL SELECT credit_account_id, 0, amount FROM ledger_transfers WHERE at >= $1
           ) m GROUP BY account_id`,
          [ts(at)]
        )
      ).map((r) => ({ accountId: r.account_id, debits: Number(r.debits), credits: Number(r.credits) })),
    // Read in one snapshot (a read is one REPEATABLE READ transaction), so the parts agree.
    async snapshot(): Promise<LedgerSnapshot> {
      const books = await this.books()
      const transfers = (await q.all<Omit<LedgerTransferRow, 'at'> & { at: Date }>(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers ORDER BY seq`)).map(
        (t) => ({ ...t, at: ms(t.at) })
      )
      return { ...books, transfers }
    },
    async books() {
      const accounts = await q.all<LedgerAccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts ORDER BY id`)
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
      return { accounts, paidOrders, refunds, purchases }
    }
  }
}
