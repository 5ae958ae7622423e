// Tables of the sync domain (owned by src/main/sync): the outbox, the applied feed records
// (inbox), the one-row sync state (cursor, relay-derived balance, lease, clock anchor) and
// the local orders behind checkouts.
import { sql } from 'drizzle-orm'
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/**
 * Records to push, written in the same transaction as the mutation they report. `spend` is
 * what the record takes from the wallet (wallet debits), counted against the offline
 * allowance until the relay's feed echoes it (`mirrored_at`). Acked rows are kept (small) so
 * the allowance and the history can still see them; `rejected_code` marks a refusal for good
 * (never retried: the same record would be refused again).
 */
export const syncOutbox = sqliteTable(
  'sync_outbox',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull().unique(),
    kind: text('kind').notNull(),
    body: text('body').notNull(),
    spend: integer('spend').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    ackedAt: integer('acked_at'),
    rejectedCode: text('rejected_code'),
    /** The relay's message with the refusal, and when it came (shown in the sync state). */
    rejectedReason: text('rejected_reason'),
    rejectedAt: integer('rejected_at'),
    mirroredAt: integer('mirrored_at')
  },
  (t) => [
    index('sync_outbox_pending_idx').on(t.seq).where(sql`acked_at IS NULL AND rejected_code IS NULL`),
    index('sync_outbox_rejected_idx').on(t.seq).where(sql`rejected_code IS NOT NULL`),
    index('sync_outbox_unmirrored_idx').on(t.seq).where(sql`mirrored_at IS NULL AND spend > 0`),
    check('sync_outbox_spend_nonneg', sql`${t.spend} >= 0`)
  ]
)

/**
 * Feed records seen, by id: a record seen again changes nothing. Kept verbatim (signed).
 * `status` 'skipped': authentic but its content could not be applied (e.g. an invalid
 * amount, a record type this version does not know); `skip_reason` says why. The cursor moves
 * past it so one bad record cannot stop the feed; the sync state counts these.
 */
export const syncInbox = sqliteTable(
  'sync_inbox',
  {
    id: text('id').primaryKey(),
    cursor: text('cursor').notNull(),
    type: text('type').notNull(),
    timestamp: integer('timestamp').notNull(),
    payload: text('payload').notNull(),
    signature: text('signature').notNull(),
    appliedAt: integer('applied_at').notNull(),
    status: text('status').notNull().default('applied'),
    skipReason: text('skip_reason')
  },
  (t) => [
    index('sync_inbox_skipped_idx').on(t.appliedAt).where(sql`status = 'skipped'`),
    check('sync_inbox_status_known', sql`${t.status} IN ('applied', 'skipped')`)
  ]
)

/** One row (id = 1). Everything the relay last told this device, committed with the records. */
export const syncState = sqliteTable(
  'sync_state',
  {
    id: integer('id').primaryKey(),
    cursor: text('cursor'),
    /** The account's wallet on the relay, from the feed: credits − debits (may be negative: debt). */
    relayBalance: integer('relay_balance').notNull().default(0),
    relayDebt: integer('relay_debt').notNull().default(0),
    /** The first-free claim the relay accepted for the account, and its device. */
    firstFreeClaimId: text('first_free_claim_id'),
    firstFreeDeviceId: text('first_free_device_id'),
    /** The signed lease envelope (JSON) as received; re-verified whenever it is read. */
    lease: text('lease'),
    /** Highest local clock reading seen since the last sync (ms). */
    highWater: integer('high_water').notNull().default(0),
    /** relay time − local time at the last sync (ms). */
    skew: integer('skew').notNull().default(0),
    relayTime: integer('relay_time'),
    lastSyncAt: integer('last_sync_at'),
    lastError: text('last_error'),
    /** Comma-separated warnings that hold until the next successful sync. */
    warnings: text('warnings').notNull().default(''),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [check('sync_state_one_row', sql`${t.id} = 1`)]
)

/** Local orders: recorded before the relay is asked, so a checkout survives a crash or a lost reply. */
export const syncOrders = sqliteTable(
  'sync_orders',
  {
    id: text('id').primaryKey(),
    /** The key sent to the relay as Idempotency-Key (a retry returns the same relay order). */
    relayKey: text('relay_key').notNull().unique(),
    requestKey: text('request_key').notNull().unique(),
    fingerprint: text('fingerprint').notNull(),
    method: text('method').notNull(),
    kind: text('kind').notNull(),
    planCode: text('plan_code'),
    period: text('period'),
    planId: text('plan_id'),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    status: text('status').notNull(),
    orderNo: text('order_no').unique(),
    displayKind: text('display_kind'),
    content: text('content'),
    expiresAt: integer('expires_at').notNull(),
    failureReason: text('failure_reason'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    /** The promotion code the checkout was asked with (sent again on a retry under the same key). */
    couponCode: text('coupon_code')
  },
  (t) => [
    index('sync_orders_status_idx').on(t.status),
    // The payments history's open orders, newest first, read a page at a time (payment-history.ts
    // repeats this condition word for word so SQLite picks the partial index).
    index('sync_orders_open_time_idx')
      .on(t.createdAt, t.id)
      .where(sql`status NOT IN ('paid', 'partially_refunded', 'refunded') AND NOT (status = 'failed' AND order_no IS NULL)`)
  ]
)

/** Payments and refunds the feed reported (for history), whichever device paid. */
export const syncPayments = sqliteTable(
  'sync_payments',
  {
    id: text('id').primaryKey(),
    orderNo: text('order_no').notNull(),
    kind: text('kind').notNull(),
    method: text('method').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    purpose: text('purpose').notNull(),
    status: text('status').notNull(),
    createdAt: integer('created_at').notNull()
  },
  (t) => [
    index('sync_payments_time_idx').on(t.createdAt),
    // History pages per kind, newest first (a keyset walk), and an order's refunds.
    index('sync_payments_kind_time_idx').on(t.kind, t.createdAt, t.id),
    index('sync_payments_order_idx').on(t.orderNo, t.kind)
  ]
)

/**
 * Trials the relay decided for the account (`trial_decision` records), any device's: a plan
 * code here has had its trial, so a trial of it is refused locally (subscriptions' trialUsed
 * port). `own` = this device's trial_start; a refused own trial was ended when it arrived.
 */
export const syncTrials = sqliteTable(
  'sync_trials',
  {
    recordId: text('record_id').primaryKey(),
    planCode: text('plan_code').notNull(),
    deviceId: text('device_id').notNull(),
    outcome: text('outcome').notNull(),
    own: integer('own').notNull().default(0),
    decidedAt: integer('decided_at').notNull(),
    appliedAt: integer('applied_at').notNull()
  },
  (t) => [
    index('sync_trials_plan_idx').on(t.planCode),
    check('sync_trials_outcome_known', sql`${t.outcome} IN ('confirmed', 'refused')`)
  ]
)
