import type Database from 'better-sqlite3'
import type { LedgerAccountRow, LedgerRepo, LedgerSnapshot, LedgerTransferRow } from '../../ports'

const ACCOUNT_COLUMNS =
  'id, kind, customer_account_id AS customerAccountId, currency, debits_posted AS debitsPosted, credits_posted AS creditsPosted'
const TRANSFER_COLUMNS = `id, kind, debit_account_id AS debitAccountId, credit_account_id AS creditAccountId, amount, currency,
  customer_account_id AS customerAccountId, source_id AS sourceId, at`

export function sqliteLedger(s: Database.Database): LedgerRepo {
  const account = s.prepare<[string], LedgerAccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE id = ?`)
  const open = s.prepare(
    'INSERT INTO ledger_accounts (id, kind, customer_account_id, currency, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING'
  )
  const insert = s.prepare(
    `INSERT INTO ledger_transfers (id, kind, debit_account_id, credit_account_id, amount, currency, customer_account_id, source_id, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  const addDebit = s.prepare('UPDATE ledger_accounts SET debits_posted = debits_posted + ? WHERE id = ?')
  const addCredit = s.prepare('UPDATE ledger_accounts SET credits_posted = credits_posted + ? WHERE id = ?')
  const accounts = s.prepare<[], LedgerAccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts ORDER BY id`)
  const transfers = s.prepare<[], LedgerTransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers ORDER BY seq`)
  const paidOrders = s.prepare<[], LedgerSnapshot['paidOrders'][number]>(
    `SELECT id, order_no AS orderNo, amount, refunded_amount AS refunded, currency FROM orders
     WHERE state IN ('paid', 'partially_refunded', 'refunded') ORDER BY id`
  )
  const refunds = s.prepare<[], LedgerSnapshot['refunds'][number]>(
    'SELECT provider, refund_id AS refundId, order_id AS orderId, amount FROM refunds ORDER BY provider, refund_id'
  )
  return {
    account: (id) => account.get(id),
    open: (a, now) => void open.run(a.id, a.kind, a.customerAccountId, a.currency, now),
    post(t) {
      insert.run(t.id, t.kind, t.debitAccountId, t.creditAccountId, t.amount, t.currency, t.customerAccountId, t.sourceId, t.at)
      addDebit.run(t.amount, t.debitAccountId)
      addCredit.run(t.amount, t.creditAccountId)
    },
    snapshot: () => ({ accounts: accounts.all(), transfers: transfers.all(), paidOrders: paidOrders.all(), refunds: refunds.all() })
  }
}
