// Sync with the relay: outbox, signed feed, lease, checkouts, triggers (docs/sync.md).
export { createSyncedBilling, openSyncedBilling, type SyncService, type SyncedBillingOptions, type SyncState, type SyncEvents } from './service'
export { ManualSignals, alwaysOnline, backoffDelay, DEFAULT_SCHEDULE, realTimers, SyncScheduler, type SyncSignals, type Timers, type ScheduleOptions } from './scheduler'
export { RelayClient, RelayError } from './relay-client'
export { assertRelayUrl, RelayUrlInsecure } from './relay-url'
export { GatedWallet, type PaidUseGate } from './gated-wallet'
export { PaidUsePaused, OfflineAllowanceExceeded } from './errors'
export type { Checkout } from './checkouts'
export type { LeaseStatus } from './lease'
