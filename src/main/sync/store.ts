import type { BillingDb } from '../db/open'

// Prepared statements over the sync tables (src/main/db/schema/sync.ts), created once.

export interface StateRow {
  cursor: string | null
  relay_balance: number
  relay_debt: number
  first_free_claim_id: string | null
  first_free_device_id: string | null
  lease: string | null
  high_water: number
  skew: number
  relay_time: number | null
  last_sync_at: number | null
  last_error: string | null
  warnings: string
}

/** An outbox row to push, as a tuple (raw rows: no object per row on the catch-up path). */
export type OutboxRow = [seq: number, id: string, body: string]

export interface RejectedRow {
  id: string
  kind: string
  rejected_code: string
  rejected_reason: string | null
  rejected_at: number | null
}

export interface SkippedRow {
  id: string
  type: string
  skip_reason: string | null
  applied_at: number
}

export interface OrderRow {
  id: string
  relay_key: string
  request_key: string
  fingerprint: string
  method: string
  kind: 'recharge' | 'plan'
  plan_code: string | null
  period: string | null
  coupon_code: string | null
  plan_id: string | null
  amount: number
  currency: string
  status: 'creating' | 'pending' | 'paid' | 'partially_refunded' | 'refunded' | 'expired' | 'cancelled' | 'failed'
  order_no: string | null
  display_kind: 'qr' | 'url' | null
  content: string | null
  expires_at: number
  failure_reason: string | null
  created_at: number
  updated_at: number
}

export interface PaymentRow {
  id: string
  order_no: string
  kind: 'payment' | 'refund'
  method: string
  amount: number
  currency: string
  purpose: 'recharge' | 'plan'
  status: string
  created_at: number
}

export type SyncStore = ReturnType<typeof prepareSyncStore>

export function prepareSyncStore(db: BillingDb) {
  const s = db.sqlite
  s.prepare('INSERT OR IGNORE INTO sync_state (id, updated_at) VALUES (1, 0)').run()
  return {
    state: s.prepare<[], StateRow>('SELECT * FROM sync_state WHERE id = 1'),
    setCursor: s.prepare<[string, number]>('UPDATE sync_state SET cursor = ?, updated_at = ? WHERE id = 1'),
    addRelayBalance: s.prepare<[number]>('UPDATE sync_state SET relay_balance = relay_balance + ? WHERE id = 1'),
    setRelayDebt: s.prepare<[number]>('UPDATE sync_state SET relay_debt = ? WHERE id = 1'),
    setFirstFree: s.prepare<[string, string]>(
      'UPDATE sync_state SET first_free_claim_id = ?, first_free_device_id = ? WHERE id = 1 AND first_free_claim_id IS NULL'
    ),
    setLease: s.prepare<[string | null]>('UPDATE sync_state SET lease = ? WHERE id = 1'),
    setClock: s.prepare<[number, number, number | null]>('UPDATE sync_state SET high_water = ?, skew = ?, relay_time = ? WHERE id = 1'),
    setHighWater: s.prepare<[number]>('UPDATE sync_state SET high_water = ? WHERE id = 1'),
    setResult: s.prepare<[number | null, string | null, number]>(
      'UPDATE sync_state SET last_sync_at = COALESCE(?, last_sync_at), last_error = ?, updated_at = ? WHERE id = 1'
    ),
    setWarnings: s.prepare<[string]>('UPDATE sync_state SET warnings = ? WHERE id = 1'),

    /** Claims a record id for this transaction: no change when it was applied before. */
    inboxClaim: s.prepare<[string, string, string, number, string, string, number]>(
      `INSERT OR IGNORE INTO sync_inbox (id, cursor, type, timestamp, payload, signature, applied_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
    ),

    /** Remembers an authentic record that could not be applied, with why; the cursor moves past it. */
    inboxSkip: s.prepare<[string, string, string, number, string, string, number, string]>(
      `INSERT OR IGNORE INTO sync_inbox (id, cursor, type, timestamp, payload, signature, applied_at, status, skip_reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'skipped', ?)`
    ),
    inboxSkippedCount: s.prepare<[], { n: number }>("SELECT count(*) AS n FROM sync_inbox WHERE status = 'skipped'"),
    inboxLastSkipped: s.prepare<[], SkippedRow>(
      `SELECT id, type, skip_reason, applied_at FROM sync_inbox WHERE status = 'skipped' ORDER BY applied_at DESC, rowid DESC LIMIT 1`
    ),

    outboxInsert: s.prepare<[string, string, string, number, number]>(
      'INSERT INTO sync_outbox (id, kind, body, spend, created_at) VALUES (?, ?, ?, ?, ?)'
    ),
    /** The next batch to push after `seq` (rows already in flight in this run are skipped). */
    outboxPendingAfter: s
      .prepare<[number, number], OutboxRow>(
        'SELECT seq, id, body FROM sync_outbox WHERE acked_at IS NULL AND rejected_code IS NULL AND seq > ? ORDER BY seq LIMIT ?'
      )
      .raw(true),
    /** Whether a record of this kind waits to be sent (a wallet purchase the relay has not seen). */
    outboxPendingOfKind: s.prepare<[string], { one: number }>(
      'SELECT 1 AS one FROM sync_outbox WHERE kind = ? AND acked_at IS NULL AND rejected_code IS NULL LIMIT 1'
    ),
    outboxPendingCount: s.prepare<[], { n: number }>(
      'SELECT count(*) AS n FROM sync_outbox WHERE acked_at IS NULL AND rejected_code IS NULL'
    ),
    /** Acks a batch that was accepted whole: its rows are exactly the pending ones in its seq range. */
    outboxAckRange: s.prepare<[number, number, number]>(
      'UPDATE sync_outbox SET acked_at = ? WHERE seq BETWEEN ? AND ? AND acked_at IS NULL AND rejected_code IS NULL'
    ),
    /** Acks a batch in one statement: the ids as a JSON array. */
    outboxAckMany: s.prepare<[number, string]>(
      'UPDATE sync_outbox SET acked_at = ? WHERE id IN (SELECT value FROM json_each(?)) AND acked_at IS NULL'
    ),
    outboxReject: s.prepare<[string, string, number, string]>(
      'UPDATE sync_outbox SET rejected_code = ?, rejected_reason = ?, rejected_at = ? WHERE id = ? AND acked_at IS NULL AND rejected_code IS NULL'
    ),
    outboxRejectedCount: s.prepare<[], { n: number }>('SELECT count(*) AS n FROM sync_outbox WHERE rejected_code IS NOT NULL'),
    outboxLastRejected: s.prepare<[], RejectedRow>(
      `SELECT id, kind, rejected_code, rejected_reason, rejected_at FROM sync_outbox
        WHERE rejected_code IS NOT NULL ORDER BY rejected_at DESC, seq DESC LIMIT 1`
    ),
    outboxMirrored: s.prepare<[number, string]>('UPDATE sync_outbox SET mirrored_at = ? WHERE id = ? AND mirrored_at IS NULL'),
    outboxHas: s.prepare<[string], { one: number }>('SELECT 1 AS one FROM sync_outbox WHERE id = ?'),
    outboxBody: s.prepare<[string], { body: string }>('SELECT body FROM sync_outbox WHERE id = ?'),
    outboxLastSeq: s.prepare<[], { seq: number }>('SELECT coalesce(max(seq), 0) AS seq FROM sync_outbox'),
    /** Own spending the relay's feed has not echoed yet: the offline allowance's deduction. */
    unsyncedSpend: s.prepare<[], { total: number | null }>(
      'SELECT SUM(spend) AS total FROM sync_outbox WHERE mirrored_at IS NULL AND spend > 0 AND rejected_code IS NULL'
    ),
    /** Own spending the relay has not echoed, refused rows included (the wallet paid them all the same). */
    spendNotEchoed: s.prepare<[], { total: number | null }>(
      'SELECT SUM(spend) AS total FROM sync_outbox WHERE mirrored_at IS NULL AND spend > 0'
    ),

    orderInsert: s.prepare<[string, string, string, string, string, string, string | null, string | null, string | null, number, string, number, number, number, string | null]>(
      `INSERT INTO sync_orders (id, relay_key, request_key, fingerprint, method, kind, plan_code, period, plan_id, amount, currency,
         status, expires_at, created_at, updated_at, coupon_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'creating', ?, ?, ?, ?)`
    ),
    orderById: s.prepare<[string], OrderRow>('SELECT * FROM sync_orders WHERE id = ?'),
    orderByKey: s.prepare<[string], OrderRow>('SELECT * FROM sync_orders WHERE request_key = ?'),
    orderByNo: s.prepare<[string], OrderRow>('SELECT * FROM sync_orders WHERE order_no = ?'),
    ordersOpen: s.prepare<[], OrderRow>("SELECT * FROM sync_orders WHERE status IN ('creating', 'pending') ORDER BY created_at"),
    /** Cancelled here while the relay could not be told, and still open there (before its expiry). */
    ordersCancelUnsent: s.prepare<[number], OrderRow>(
      "SELECT * FROM sync_orders WHERE status = 'cancelled' AND failure_reason IS NULL AND order_no IS NOT NULL AND expires_at > ? ORDER BY created_at"
    ),
    orderCheckout: s.prepare<[string, string, string, number, number, number, string]>(
      `UPDATE sync_orders SET order_no = ?, display_kind = ?, content = ?, expires_at = ?, amount = ?, updated_at = ?,
         status = CASE WHEN status = 'creating' THEN 'pending' ELSE status END WHERE id = ?`
    ),
    /** A cancel the relay now has; only a row still cancelled (never one paid meanwhile). */
    orderCancelTold: s.prepare<[string, number, string]>("UPDATE sync_orders SET failure_reason = ?, updated_at = ? WHERE id = ? AND status = 'cancelled'"),
    orderStatus: s.prepare<[string, string | null, number, string]>(
      'UPDATE sync_orders SET status = ?, failure_reason = ?, updated_at = ? WHERE id = ?'
    ),

    /** A trial_decision seen in the feed (once per record). */
    trialInsert: s.prepare<[string, string, string, string, number, number, number]>(
      `INSERT OR IGNORE INTO sync_trials (record_id, plan_code, device_id, outcome, own, decided_at, applied_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
    ),
    trialDecided: s.prepare<[string], { one: number }>('SELECT 1 AS one FROM sync_trials WHERE plan_code = ? LIMIT 1'),
    /** This device's latest refused trial, with the end it had when it was started. */
    trialLastRefused: s.prepare<[], { record_id: string; plan_code: string; applied_at: number; ends_at: number | null }>(
      `SELECT t.record_id, t.plan_code, t.applied_at, json_extract(o.body, '$.endsAt') AS ends_at
         FROM sync_trials t LEFT JOIN sync_outbox o ON o.id = t.record_id
        WHERE t.own = 1 AND t.outcome = 'refused' ORDER BY t.applied_at DESC, t.rowid DESC LIMIT 1`
    ),

    paymentInsert: s.prepare<[string, string, string, string, number, string, string, string, number]>(
      `INSERT OR IGNORE INTO sync_payments (id, order_no, kind, method, amount, currency, purpose, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
    )
  }
}
