// Plans and subscriptions of the billing core: calendar periods in a billing time zone,
// the plan catalog, the subscription state machine, wallet-paid renewals and the
// entitlement the quotas module gates on.
export * from '../../shared/calendar'
export * from '../../shared/catalog/periods'
export * from './plans'
export * from './states'
export * from './types'
export * from './entitlement'
export { createSubscriptions, DEFAULT_GRACE_DAYS, type SubscriptionService } from './service'
export { MAX_KEY_LENGTH, MAX_REASON_LENGTH } from './validate'
export type { SubscriptionVerifyReport } from './verify'
