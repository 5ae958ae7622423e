import type Database from 'better-sqlite3'
import type { LedgerAccountRow, LedgerRepo, LedgerSnapshot, LedgerTransferRow } from '../../ports'

const ACCOUNT_COLUMNS =
  'id, kind, customer_account_id AS customerAccountId, currency, debits_posted AS debitsPosted, credits_posted AS creditsPosted'
const TRANSFER_COLUMNS = `id, kind, debit_account_id AS debitAccountId, credit_account_id AS creditAccountId, amount, currency,
  customer_account_id AS customerAccountId, source_id AS sourceId, at`

export function sqliteLedger(s: Database.Database): LedgerRepo {
  const account = s.prepare<[string], LedgerAccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE id = ?`)
  const insert = s.prepare(
    `INSERT INTO ledger_transfers (id, kind, debit_account_id, credit_account_id, amount, currency, customer_account_id, source_id, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  // Opens the account on first use and adds to its posted sum, in one statement per side.
  const addDebit = s.prepare(
    `INSERT INTO ledger_accounts (id, kind, customer_account_id, currency, created_at, debits_posted) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET debits_posted = debits_posted + excluded.debits_posted`
  )
  const addCredit = s.prepare(
    `INSERT INTO ledger_accounts (id, kind, customer_account_id, currency, created_at, credits_posted) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET credits_posted = credits_posted + excluded.credits_posted`
  )
  const accounts = s.prepare<[], LedgerAccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts ORDER BY id`)
  const transfers = s.prepare<[], LedgerTransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers ORDER BY seq`)
  const page = s.prepare<[number, number, number, number], LedgerTransferRow & { seq: number }>(
    `SELECT seq, ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE seq > ? AND at >= ? AND at < ? ORDER BY seq LIMIT ?`
  )
  const since = s.prepare<[number, number], { accountId: string; debits: number; credits: number }>(
    `SELECT account_id AS accountId, sum(debits) AS debits, sum(credits) AS credits FROM (
       SELECT debit_account_id AS account_id, amount AS debits, 0 AS credits FROM ledger_transfers WHERE at >= ?
       UNION ALL SELECT credit_account_id, 0, amount FROM ledger_transfers WHERE at >= ?
     ) GROUP BY account_id`
  )
  const paidOrders = s.prepare<[], LedgerSnapshot['paidOrders'][number]>(
    `SELECT id, order_no AS orderNo, amount, refunded_amount AS refunded, currency FROM orders
     WHERE state IN ('paid', 'partially_refunded', 'refunded') ORDER BY id`
  )
  const refunds = s.prepare<[], LedgerSnapshot['refunds'][number]>(
    'SELECT provider, refund_id AS refundId, order_id AS orderId, amount FROM refunds ORDER BY provider, refund_id'
  )
  const purchases = s.prepare<[], LedgerSnapshot['purchases'][number]>(
    'SELECT account_id AS accountId, purchase_id AS purchaseId, coalesce(price_minor, 0) AS amount FROM grants WHERE purchase_id IS NOT NULL ORDER BY account_id, purchase_id'
  )
  return {
    account: (id) => account.get(id),
    post(t, { debit, credit }) {
      // The accounts first (the transfer's foreign keys); a second post of an id then fails the
      // unit, which takes the sums back with it.
      addDebit.run(debit.id, debit.kind, debit.customerAccountId, debit.currency, t.at, t.amount)
      addCredit.run(credit.id, credit.kind, credit.customerAccountId, credit.currency, t.at, t.amount)
      insert.run(t.id, t.kind, t.debitAccountId, t.creditAccountId, t.amount, t.currency, t.customerAccountId, t.sourceId, t.at)
    },
    accounts: () => accounts.all(),
    transfersPage: (afterSeq, from, until, limit) => page.all(afterSeq, from, until, limit),
    postedSince: (at) => since.all(at, at),
    snapshot: () => ({ accounts: accounts.all(), transfers: transfers.all(), paidOrders: paidOrders.all(), refunds: refunds.all(), purchases: purchases.all() }),
    books: () => ({ accounts: accounts.all(), paidOrders: paidOrders.all(), refunds: refunds.all(), purchases: purchases.all() })
  }
}
