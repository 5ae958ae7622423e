import { InvalidTransition } from '../../shared/errors'

// The subscription state machine: ONE table of allowed status changes. Every write that
// changes a status goes through assertTransition; anything not listed is InvalidTransition.

export const SUBSCRIPTION_STATUSES = ['trialing', 'active', 'past_due', 'cancelled', 'expired', 'suspended'] as const
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number]

/**
 * Allowed status changes.
 * - trialing → active: the trial converts (paid at trial end by auto-renew, or early by renew).
 *   A trial whose payment fails at its end expires: there is no past_due for a trial.
 * - active → past_due: auto-renewal could not be paid; access continues for the grace period.
 * - past_due → active: paid within grace (renew, or a sweep retry after a top-up).
 * - suspended → active | expired: resume; expired when the period ended while suspended.
 * - cancelled → active: only `reactivate`, which undoes a cancel-at-period-end of a paid
 *   period before that end. Resubscribing after a cancel creates a NEW subscription (the
 *   cancelled one expires), so a cancel never reopens a period through the back door.
 * - cancelled at the period end → cancelled now, while that end is ahead: the same status, so
 *   not in the table; `cancel` allows it, as it only shortens access (a refunded period).
 * - expired is final.
 * Renewals and extensions keep the status (active → active) and are not transitions.
 */
export const TRANSITIONS: Readonly<Record<SubscriptionStatus, readonly SubscriptionStatus[]>> = {
  trialing: ['active', 'cancelled', 'expired'],
  active: ['past_due', 'cancelled', 'expired', 'suspended'],
  past_due: ['active', 'expired', 'cancelled', 'suspended'],
  suspended: ['active', 'expired'],
  cancelled: ['active', 'expired'],
  expired: []
}

export function canTransition(from: SubscriptionStatus, to: SubscriptionStatus): boolean {
  return TRANSITIONS[from].includes(to)
}

export function assertTransition(from: SubscriptionStatus, to: SubscriptionStatus): void {
  if (!canTransition(from, to)) throw new InvalidTransition('subscription', from, to)
}

/** Statuses that hold the account's one live subscription (all but expired). */
export const LIVE_STATUSES: readonly SubscriptionStatus[] = SUBSCRIPTION_STATUSES.filter((s) => s !== 'expired')

/** Operations that keep the status, and the statuses they are allowed in. */
export const SAME_STATUS_OPERATIONS = {
  renew: ['trialing', 'active', 'past_due'],
  extend: ['trialing', 'active', 'past_due'],
  setAutoRenew: ['trialing', 'active', 'past_due']
} as const satisfies Record<string, readonly SubscriptionStatus[]>

/** An operation refused in the current status: InvalidTransition with the operation as target. */
export function assertOperation(op: keyof typeof SAME_STATUS_OPERATIONS, status: SubscriptionStatus): void {
  if (!(SAME_STATUS_OPERATIONS[op] as readonly SubscriptionStatus[]).includes(status)) {
    throw new InvalidTransition('subscription', status, op)
  }
}
