import type { Subscription, SubscriptionService } from '../subscriptions'
import { planRank } from '../../shared/catalog/plans'
import type { FeedData } from '../../shared/relay-contract'

// Mirrors the relay's subscription records into the local subscription (inside the page's
// transaction; every change keyed `feed:<record id>…`). The relay decides (docs/sync.md, "Plan
// grants"): extensions, plan switches with their carried time, and what a refund takes back
// all arrive as dates; here they are applied, never re-derived. On conflict the relay's dates
// win: the period end is aligned to the record's, unless this device has wallet purchases the
// relay has not seen yet (the relay's next record will count them).
//
// - active, bought on this device (its own subscription_purchase): the local subscription has
//   that period already; its end is aligned to the relay's.
// - active, same plan and period as the live subscription (active, trialing, past due): renewed
//   (paid elsewhere), then aligned.
// - active, no live subscription, or another plan or period: switch now, the new period starting
//   when the relay's grant did (a device offline for weeks does not stretch it) and ending when
//   the relay's does (time carried from the old plan included). Lifetime on either side: a live
//   lifetime is replaced only by a lifetime grant of a higher tier; a lifetime grant replaces a
//   periodic plan only of the same or a lower tier (as the relay's switch rule); otherwise the
//   grant reaches the entitlement through the relay's lease (the better of the two applies).
// - replaced: nothing here (the new plan's record, right after it, makes the switch).
// - revoked (a refund): `accessUntil` is when the plan's access now ends: at or before now the
//   live subscription of that plan is cancelled now; later, its period ends then and it is
//   cancelled at that end (no renewal). null: nothing of it was the order's; nothing changes.
// - shortened (carried time refunded): the live subscription of that plan ends at accessUntil.

type Grant = FeedData<'subscription_grant'>

export interface GrantContext {
  /** The record is the relay's answer to this device's own wallet purchase. */
  own: boolean
  /** This device has wallet purchases the relay has not acknowledged. */
  purchasesPending: boolean
}

/** Returns whether the local subscription changed. */
export function applyGrant(subs: SubscriptionService, key: string, g: Grant, now: number, ctx: GrantContext): boolean {
  switch (g.status) {
    case 'replaced':
      return false
    case 'revoked':
    case 'shortened':
      return takeBack(subs, key, g, now)
    case 'active':
      return grant(subs, key, g, now, ctx)
  }
}

function takeBack(subs: SubscriptionService, key: string, g: Grant, now: number): boolean {
  if (g.accessUntil === null) return false
  const live = subs.current()
  if (!live || !hasAccess(live, now) || live.planCode !== g.planCode) return false
  const reason = g.status === 'revoked' ? `order ${g.orderNo} refunded` : `time carried from a refunded order taken back`
  const end = live.currentPeriodEnd
  if (end === null || g.accessUntil <= now) {
    subs.cancel({ key, atPeriodEnd: false, reason, actor: 'relay' })
    return true
  }
  const after = g.accessUntil < end ? subs.shorten({ key: `${key}:shorten`, ms: end - g.accessUntil, reason, actor: 'relay' }) : live
  if (g.status === 'revoked' && after.status !== 'cancelled') subs.cancel({ key, atPeriodEnd: true, reason, actor: 'relay' })
  return true
}

function grant(subs: SubscriptionService, key: string, g: Grant, now: number, ctx: GrantContext): boolean {
  // A grant that already ended (catching up after a long time offline) changes nothing now.
  if (g.endsAt !== null && g.endsAt <= now) return false
  const live = subs.current()
  const running = live !== null && (live.status === 'active' || live.status === 'trialing' || live.status === 'past_due')
  const samePlan = live !== null && live.planCode === g.planCode && live.period === g.period
  if (ctx.own) return running && samePlan && !ctx.purchasesPending ? align(subs, key, g) : false
  const payment = { paymentId: g.orderNo }
  if (running && samePlan) {
    if (g.period === 'lifetime') return false
    subs.renew({ key, payment, actor: 'relay' })
    if (!ctx.purchasesPending) align(subs, key, g)
    return true
  }
  if (live && hasAccess(live, now) && !replaces(live, g)) return false
  if (live && live.status !== 'cancelled') {
    subs.cancel({ key: `${key}:replace`, atPeriodEnd: false, reason: `replaced by ${g.planCode}/${g.period} (order ${g.orderNo})`, actor: 'relay' })
  }
  // The period runs from when the relay granted it, not from when this device heard of it.
  subs.subscribe({ key, planCode: g.planCode, period: g.period, payment, autoRenew: false, actor: 'relay', startsAt: Math.min(g.startsAt, now) })
  align(subs, key, g)
  return true
}

/** Moves the live subscription's period end to the relay's (`endsAt` of the grant). */
function align(subs: SubscriptionService, key: string, g: Grant): boolean {
  const live = subs.current()
  const end = live?.currentPeriodEnd ?? null
  if (!live || end === null || g.endsAt === null || g.endsAt === end) return false
  const reason = `the relay's record of ${g.planCode}/${g.period} (${g.orderNo})`
  if (g.endsAt > end) subs.extend({ key: `${key}:align`, until: g.endsAt, reason, actor: 'relay' })
  else subs.shorten({ key: `${key}:align`, ms: end - g.endsAt, reason, actor: 'relay' })
  return true
}

/** Whether the subscription still gives its plan now (a cancel at period end keeps it to the end). */
function hasAccess(s: Subscription, now: number): boolean {
  if (s.status === 'expired') return false
  if (s.status !== 'cancelled') return true
  return s.cancelAtPeriodEnd && (s.currentPeriodEnd === null || s.currentPeriodEnd > now)
}

/** Whether a grant may take the live subscription's place without losing what it gives. */
function replaces(live: Subscription, g: Grant): boolean {
  const liveLifetime = live.currentPeriodEnd === null
  if (liveLifetime) return g.period === 'lifetime' && planRank(g.planCode) > planRank(live.planCode)
  if (g.period === 'lifetime') return planRank(g.planCode) >= planRank(live.planCode)
  return true
}
