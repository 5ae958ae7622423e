import Decimal from 'decimal.js'
import { addPeriod, type RecurringPeriod, type Subscription, type SubscriptionService } from '../subscriptions'
import { PLAN_CODES } from '../../shared/catalog/plans'
import type { FeedData } from '../../shared/relay-contract'

// Mirrors the relay's plan grants into the local subscription (inside the page's
// transaction; every change keyed `feed:<record id>…`). Rules (docs/sync.md, "Plan grants"):
//
// Active grant
// - same plan and period as the live subscription (active, trialing, past due) → renew it.
// - no live subscription → subscribe, its period starting when the relay's grant did (a
//   device offline for weeks does not stretch it past the relay's grant).
// - another plan or period: switch now, and the unused PAID time of the old subscription
//   (active, or cancelled at period end) becomes extension days of the new one, converted at
//   the two plans' prices per period, rounded up: a downgrade gets more days, an upgrade fewer,
//   no paid value is lost. Trial time was not paid and is not carried.
// - lifetime on either side (a lifetime cannot be extended, and cannot be handed back):
//   a live lifetime is replaced only by a lifetime grant of a higher tier; a lifetime grant
//   replaces a periodic plan only of the same or a lower tier. Otherwise the local mirror
//   keeps what it has and the grant reaches the entitlement through the relay's lease
//   (the better of the two applies).
// Revoked grant (the order was refunded in full): only what that order paid for is taken back.
// - the live subscription has no period paid by that order → nothing changes, unless days
//   carried over from a subscription that order alone paid for are in it: those are taken back.
// - every paid period of it came from that order → cancelled now.
//   Also when it was already cancelled at its period end (by the user, say): the refunded
//   period does not run on to that end.
// - other payments (the wallet, other orders, time carried over) paid for part of it → the
//   time the order paid for that is still ahead is taken back (the period ends that much
//   sooner, never before now) and it is cancelled at the (new) period end: it does not renew,
//   and the time others paid is kept.
// - access already ended (expired, cancelled now, or its period end passed) → nothing changes.

const DAY_MS = 86_400_000
const MAX_CARRY_DAYS = 3650

type Grant = FeedData<'subscription_grant'>

/** Returns whether the local subscription changed. */
export function applyGrant(subs: SubscriptionService, key: string, g: Grant, now: number): boolean {
  return g.status === 'revoked' ? revoke(subs, key, g, now) : grant(subs, key, g, now)
}

function revoke(subs: SubscriptionService, key: string, g: Grant, now: number): boolean {
  const live = subs.current()
  if (!live || !hasAccess(live, now)) return false
  const reason = `order ${g.orderNo} refunded`
  let byOrder = 0
  let byOthers = 0
  const carries: { from: string; days: number }[] = []
  for (const e of subs.history(live.id)) {
    // Taken back already (another record of the same refund).
    if (e.kind === 'shortened' && e.reason === reason) return false
    if (e.kind === 'subscribed' || e.kind === 'renewed' || e.kind === 'auto_renewed') {
      const payment = e.details['payment']
      if (payment === g.orderNo) byOrder++
      else if (payment !== null && payment !== undefined) byOthers++
    } else if (e.kind === 'extended') {
      byOthers++
      const from = e.details['carriedFrom']
      const days = e.details['days']
      if (typeof from === 'string' && typeof days === 'number') carries.push({ from, days })
    }
  }
  if (byOrder === 0) return takeBackCarried(subs, key, g, live, carries, reason)
  if (byOthers === 0 || live.currentPeriodEnd === null) {
    subs.cancel({ key, atPeriodEnd: false, reason, actor: 'relay' })
    return true
  }
  // Others paid for part of it: what this order paid for that is still ahead is taken back (its
  // time already used stays used; later payments keep theirs), and it no longer renews.
  const { ms } = subs.paidBy(live.id, g.orderNo, now)
  const after = ms > 0 ? subs.shorten({ key: `${key}:shorten`, ms, reason, actor: 'relay' }) : live
  if (after.status !== 'cancelled') subs.cancel({ key, atPeriodEnd: true, reason, actor: 'relay' })
  return true
}

/**
 * The order paid for no period of the live subscription, but its unused time was carried into
 * it at a plan switch: those days are taken back when the order paid for all of the
 * subscription they came from (mixed with other payments, which part they were is not known).
 */
function takeBackCarried(
  subs: SubscriptionService,
  key: string,
  g: Grant,
  live: Subscription,
  carries: { from: string; days: number }[],
  reason: string
): boolean {
  let days = 0
  for (const c of carries) {
    const byOrder = subs.paidBy(c.from, g.orderNo).charges
    // Alone: every charge of it by that order, and no days added to it from elsewhere.
    const alone = byOrder > 0 && byOrder === subs.paidBy(c.from).charges && !subs.history(c.from).some((e) => e.kind === 'extended')
    if (alone) days += c.days
  }
  if (days === 0 || live.currentPeriodEnd === null) return false
  subs.shorten({ key: `${key}:shorten`, ms: days * DAY_MS, reason, actor: 'relay' })
  return true
}

function grant(subs: SubscriptionService, key: string, g: Grant, now: number): boolean {
  // A grant that already ended (catching up after a long time offline) changes nothing now.
  if (g.endsAt !== null && g.endsAt <= now) return false
  const payment = { paymentId: g.orderNo }
  const live = subs.current()
  const running = live !== null && (live.status === 'active' || live.status === 'trialing' || live.status === 'past_due')
  if (running && live.planCode === g.planCode && live.period === g.period) {
    if (g.period === 'lifetime') return false
    subs.renew({ key, payment, actor: 'relay' })
    return true
  }
  if (live && hasAccess(live, now) && !replaces(live, g)) return false
  const carry = live ? carriedDays(subs, live, g, now) : 0
  if (live && live.status !== 'cancelled') {
    subs.cancel({ key: `${key}:replace`, atPeriodEnd: false, reason: `replaced by ${g.planCode}/${g.period} (order ${g.orderNo})`, actor: 'relay' })
  }
  // The period runs from when the relay granted it, not from when this device heard of it.
  subs.subscribe({ key, planCode: g.planCode, period: g.period, payment, autoRenew: false, actor: 'relay', startsAt: Math.min(g.startsAt, now) })
  if (carry > 0) {
    subs.extend({
      key: `${key}:carry`,
      days: Math.min(carry, MAX_CARRY_DAYS),
      reason: `unused time of ${live!.planCode}/${live!.period} carried over`,
      actor: 'relay',
      carriedFrom: live!.id
    })
  }
  return true
}

/** Whether the subscription still gives its plan now (a cancel at period end keeps it to the end). */
function hasAccess(s: Subscription, now: number): boolean {
  if (s.status === 'expired') return false
  if (s.status !== 'cancelled') return true
  return s.cancelAtPeriodEnd && (s.currentPeriodEnd === null || s.currentPeriodEnd > now)
}

const tier = (code: string): number => (PLAN_CODES as readonly string[]).indexOf(code)

/** Whether a grant may take the live subscription's place without losing what it gives. */
function replaces(live: Subscription, g: Grant): boolean {
  const liveLifetime = live.currentPeriodEnd === null
  if (liveLifetime) return g.period === 'lifetime' && tier(g.planCode) > tier(live.planCode)
  if (g.period === 'lifetime') return tier(g.planCode) >= tier(live.planCode)
  return true
}

/**
 * The unused paid time of `live` as days of the granted plan, at the two plans' prices per
 * period (decimal.js, rounded up). 0 for trial time, a lapsed period or a lifetime grant.
 */
function carriedDays(subs: SubscriptionService, live: Subscription, g: Grant, now: number): number {
  if (g.period === 'lifetime' || live.currentPeriodEnd === null) return 0
  const paidAccess = live.status === 'active' || (live.status === 'cancelled' && live.cancelAtPeriodEnd)
  const remaining = live.currentPeriodEnd - now
  if (!paidAccess || remaining <= 0 || live.price.amount <= 0) return 0
  const next = subs.getPlan(g.planCode, g.period).price
  const oldSpan = addPeriod(now, live.period as RecurringPeriod) - now
  const newSpan = addPeriod(now, g.period as RecurringPeriod) - now
  let ms = new Decimal(remaining)
  // Same currency: value for value; otherwise (no rate here) time for time.
  if (next.currency === live.price.currency && next.amount > 0) {
    ms = ms.mul(live.price.amount).mul(newSpan).div(new Decimal(oldSpan).mul(next.amount))
  }
  return ms.div(DAY_MS).ceil().toNumber()
}
