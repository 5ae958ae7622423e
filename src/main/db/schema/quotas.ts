// Tables of the quotas domain (owned by src/main/quotas).
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * Append-only usage ledger: one row per applied `consume`. The row carries the idempotency
 * key and request fingerprint (a replay returns this row), and a snapshot of the result
 * (used_after, quota_limit, period) so the first answer can be given again verbatim.
 *
 * Only one secondary index (the key): consume's INSERT is the hot write. `seq` is the rowid
 * and is time-ordered (max(previous + 1, created_at × 1024)), so history pages by time and
 * by feature walk the rowid itself instead of a time index. `hash` chains the rows (an edited
 * or deleted event breaks the chain); it is computed in JS, so the write stays one INSERT.
 */
export const usageEvents = sqliteTable(
  'usage_events',
  {
    seq: integer('seq').primaryKey(),
    id: text('id').notNull(),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    feature: text('feature').notNull(),
    qty: integer('qty').notNull(),
    periodStart: integer('period_start').notNull(),
    periodEnd: integer('period_end'),
    usedAfter: integer('used_after').notNull(),
    quotaLimit: integer('quota_limit'),
    planCode: text('plan_code').notNull(),
    createdAt: integer('created_at').notNull(),
    /** Hash chain over seq order: the previous event's hash and this row (src/main/quotas/chain.ts). */
    hash: text('hash').notNull()
  },
  (t) => [uniqueIndex('usage_events_key_uq').on(t.key)]
)

/**
 * One counter per (feature, billing period). A new period is a new row, so old periods stay
 * as history; the row is the cached sum of usage_events.qty for that period (verify() checks).
 */
export const usageCounters = sqliteTable(
  'usage_counters',
  {
    feature: text('feature').notNull(),
    periodStart: integer('period_start').notNull(),
    periodEnd: integer('period_end'),
    used: integer('used').notNull(),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.feature, t.periodStart] })]
)

/**
 * Gauge leases (live rooms, storage). A lease is held until released or, when it has a TTL,
 * until its expiry passes without a heartbeat: a crashed app's live room frees itself.
 * Rows are never deleted; `ended_at` closes them with status 'released' or 'expired'.
 */
export const gaugeLeases = sqliteTable(
  'gauge_leases',
  {
    id: text('id').primaryKey(),
    key: text('key').notNull(),
    fingerprint: text('fingerprint').notNull(),
    feature: text('feature').notNull(),
    holder: text('holder').notNull(),
    qty: integer('qty').notNull(),
    ttlMs: integer('ttl_ms'),
    acquiredAt: integer('acquired_at').notNull(),
    heartbeatAt: integer('heartbeat_at').notNull(),
    expiresAt: integer('expires_at'),
    status: text('status', { enum: ['held', 'released', 'expired'] }).notNull(),
    endedAt: integer('ended_at')
  },
  (t) => [
    uniqueIndex('gauge_leases_key_uq').on(t.key),
    // Open loads only live leases; a partial index keeps that cheap however long the history.
    index('gauge_leases_live_idx').on(t.feature).where(sql`ended_at IS NULL`)
  ]
)
