// The billing module's public main-process API: the one entry a host app imports.
// Plain Node; a host hands in its ipcMain and windows (see README "Integrate").
export { createBillingModule, openBillingModule } from './api/module'
export type {
  BillingModule,
  BillingModuleOptions,
  IpcEventLike,
  IpcMainLike,
  Logger,
  ModuleEventName,
  ModuleEvents,
  QuoteHandle,
  RelayConfig,
  WindowLike
} from './api/types'
export type { AppPage } from './ipc/sender'
export type { PaidFeature, PriceList } from './ipc/prices'
export { DEFAULT_PRICES } from './ipc/prices'
/** The relay from the first source that names it (flags, environment, build, settings). */
export { resolveRelay } from './ipc/relay-config'
export { QuoteExpired, DEFAULT_QUOTE_TTL_MS, type LiveSession } from './paid-use'
export type { Confirmed, Quote, QuoteDecision, SyncState, UsageItem, WalletBalance } from '../shared/ipc/types'
export type { CounterFeature, QuotaCheck, QuotaFeature, UsageRecord } from './quotas'
export type { SecretStore, SettingsStore } from './settings'
export type { SyncSignals } from './sync'
export type { DesktopNotice, DesktopNotifier } from './notifications'
export { RecordingDesktopNotifier } from './notifications'
export type { NoticeItem, NoticeSettings } from '../shared/ipc/schemas/notices'
export { NOTICE_KINDS, type NoticeKind } from '../shared/relay-contract'
export { PaidUsePaused, OfflineAllowanceExceeded } from './sync'
export { LeaseExpired, LeaseClosed } from './quotas'
export { HoldExpired, HoldClosed, AlreadyClaimed } from './wallet/errors'
export {
  BillingError,
  InsufficientFunds,
  QuotaExceeded,
  IdempotencyConflict,
  InvalidInput,
  InvalidTransition,
  NotFound,
  DatabaseFromFuture,
  type ErrorCode,
  type ErrorInfo
} from '../shared/errors'
