import { InvalidInput } from '../../shared/errors'
import type { PlanLimits } from './types'

// The metered features. Counters count uses per billing period and reset each period;
// gauges measure what is held right now (live rooms, storage) and go down on release.

export const COUNTER_FEATURES = ['ai_request', 'export'] as const
export const GAUGE_FEATURES = ['live_room', 'storage'] as const
export type CounterFeature = (typeof COUNTER_FEATURES)[number]
export type GaugeFeature = (typeof GAUGE_FEATURES)[number]
export type QuotaFeature = CounterFeature | GaugeFeature

export const MB_PER_GB = 1024

/** Default lease TTL for gauges that must free themselves when the app dies. */
export const DEFAULT_LEASE_TTL_MS = 90_000
export const MAX_LEASE_TTL_MS = 24 * 60 * 60 * 1000
/** Longest idempotency key, holder name or lease id accepted. */
export const MAX_KEY_LENGTH = 200

export interface FeatureSpec {
  readonly name: QuotaFeature
  readonly kind: 'counter' | 'gauge'
  readonly unit: 'requests' | 'exports' | 'rooms' | 'MB'
  /** Largest qty one call may ask for: a bigger one is a bug in the caller, not a big use. */
  readonly maxQty: number
  /**
   * Lease TTL when acquire() is given none. Live rooms expire without heartbeats (a crashed
   * app frees its room); storage stays used after a crash (the files are still on disk).
   */
  readonly defaultTtlMs: number | null
  /** The plan limit in this feature's unit; null = unlimited. */
  limitOf(limits: PlanLimits): number | null
}

export const FEATURE_SPECS: readonly FeatureSpec[] = [
  {
    name: 'ai_request',
    kind: 'counter',
    unit: 'requests',
    maxQty: 10_000,
    defaultTtlMs: null,
    limitOf: (l) => l.max_ai_requests
  },
  {
    name: 'export',
    kind: 'counter',
    unit: 'exports',
    maxQty: 10_000,
    defaultTtlMs: null,
    limitOf: (l) => l.max_export_count
  },
  {
    name: 'live_room',
    kind: 'gauge',
    unit: 'rooms',
    maxQty: 100,
    defaultTtlMs: DEFAULT_LEASE_TTL_MS,
    limitOf: (l) => l.max_streams
  },
  {
    name: 'storage',
    kind: 'gauge',
    unit: 'MB',
    maxQty: 16 * 1024 * 1024, // 16 TB in one lease
    defaultTtlMs: null,
    limitOf: (l) => (l.max_storage_gb === null ? null : l.max_storage_gb * MB_PER_GB)
  }
]

export function assertQty(spec: FeatureSpec, qty: unknown): asserts qty is number {
  if (typeof qty !== 'number' || !Number.isInteger(qty) || qty <= 0 || qty > spec.maxQty) {
    throw new InvalidInput(`qty must be an integer from 1 to ${spec.maxQty} for ${spec.name}`, {
      feature: spec.name,
      qty
    })
  }
}

export function assertText(what: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_KEY_LENGTH) {
    throw new InvalidInput(`${what} must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`, {
      [what]: value
    })
  }
}

export function unknownFeature(feature: unknown): InvalidInput {
  return new InvalidInput(`unknown quota feature: ${String(feature)}`, { feature })
}
