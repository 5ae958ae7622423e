import type { Sqlite } from '../db/open'
import type { CounterFeature, GaugeFeature } from './features'
import type { Lease, LeaseStatus, UsageRecord } from './types'

// Every statement is prepared once when Quotas opens: the consume path binds and runs,
// it never parses SQL.

export interface EventRow {
  seq: number
  id: string
  key: string
  fingerprint: string
  feature: string
  qty: number
  period_start: number
  period_end: number | null
  used_after: number
  quota_limit: number | null
  plan_code: string
  created_at: number
}

export interface LeaseRow {
  id: string
  key: string
  fingerprint: string
  feature: string
  holder: string
  qty: number
  ttl_ms: number | null
  acquired_at: number
  heartbeat_at: number
  expires_at: number | null
  status: string
  ended_at: number | null
}

const EVENT_COLUMNS =
  'seq, id, key, fingerprint, feature, qty, period_start, period_end, used_after, quota_limit, plan_code, created_at'

export function prepareStatements(sqlite: Sqlite) {
  return {
    insertEvent: sqlite.prepare<
      [number, string, string, string, string, number, number, number | null, number, number | null, string, number, string]
    >(
      `INSERT INTO usage_events
         (seq, id, key, fingerprint, feature, qty, period_start, period_end, used_after, quota_limit, plan_code, created_at, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(key) DO NOTHING`
    ),
    /** The last event: the chain head (max of the rowid, then the row: two seeks, no scan). */
    tail: sqlite.prepare<[], { seq: number; hash: string }>(
      'SELECT seq, hash FROM usage_events WHERE seq = (SELECT max(seq) FROM usage_events)'
    ),
    /** Every event in chain order, for verify(). */
    allEvents: sqlite.prepare<[], EventRow & { hash: string }>(`SELECT ${EVENT_COLUMNS}, hash FROM usage_events ORDER BY seq`),
    /** The events after a checkpoint's, for verify() at start-up. */
    eventsAfter: sqlite.prepare<[number], EventRow & { hash: string }>(`SELECT ${EVENT_COLUMNS}, hash FROM usage_events WHERE seq > ? ORDER BY seq`),
    eventHashAt: sqlite.prepare<[number], string>('SELECT hash FROM usage_events WHERE seq = ?').pluck(),
    // The counter row of a period exists after its first use and memory knows its rowid, so
    // the normal path is an UPDATE by rowid (one b-tree descent, like the benchmark floor).
    // feature/period_start are rechecked: a VACUUM may renumber rowids, and then changes = 0
    // sends the caller to the primary-key UPDATE instead of a wrong row.
    updateCounterByRowid: sqlite.prepare<[number, number | null, number, number, string, number]>(
      `UPDATE usage_counters SET used = used + ?, period_end = ?, updated_at = ?
       WHERE rowid = ? AND feature = ? AND period_start = ?`
    ),
    updateCounter: sqlite.prepare<[number, number | null, number, string, number]>(
      `UPDATE usage_counters SET used = used + ?, period_end = ?, updated_at = ?
       WHERE feature = ? AND period_start = ?`
    ),
    insertCounter: sqlite.prepare<[string, number, number | null, number, number]>(
      `INSERT INTO usage_counters (feature, period_start, period_end, used, updated_at) VALUES (?, ?, ?, ?, ?)`
    ),
    eventByKey: sqlite.prepare<[string], EventRow>(`SELECT ${EVENT_COLUMNS} FROM usage_events WHERE key = ?`),
    counterUsed: sqlite
      .prepare<[string, number], number>('SELECT used FROM usage_counters WHERE feature = ? AND period_start = ?')
      .pluck(),
    counterRow: sqlite.prepare<[string, number], { rowid: number; used: number }>(
      'SELECT rowid, used FROM usage_counters WHERE feature = ? AND period_start = ?'
    ),
    // History walks the time-ordered rowid: no time index to maintain on the hot INSERT.
    historyAll: sqlite.prepare<[number, number, number], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM usage_events WHERE seq >= ? AND seq < ? ORDER BY seq DESC LIMIT ?`
    ),
    historyFeature: sqlite.prepare<[number, number, string, number], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM usage_events WHERE seq >= ? AND seq < ? AND feature = ?
       ORDER BY seq DESC LIMIT ?`
    ),
    /** Sum of events per (feature, period): what every counter row must equal. */
    eventSums: sqlite.prepare<[], { feature: string; period_start: number; used: number }>(
      'SELECT feature, period_start, SUM(qty) AS used FROM usage_events GROUP BY feature, period_start'
    ),
    allCounters: sqlite.prepare<[], { feature: string; period_start: number; used: number }>(
      'SELECT feature, period_start, used FROM usage_counters'
    ),

    insertLease: sqlite.prepare<
      [string, string, string, string, string, number, number | null, number, number, number | null]
    >(
      `INSERT INTO gauge_leases
         (id, key, fingerprint, feature, holder, qty, ttl_ms, acquired_at, heartbeat_at, expires_at, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'held')`
    ),
    leaseById: sqlite.prepare<[string], LeaseRow>('SELECT * FROM gauge_leases WHERE id = ?'),
    leaseByKey: sqlite.prepare<[string], LeaseRow>('SELECT * FROM gauge_leases WHERE key = ?'),
    // `ended_at IS NULL` verbatim so SQLite uses the partial index gauge_leases_live_idx.
    liveLeases: sqlite.prepare<[], LeaseRow>('SELECT * FROM gauge_leases WHERE ended_at IS NULL'),
    heartbeatLease: sqlite.prepare<[number, number | null, string]>(
      'UPDATE gauge_leases SET heartbeat_at = ?, expires_at = ? WHERE id = ? AND ended_at IS NULL'
    ),
    endLease: sqlite.prepare<[string, number, string]>(
      'UPDATE gauge_leases SET status = ?, ended_at = ? WHERE id = ? AND ended_at IS NULL'
    ),
    expireDue: sqlite.prepare<[number, number]>(
      `UPDATE gauge_leases SET status = 'expired', ended_at = ?
       WHERE ended_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ?`
    ),
    expireAllWithTtl: sqlite.prepare<[number]>(
      `UPDATE gauge_leases SET status = 'expired', ended_at = ?
       WHERE ended_at IS NULL AND expires_at IS NOT NULL`
    )
  }
}

export type Statements = ReturnType<typeof prepareStatements>

/** Events per millisecond before seq runs ahead of the clock; keeps seq time-ordered. */
export const SEQ_PER_MS = 1024

/** The lowest seq an event recorded at time `at` can have (clamped to safe integers). */
export function seqAt(at: number): number {
  const s = at * SEQ_PER_MS
  return s > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : s < Number.MIN_SAFE_INTEGER ? Number.MIN_SAFE_INTEGER : s
}

export function remainingOf(limit: number | null, used: number): number | null {
  return limit === null ? null : limit > used ? limit - used : 0
}

export function eventToRecord(row: EventRow): UsageRecord {
  return {
    id: row.id,
    key: row.key,
    feature: row.feature as CounterFeature,
    qty: row.qty,
    periodStart: row.period_start,
    resetsAt: row.period_end,
    usedAfter: row.used_after,
    limit: row.quota_limit,
    remaining: remainingOf(row.quota_limit, row.used_after),
    planCode: row.plan_code,
    at: row.created_at
  }
}

export function leaseFromRow(row: LeaseRow): Lease {
  return {
    id: row.id,
    key: row.key,
    feature: row.feature as GaugeFeature,
    holder: row.holder,
    qty: row.qty,
    ttlMs: row.ttl_ms,
    acquiredAt: row.acquired_at,
    heartbeatAt: row.heartbeat_at,
    expiresAt: row.expires_at,
    status: row.status as LeaseStatus,
    endedAt: row.ended_at
  }
}
