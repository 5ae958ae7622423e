// The usage ledger and quotas: counters per billing period, gauges held by leases.
export { Quotas } from './quotas'
export { LeaseClosed, LeaseExpired } from './errors'
export {
  COUNTER_FEATURES,
  GAUGE_FEATURES,
  DEFAULT_LEASE_TTL_MS,
  MAX_LEASE_TTL_MS,
  MB_PER_GB,
  FEATURE_SPECS,
  type CounterFeature,
  type GaugeFeature,
  type QuotaFeature,
  type FeatureSpec
} from './features'
export type { QuotaVerifyReport } from './verify'
export type * from './types'
