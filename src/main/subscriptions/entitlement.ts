import { addDays, cycleContaining, daysRemaining, monthBounds } from '../../shared/calendar'
import type { Plan } from './plans'
import type { Entitlement, Subscription } from './types'

// What a subscription grants at an instant. Pure: the service reads the rows, this decides.

/**
 * When paid access ends, or 'none' when the subscription grants none at all.
 * - trialing: the trial's end.
 * - active: the period end, plus the grace period when auto-renew is on — a sweep that
 *   has not run yet would at worst make it past_due with exactly that grace.
 * - past_due: the end of grace.
 * - cancelled: the period end if cancelled at period end, else the moment of cancelling.
 * - suspended, expired: none.
 */
export function accessEndsAt(sub: Subscription, tz: string, graceDays: number): number | null | 'none' {
  switch (sub.status) {
    case 'trialing':
      return sub.currentPeriodEnd
    case 'active':
      if (sub.currentPeriodEnd === null) return null
      return sub.autoRenew ? addDays(sub.currentPeriodEnd, graceDays, tz) : sub.currentPeriodEnd
    case 'past_due':
      return sub.graceUntil ?? 'none'
    case 'cancelled':
      return (sub.cancelAtPeriodEnd ? sub.currentPeriodEnd : sub.cancelledAt) ?? 'none'
    default:
      return 'none'
  }
}

export function isEntitled(sub: Subscription, now: number, tz: string, graceDays: number): boolean {
  const until = accessEndsAt(sub, tz, graceDays)
  return until === null || (until !== 'none' && now < until)
}

/**
 * The usage period of a subscription at `now`: monthly cycles from the paid period's start
 * (a trial is one period of its own; paid cycles count from the trial's end), cut at the
 * end of access.
 */
export function usagePeriod(sub: Subscription, now: number, until: number | null, tz: string): { start: number; end: number } {
  let anchor = sub.currentPeriodStart
  if (sub.trialEndsAt !== null && sub.trialEndsAt > anchor) {
    if (now < sub.trialEndsAt) return { start: anchor, end: until === null ? sub.trialEndsAt : Math.min(sub.trialEndsAt, until) }
    anchor = sub.trialEndsAt
  }
  const cycle = cycleContaining(anchor, 1, now, tz, sub.anchorDay)
  return { start: cycle.start, end: until === null ? cycle.end : Math.min(cycle.end, until) }
}

export function freeEntitlement(free: Plan, now: number, tz: string): Entitlement {
  const month = monthBounds(now, tz)
  return {
    planCode: free.code,
    period: 'monthly',
    status: 'free',
    limits: { ...free.limits },
    periodStart: month.start,
    periodEnd: month.end,
    accessEndsAt: null,
    subscriptionId: null
  }
}

export function computeEntitlement(
  sub: Subscription | null,
  plan: Plan | null,
  free: Plan,
  now: number,
  tz: string,
  graceDays: number
): Entitlement {
  if (!sub || !plan) return freeEntitlement(free, now, tz)
  const until = accessEndsAt(sub, tz, graceDays)
  if (until === 'none' || (until !== null && now >= until)) return freeEntitlement(free, now, tz)
  const usage = usagePeriod(sub, now, until, tz)
  return {
    planCode: sub.planCode,
    period: sub.period,
    status: sub.status,
    limits: { ...plan.limits },
    periodStart: usage.start,
    periodEnd: usage.end,
    accessEndsAt: until,
    subscriptionId: sub.id
  }
}

/** Days the user still has on the live subscription, as shown in the app (null = lifetime). */
export function subscriptionDaysRemaining(sub: Subscription | null, now: number, tz: string): number | null {
  if (!sub) return 0
  switch (sub.status) {
    case 'trialing':
    case 'active':
      return daysRemaining(now, sub.currentPeriodEnd, tz)
    case 'past_due':
      return daysRemaining(now, sub.graceUntil ?? now, tz)
    case 'cancelled':
      return sub.cancelAtPeriodEnd ? daysRemaining(now, sub.currentPeriodEnd, tz) : 0
    default:
      return 0
  }
}
