import type { Clock } from '../../node/clock'
import type { IdSource } from '../../node/ids'
import type { BillingDb } from '../db/open'
import type { PlanLimits } from '../../shared/catalog'
import type { CounterFeature, GaugeFeature, QuotaFeature } from './features'

/** Plan limits as the catalog declares them: null = unlimited, 0 = not in the plan. */
export type { PlanLimits } from '../../shared/catalog'

export interface Entitlement {
  planCode: string
  limits: PlanLimits
  /** Start of the current billing period (epoch ms); counters are kept per period start. */
  periodStart: number
  /**
   * End of the current billing period (exclusive). The port should always return a finite
   * window, monthly windows for lifetime plans included, so counters reset. null is tolerated
   * and means one window that never ends (counters never reset, resetsAt null).
   */
  periodEnd: number | null
  /**
   * Optional: the entitlement may change before periodEnd (e.g. the signed lease expires and
   * the plan falls back to FREE). Quotas asks the port again at min(periodEnd, validUntil).
   */
  validUntil?: number | null
}

/** The plan as the subscriptions module sees it. Called rarely: at open, at period end, after invalidate(). */
export interface EntitlementPort {
  current(now: number): Entitlement
}

export interface QuotasDeps {
  db: BillingDb
  clock: Clock
  ids: IdSource
  entitlements: EntitlementPort
  /**
   * Called inside the transaction of each applied consume (not for replays): the sync layer
   * writes its outbox row here, so the row commits or rolls back with the usage. Throwing
   * rolls the consume back.
   */
  onRecord?: (record: UsageRecord) => void
  /**
   * With Electron's single-instance lock nothing else can hold this file's leases, so on
   * open every lease with a TTL belongs to a dead previous run: expire it at once instead of
   * waiting for its TTL. Off by default (tests and benchmarks may open twice).
   */
  expirePreviousRunOnOpen?: boolean
}

export type QuotaDenyReason = 'quota_exhausted' | 'not_in_plan'

export interface QuotaCheck {
  allowed: boolean
  /** What is left before this request (never negative); null = unlimited. */
  remaining: number | null
  limit: number | null
  /** When counters reset (period end); null for gauges and endless periods. */
  resetsAt: number | null
  reason: QuotaDenyReason | null
}

/** One applied consume, as stored; a replay of its key returns an equal object. */
export interface UsageRecord {
  id: string
  key: string
  feature: CounterFeature
  qty: number
  periodStart: number
  resetsAt: number | null
  usedAfter: number
  limit: number | null
  remaining: number | null
  planCode: string
  at: number
}

export type LeaseStatus = 'held' | 'released' | 'expired'

export interface Lease {
  id: string
  key: string
  feature: GaugeFeature
  holder: string
  qty: number
  ttlMs: number | null
  acquiredAt: number
  heartbeatAt: number
  /** null = held until released (no heartbeat needed). */
  expiresAt: number | null
  status: LeaseStatus
  endedAt: number | null
}

export interface AcquireRequest {
  /** Idempotency key: a retry with the same request returns the same lease. */
  key: string
  feature: GaugeFeature
  /** Who holds it: a live room id, a recording id. */
  holder: string
  qty?: number
  /** undefined = the feature's default (live_room 90 s, storage none); null = no expiry. */
  ttlMs?: number | null
}

export interface FeatureUsage {
  feature: QuotaFeature
  kind: 'counter' | 'gauge'
  unit: 'requests' | 'exports' | 'rooms' | 'MB'
  limit: number | null
  used: number
  remaining: number | null
  resetsAt: number | null
}

export interface UsageSummary {
  planCode: string
  periodStart: number
  periodEnd: number | null
  features: FeatureUsage[]
  /** Live rooms in use right now (same as the live_room gauge's `used`). */
  liveRoomsInUse: number
}

export interface HistoryQuery {
  feature?: CounterFeature
  /** Inclusive lower bound on the event time. */
  from?: number
  /** Exclusive upper bound on the event time. */
  to?: number
  /** Page size, 1..500 (default 50). */
  limit?: number
  /** nextCursor of the previous page. */
  cursor?: string | null
}

export interface HistoryPage {
  /** Newest first. */
  items: UsageRecord[]
  nextCursor: string | null
}

export interface QuotaSnapshot {
  planCode: string
  periodStart: number
  counters: Record<CounterFeature, number>
  /** Live leases, sorted by id. */
  leases: Lease[]
  gauges: Record<GaugeFeature, number>
}
