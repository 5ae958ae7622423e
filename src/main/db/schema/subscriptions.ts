// Tables of the subscriptions domain (owned by src/main/subscriptions).
import { sql } from 'drizzle-orm'
import { check, foreignKey, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/**
 * The plan catalog: one row per (code, period). Prices in minor units of `currency`.
 * Limits are per usage month; NULL means unlimited. `features` is a JSON string array.
 */
export const plans = sqliteTable(
  'plans',
  {
    code: text('code').notNull(),
    period: text('period').notNull(),
    name: text('name').notNull(),
    priceMinor: integer('price_minor').notNull(),
    originalPriceMinor: integer('original_price_minor').notNull(),
    currency: text('currency').notNull(),
    features: text('features').notNull(),
    maxStreams: integer('max_streams'),
    maxStorageGb: integer('max_storage_gb'),
    maxAiRequests: integer('max_ai_requests'),
    maxExportCount: integer('max_export_count'),
    active: integer('active').notNull(),
    sortOrder: integer('sort_order').notNull(),
    trialDays: integer('trial_days').notNull().default(0),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [
    primaryKey({ columns: [t.code, t.period] }),
    check('plans_period_known', sql`${t.period} IN ('monthly', 'quarterly', 'yearly', 'lifetime')`),
    check('plans_price_nonneg', sql`${t.priceMinor} >= 0 AND ${t.originalPriceMinor} >= 0`),
    check('plans_trial_nonneg', sql`${t.trialDays} >= 0`)
  ]
)

/** Which version of the built-in catalog was seeded: one point read at every open. */
export const planCatalogSeeds = sqliteTable('plan_catalog_seeds', {
  version: integer('version').primaryKey(),
  seededAt: integer('seeded_at').notNull()
})

/**
 * Subscriptions of this account. At most one is not 'expired' at a time (enforced in code,
 * inside the write transaction). Period bounds are epoch ms; NULL end = lifetime.
 * `anchor_day` is the day of month renewals land on (Jan 31 → Feb 28 → Mar 31).
 */
export const subscriptions = sqliteTable(
  'subscriptions',
  {
    id: text('id').primaryKey(),
    planCode: text('plan_code').notNull(),
    period: text('period').notNull(),
    status: text('status').notNull(),
    priceMinor: integer('price_minor').notNull(),
    currency: text('currency').notNull(),
    autoRenew: integer('auto_renew').notNull(),
    anchorDay: integer('anchor_day').notNull(),
    startedAt: integer('started_at').notNull(),
    trialEndsAt: integer('trial_ends_at'),
    currentPeriodStart: integer('current_period_start').notNull(),
    currentPeriodEnd: integer('current_period_end'),
    graceUntil: integer('grace_until'),
    cancelAtPeriodEnd: integer('cancel_at_period_end').notNull().default(0),
    cancelReason: text('cancel_reason'),
    cancelledAt: integer('cancelled_at'),
    endedAt: integer('ended_at'),
    version: integer('version').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [
    foreignKey({ columns: [t.planCode, t.period], foreignColumns: [plans.code, plans.period] }),
    index('subscriptions_status_idx').on(t.status, t.createdAt),
    check(
      'subscriptions_status_known',
      sql`${t.status} IN ('trialing', 'active', 'past_due', 'cancelled', 'expired', 'suspended')`
    ),
    check('subscriptions_price_nonneg', sql`${t.priceMinor} >= 0`),
    check(
      'subscriptions_period_order',
      sql`${t.currentPeriodEnd} IS NULL OR ${t.currentPeriodEnd} > ${t.currentPeriodStart}`
    )
  ]
)

/**
 * Append-only history of every change: who (actor), what (kind, from → to), when, why.
 * Hash-chained (src/main/subscriptions/chain.ts): `hash` covers the previous event's hash and
 * every column here, including `state`, the subscription row this event produced (canonical
 * JSON). verify() walks the chain and checks each subscriptions row equals its latest state.
 */
export const subscriptionEvents = sqliteTable(
  'subscription_events',
  {
    seq: integer('seq').primaryKey(),
    subscriptionId: text('subscription_id')
      .notNull()
      .references(() => subscriptions.id),
    kind: text('kind').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    actor: text('actor').notNull(),
    reason: text('reason'),
    requestKey: text('request_key'),
    details: text('details').notNull(),
    at: integer('at').notNull(),
    state: text('state').notNull(),
    hash: text('hash').notNull()
  },
  (t) => [index('subscription_events_sub_idx').on(t.subscriptionId, t.seq)]
)

/**
 * Append-only, hash-chained record of catalog changes made on this device (setPlanActive).
 * verify() expects every plans row to equal the built-in catalog (src/shared/catalog) as the
 * applied catalog versions (plan_catalog_versions) rewrote it, with `active` as the last of
 * those and the changes here says.
 */
export const planChanges = sqliteTable('plan_changes', {
  seq: integer('seq').primaryKey(),
  code: text('code').notNull(),
  period: text('period').notNull(),
  active: integer('active').notNull(),
  at: integer('at').notNull(),
  hash: text('hash').notNull()
})

/**
 * Catalog versions from the relay (the signed `catalog` feed record) applied to `plans`, in
 * version order; append-only and hash-chained like plan_changes. `after_change_seq`: the last
 * plan_changes seq when it was applied, so verify() replays both in the order they happened.
 * No row: the built-in catalog (version 1) is in force. The newest row is the catalog in force.
 */
export const planCatalogVersions = sqliteTable('plan_catalog_versions', {
  version: integer('version').primaryKey(),
  effectiveFrom: integer('effective_from').notNull(),
  document: text('document').notNull(),
  afterChangeSeq: integer('after_change_seq').notNull(),
  appliedAt: integer('applied_at').notNull(),
  hash: text('hash').notNull()
})

/** Idempotency keys of subscription mutations, stored before use with the first result. */
export const subscriptionRequests = sqliteTable('subscription_requests', {
  key: text('key').primaryKey(),
  op: text('op').notNull(),
  fingerprint: text('fingerprint').notNull(),
  result: text('result'),
  createdAt: integer('created_at').notNull()
})

/**
 * Money taken for a subscription period: from the wallet (ref = the wallet's idempotency key)
 * or an external payment confirmed elsewhere (ref = payment id). A ref pays only once.
 */
export const subscriptionCharges = sqliteTable(
  'subscription_charges',
  {
    id: text('id').primaryKey(),
    subscriptionId: text('subscription_id')
      .notNull()
      .references(() => subscriptions.id),
    kind: text('kind').notNull(),
    source: text('source').notNull(),
    paymentRef: text('payment_ref').notNull().unique(),
    amountMinor: integer('amount_minor').notNull(),
    currency: text('currency').notNull(),
    periodStart: integer('period_start').notNull(),
    periodEnd: integer('period_end'),
    at: integer('at').notNull()
  },
  (t) => [
    index('subscription_charges_sub_idx').on(t.subscriptionId, t.at),
    check('subscription_charges_amount_nonneg', sql`${t.amountMinor} >= 0`)
  ]
)
