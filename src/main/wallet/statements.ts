import type Database from 'better-sqlite3'
import type { Sqlite } from '../db/open'

// Every statement the wallet runs on a hot or warm path, prepared once per database.

export interface EntryRow {
  seq: number
  id: string
  op_key: string | null
  leg: number
  type: string
  owner: string
  debit_account: string
  credit_account: string
  amount: number
  currency: string
  ref: string | null
  feature: string | null
  reason: string | null
  fingerprint: string | null
  result: string | null
  created_at: number
  hash: string
}

export interface HoldRow {
  id: string
  owner: string
  currency: string
  amount: number
  bonus_amount: number
  feature: string
  reason: string
  status: string
  open_key: string
  close_key: string | null
  settled_amount: number | null
  created_at: number
  expires_at: number
  closed_at: number | null
}

export interface ClaimRow {
  account_id: string
  entry_id: string | null
  op_key: string
  feature: string
  price: number
  currency: string
  elsewhere_claim_id: string | null
  elsewhere_device_id: string | null
  created_at: number
}

export interface PaymentRow {
  payment_id: string
  owner: string
  provider: string
  amount: number
  currency: string
  refunded: number
  op_key: string
}

export interface RefundRow {
  refund_id: string
  payment_id: string
  amount: number
  op_key: string
}

export function prepareStatements(sqlite: Sqlite) {
  const s = <P extends unknown[] = unknown[], R = unknown>(sql: string) =>
    sqlite.prepare<P, R>(sql) as Database.Statement<P, R>
  return {
    insertEntry: s(
      `INSERT INTO wallet_entries (seq, id, op_key, leg, type, owner, debit_account, credit_account, amount,
         currency, ref, feature, reason, fingerprint, result, created_at, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    ),
    // One statement moves both balances and records the chain position on both accounts.
    moveBalances: s<[string, number, number, number, string, string, string]>(
      `UPDATE wallet_accounts
          SET balance = balance + CASE WHEN id = ? THEN ? ELSE -? END, last_seq = ?, last_hash = ?
        WHERE id IN (?, ?)`
    ),
    keyResult: s<[string], { fingerprint: string | null; result: string | null }>(
      `SELECT fingerprint, result FROM wallet_entries WHERE op_key = ? AND leg = 0`
    ),
    head: s<[], { seq: number; hash: string; created_at: number }>(
      `SELECT seq, hash, created_at FROM wallet_entries ORDER BY seq DESC LIMIT 1`
    ),
    dataVersion: sqlite.prepare<[], number>('PRAGMA data_version').pluck(),
    accounts: s<[], { id: string; balance: number }>(`SELECT id, balance FROM wallet_accounts`),
    ensureAccount: s<[string, string, string, string, number]>(
      `INSERT OR IGNORE INTO wallet_accounts (id, owner, kind, currency, balance, last_seq, last_hash, created_at)
       VALUES (?, ?, ?, ?, 0, 0, NULL, ?)`
    ),
    claimed: s<[string], { one: number }>(`SELECT 1 AS one FROM wallet_first_free_claims WHERE account_id = ?`),
    insertClaim: s<[string, string, string, string, number, string, number]>(
      `INSERT INTO wallet_first_free_claims (account_id, entry_id, op_key, feature, price, currency, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`
    ),
    insertElsewhereClaim: s<[string, string, string, string, string, string, number]>(
      `INSERT OR IGNORE INTO wallet_first_free_claims
         (account_id, entry_id, op_key, feature, price, currency, elsewhere_claim_id, elsewhere_device_id, created_at)
       VALUES (?, NULL, ?, ?, 0, ?, ?, ?, ?)`
    ),
    /** A first-free mark (claim made elsewhere) by its key; the table has one row per account. */
    markByKey: s<[string], ClaimRow>(`SELECT * FROM wallet_first_free_claims WHERE op_key = ? AND entry_id IS NULL`),
    anyMark: s<[], { one: number }>(`SELECT 1 AS one FROM wallet_first_free_claims WHERE entry_id IS NULL LIMIT 1`),
    insertHold: s<[string, string, string, number, number, string, string, string, number, number]>(
      `INSERT INTO wallet_holds (id, owner, currency, amount, bonus_amount, feature, reason, status, open_key, created_at, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`
    ),
    getHold: s<[string], HoldRow>(`SELECT * FROM wallet_holds WHERE id = ?`),
    closeHold: s<[string, string | null, number | null, number, string]>(
      `UPDATE wallet_holds SET status = ?, close_key = ?, settled_amount = ?, closed_at = ?
        WHERE id = ? AND status = 'pending'`
    ),
    /** The last parameter is a LIMIT (-1: all). */
    dueHolds: s<[number, string, string, number], HoldRow>(
      `SELECT * FROM wallet_holds
        WHERE status = 'pending' AND expires_at <= ? AND owner = ? AND currency = ?
        ORDER BY expires_at, id LIMIT ?`
    ),
    getPayment: s<[string], PaymentRow>(`SELECT * FROM wallet_payments WHERE payment_id = ?`),
    insertPayment: s<[string, string, string, number, string, string, number]>(
      `INSERT INTO wallet_payments (payment_id, owner, provider, amount, currency, refunded, op_key, created_at)
       VALUES (?, ?, ?, ?, ?, 0, ?, ?)`
    ),
    addRefunded: s<[number, string]>(`UPDATE wallet_payments SET refunded = refunded + ? WHERE payment_id = ?`),
    getRefund: s<[string], RefundRow>(`SELECT * FROM wallet_refunds WHERE refund_id = ?`),
    insertRefund: s<[string, string, number, number, number, string, number]>(
      `INSERT INTO wallet_refunds (refund_id, payment_id, amount, from_wallet, to_debt, op_key, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`
    )
  }
}

export type Statements = ReturnType<typeof prepareStatements>
