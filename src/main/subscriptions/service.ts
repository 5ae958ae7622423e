import { planRank } from '../../shared/catalog'
import { fingerprint, replayOf } from '../../node/fingerprint'
import { InvalidInput, InvalidTransition, NotFound } from '../../shared/errors'
import { computeEntitlement, subscriptionDaysRemaining } from './entitlement'
import {
  addDays,
  addPeriod,
  addPeriods,
  anchorDayOf,
  assertTimeZone,
  DEFAULT_BILLING_TZ
} from '../../shared/calendar'
import type { BillingPeriod } from '../../shared/catalog/periods'
import type { CatalogDocument } from '../../shared/catalog'
import type { Money } from '../../shared/money'
import { assertPlanKey, createPlanCatalog, FREE_PLAN_CODE, seedPlans, type Plan } from './plans'
import { assertOperation, assertTransition } from './states'
import { createChanges, type Ctx } from './changes'
import { createStore } from './store'
import { chainMemory, type ChainHead } from './chain'
import { verifySubscriptions, type SubscriptionVerifyReport } from './verify'
import type {
  Actor,
  CancelInput,
  ShortenInput,
  Entitlement,
  ExtendInput,
  ReactivateInput,
  RenewInput,
  ResumeInput,
  SetAutoRenewInput,
  SubscribeInput,
  Subscription,
  SubscriptionDeps,
  SubscriptionEvent,
  SuspendInput,
  SweepResult
} from './types'
import {
  assertActor,
  assertBoolean,
  assertIntInRange,
  assertKey,
  assertPayment,
  assertReason,
  optionalBoolean,
  optionalGrantId,
  optionalReason
} from './validate'

export const DEFAULT_GRACE_DAYS = 3
/** A sweep after a long time offline renews period by period; this bounds one call. */
const MAX_SWEEP_STEPS = 1000

export interface SubscriptionService {
  readonly timeZone: string
  readonly graceDays: number
  listPlans(opts?: { activeOnly?: boolean }): Plan[]
  getPlan(code: string, period: BillingPeriod): Plan
  setPlanActive(code: string, period: BillingPeriod, active: boolean): Plan
  /** The catalog in force on this device: the newest version from the relay, else the built-in one. */
  catalog(): CatalogDocument
  /** Its version id (1: built-in), for what a purchase records it was priced by. */
  currentCatalogVersion(): number
  /**
   * Applies a newer catalog version (the relay's signed `catalog` record): plans follow it,
   * recorded for verify(). Live subscriptions keep their price until they renew. An older or
   * equal version changes nothing (false).
   */
  applyCatalog(doc: CatalogDocument): boolean

  subscribe(input: SubscribeInput): Subscription
  /**
   * Buys a plan from the wallet, whatever runs now: nothing live (or cancelled) → subscribe; the
   * same plan and period running (a trial, or paid) → one more period paid now (a trial keeps its
   * remaining days; it is appended after them); another plan → a switch: the current one ends now
   * and the new one starts, in one transaction (short of money: neither happens; the relay then
   * carries the old plan's unused paid time over, docs/sync.md "Plan grants"). A lifetime gives way
   * only to a lifetime of a higher tier. `couponGrantId`: an account-bound coupon (src/main/coupons),
   * checked by the device clock and marked used with the charge; the wallet pays list − discount.
   */
  buyFromWallet(input: { key: string; planCode: string; period: BillingPeriod; couponGrantId?: string }): Subscription
  renew(input: RenewInput): Subscription
  extend(input: ExtendInput): Subscription
  /** Cancel now or at the period end; a pending cancel at the period end may become a cancel now. */
  cancel(input: CancelInput): Subscription
  /** Takes back the time a refunded payment paid for (see ShortenInput). */
  shorten(input: ShortenInput): Subscription
  /**
   * How many charges a payment made to a subscription (or all its charges), and the time they
   * paid for that is still ahead: from `from` (default: the clock's now) to the current period end.
   */
  paidBy(subscriptionId: string, paymentId?: string, from?: number): { ms: number; charges: number }
  setAutoRenew(input: SetAutoRenewInput): Subscription
  reactivate(input: ReactivateInput): Subscription
  suspend(input: SuspendInput): Subscription
  resume(input: ResumeInput): Subscription
  /**
   * Renews, expires and ends what is due at `now`, one transaction. `maxSteps` bounds the
   * steps (a period renewed, a status changed) in it; `more` says steps were still due.
   */
  sweep(now?: number, maxSteps?: number): SweepResult

  /** The account's live (not expired) subscription, or null. */
  current(): Subscription | null
  get(id: string): Subscription
  list(): Subscription[]
  /** Append-only history, oldest first; of one subscription or of all. */
  history(subscriptionId?: string): SubscriptionEvent[]
  daysRemaining(now?: number): number | null
  entitlement(now?: number): Entitlement
  /**
   * Walks the hash-chained history and checks every subscription row against the state its
   * latest event recorded, and the plan catalog against the built-in one, the catalog versions
   * applied and the recorded changes (`from`: only the events after a verified checkpoint).
   */
  verify(from?: ChainHead): SubscriptionVerifyReport
}

export function createSubscriptions(deps: SubscriptionDeps): SubscriptionService {
  const { db, clock, ids } = deps
  const tz = assertTimeZone(deps.timeZone ?? DEFAULT_BILLING_TZ)
  const graceDays = assertIntInRange(deps.graceDays ?? DEFAULT_GRACE_DAYS, 'graceDays', 0, 365)
  seedPlans(db, clock)
  const catalog = createPlanCatalog(db, clock)
  const store = createStore(db)
  const chain = chainMemory(db, store.readTail)
  // A renewal costs the plan's price in the catalog in force now (a plan dropped from the
  // catalog keeps its last row, so this finds it); the live period kept what it paid.
  const renewalPrice = (sub: Subscription): Money => catalog.findPlan(sub.planCode, sub.period)?.price ?? sub.price
  const { change, charge, nextEnd, sweepStep, takeCharge } = createChanges({
    store,
    ids,
    walletPort: deps.walletPort,
    coupons: deps.coupons,
    tz,
    graceDays,
    onRecord: deps.onRecord,
    renewalPrice,
    catalogVersion: () => catalog.document().version
  })

  /** `sub` cancelled now or at its period end: one 'cancelled' event with `details` added. */
  function cancelled(sub: Subscription, ctx: Ctx, reason: string, atPeriodEnd: boolean, details: Record<string, unknown>): Subscription {
    return change(
      sub,
      { status: 'cancelled', cancelAtPeriodEnd: atPeriodEnd, cancelReason: reason, cancelledAt: ctx.now, autoRenew: false, graceUntil: null },
      'cancelled',
      ctx,
      reason,
      { atPeriodEnd, accessUntil: atPeriodEnd ? sub.currentPeriodEnd : ctx.now, ...details }
    ).sub
  }

  // Entitlement is read on every quota check: keep the last answer while `now` stays in its
  // usage period. Every write of this service drops it.
  let cached: { value: Entitlement; from: number; until: number } | null = null

  function mutate(op: string, input: { key: string; actor?: Actor }, defaultActor: Actor, run: (ctx: Ctx) => Subscription): Subscription {
    const key = assertKey(input.key)
    const actor = assertActor(input.actor, defaultActor)
    const fp = fingerprint({ ...input, op, actor, key: undefined })
    cached = null
    try {
      return write(() => {
        const prior = replayOf(key, fp, store.getRequest(key), (request) => JSON.parse(request.result ?? 'null') as Subscription)
        if (prior !== undefined) return prior
        const now = clock.now()
        store.insertRequest(key, op, fp, now)
        const result = run({ now, key, actor })
        store.setRequestResult(key, JSON.stringify(result))
        return result
      })
    } finally {
      cached = null
    }
  }

  /** One write transaction; the chain head in memory follows only after it commits. */
  function write<T>(fn: () => T): T {
    const nested = chain.nested
    store.takeAppended()
    try {
      const out = db.tx(fn)
      chain.settle(store.takeAppended(), nested)
      return out
    } catch (err) {
      store.takeAppended()
      throw err
    }
  }

  function requireLive(): Subscription {
    const sub = store.live()
    if (!sub) throw new NotFound('subscription', 'current')
    return sub
  }

  const service: SubscriptionService = {
    timeZone: tz,
    graceDays,
    listPlans: (opts) => catalog.listPlans(opts),
    getPlan: (code, period) => catalog.getPlan(code, period),
    setPlanActive(code, period, active) {
      cached = null
      return catalog.setPlanActive(code, period, active)
    },
    catalog: () => catalog.document(),
    currentCatalogVersion: () => catalog.document().version,
    applyCatalog(doc) {
      cached = null
      try {
        return catalog.applyDocument(doc)
      } finally {
        cached = null
      }
    },

    subscribe(input) {
      assertPlanKey(input.planCode, input.period)
      const trial = optionalBoolean(input.trial, 'trial') ?? false
      const autoRenewIn = optionalBoolean(input.autoRenew, 'autoRenew')
      if (trial && input.payment !== undefined) throw new InvalidInput('a trial takes no payment')
      const coupon = optionalGrantId(input.couponGrantId)
      if (!trial && input.payment === undefined) throw new InvalidInput('payment is required unless starting a trial')
      const payment = trial ? null : assertPayment(input.payment)
      if (input.period === 'lifetime' && autoRenewIn === true) throw new InvalidInput('a lifetime plan does not renew')
      const startsAtIn = input.startsAt
      if (startsAtIn !== undefined) {
        if (!Number.isSafeInteger(startsAtIn) || startsAtIn < 0) throw new InvalidInput('startsAt must be a time in ms')
        if (payment === null || payment === 'wallet') throw new InvalidInput('only a payment made elsewhere can start a period earlier')
      }
      return mutate('subscribe', input, 'user', (ctx) => {
        const plan = catalog.getPlan(input.planCode, input.period)
        if (plan.code === FREE_PLAN_CODE) throw new InvalidInput('the FREE plan needs no subscription')
        if (!plan.active) throw new InvalidInput(`plan ${plan.code}/${plan.period} is not offered`, { planCode: plan.code })
        if (trial && plan.trialDays <= 0) throw new InvalidInput(`plan ${plan.code}/${plan.period} has no trial`)
        if (trial && (store.trialUsed(plan.code) || deps.trialUsedElsewhere?.(plan.code) === true)) throw new InvalidInput(`the ${plan.code} trial was already used`)
        const current = store.live()
        if (current) {
          // Resubscribing replaces a cancelled subscription (its remaining days end now);
          // a live one must be cancelled first.
          if (current.status !== 'cancelled') throw new InvalidTransition('subscription', current.status, 'subscribe')
          change(current, { status: 'expired', endedAt: ctx.now }, 'expired', ctx, 'replaced by a new subscription')
        }
        const now = ctx.now
        // The paid period's start: now, or earlier for a payment confirmed while offline.
        const start = startsAtIn === undefined ? now : Math.min(startsAtIn, now)
        const end = trial ? addDays(now, plan.trialDays, tz) : addPeriod(start, plan.period, tz)
        if (end !== null && end <= now) throw new InvalidInput('the period that payment started has already ended', { startsAt: start })
        const sub: Subscription = {
          id: ids.next(),
          planCode: plan.code,
          period: plan.period,
          status: trial ? 'trialing' : 'active',
          price: plan.price,
          autoRenew: plan.period === 'lifetime' ? false : (autoRenewIn ?? true),
          // Paid periods land on the day they started; after a trial, on the trial's end day.
          anchorDay: anchorDayOf(trial && end !== null ? end : start, tz),
          startedAt: start,
          trialEndsAt: trial ? end : null,
          currentPeriodStart: start,
          currentPeriodEnd: end,
          graceUntil: null,
          cancelAtPeriodEnd: false,
          cancelReason: null,
          cancelledAt: null,
          endedAt: null,
          version: 1,
          createdAt: now,
          updatedAt: now
        }
        store.insert(sub)
        if (payment) charge(sub, payment, `subscription:subscribe:${ctx.key}`, 'subscribe', start, end, now, coupon)
        const event = store.appendEvent({
          subscriptionId: sub.id,
          kind: trial ? 'trial_started' : 'subscribed',
          from: null,
          to: sub.status,
          actor: ctx.actor,
          reason: null,
          requestKey: ctx.key,
          details: {
            planCode: plan.code,
            period: plan.period,
            amount: trial ? 0 : plan.price.amount,
            currency: plan.price.currency,
            payment: payment === null ? null : payment === 'wallet' ? 'wallet' : payment.paymentId
          },
          at: now
        }, sub)
        deps.onRecord?.({ type: 'subscription.changed', subscription: sub, event, ...takeCharge() })
        return sub
      })
    },

    buyFromWallet({ key, planCode, period, couponGrantId }) {
      const live = store.live()
      const running = live !== null && (live.status === 'active' || live.status === 'trialing' || live.status === 'past_due')
      const coupon = couponGrantId === undefined ? {} : { couponGrantId }
      if (running && live.planCode === planCode && live.period === period && live.currentPeriodEnd !== null) {
        return service.renew({ key, payment: 'wallet', ...coupon })
      }
      if (!running) return service.subscribe({ key, planCode, period, payment: 'wallet', ...coupon })
      if (live.currentPeriodEnd === null && !(period === 'lifetime' && planRank(planCode) > planRank(live.planCode))) {
        throw new InvalidTransition('subscription', 'lifetime', 'switched')
      }
      return db.tx(() => {
        service.cancel({ key: `${key}:switch`, atPeriodEnd: false, reason: `switched to ${planCode}/${period}` })
        return service.subscribe({ key, planCode, period, payment: 'wallet', ...coupon })
      })
    },

    renew(input) {
      const payment = assertPayment(input.payment)
      const coupon = optionalGrantId(input.couponGrantId)
      return mutate('renew', input, 'user', (ctx) => {
        const sub = requireLive()
        assertOperation('renew', sub.status)
        if (sub.currentPeriodEnd === null) throw new InvalidInput('a lifetime plan does not renew')
        const oldEnd = sub.currentPeriodEnd
        const newEnd = nextEnd(sub, oldEnd)
        // past_due pays the period that fell due (grace days are not free); trialing and
        // active append one period after the current end (a trial keeps its remaining days).
        const start = sub.status === 'past_due' ? oldEnd : sub.currentPeriodStart
        const price = renewalPrice(sub)
        charge({ ...sub, price }, payment, `subscription:renew:${ctx.key}`, 'renew', oldEnd, newEnd, ctx.now, coupon)
        return change(
          sub,
          { status: 'active', price, currentPeriodStart: start, currentPeriodEnd: newEnd, graceUntil: null },
          'renewed',
          ctx,
          null,
          {
            periodEnd: newEnd,
            amount: price.amount,
            currency: price.currency,
            payment: payment === 'wallet' ? 'wallet' : payment.paymentId
          }
        ).sub
      })
    },

    extend(input) {
      const given = [input.periods, input.days, input.until].filter((v) => v !== undefined).length
      if (given !== 1) throw new InvalidInput('give exactly one of periods, days or until')
      const periods = input.periods !== undefined ? assertIntInRange(input.periods, 'periods', 1, 120) : null
      const days = input.days !== undefined ? assertIntInRange(input.days, 'days', 1, 3650) : null
      const until = input.until !== undefined ? assertIntInRange(input.until, 'until', 0, Number.MAX_SAFE_INTEGER) : null
      const reason = optionalReason(input.reason)
      return mutate('extend', input, 'admin', (ctx) => {
        const sub = requireLive()
        assertOperation('extend', sub.status)
        if (sub.currentPeriodEnd === null) throw new InvalidInput('a lifetime plan cannot be extended')
        const oldEnd = sub.currentPeriodEnd
        if (until !== null && until <= oldEnd) throw new InvalidInput('until must be after the current period end', { until, periodEnd: oldEnd })
        const end =
          periods !== null ? (addPeriods(oldEnd, sub.period, periods, tz, sub.anchorDay) as number) : days !== null ? addDays(oldEnd, days, tz) : (until as number)
        const patch: Partial<Subscription> = { currentPeriodEnd: end }
        if (periods === null) patch.anchorDay = anchorDayOf(end, tz)
        if (sub.status === 'trialing') patch.trialEndsAt = end
        if (sub.status === 'past_due') {
          if (end > ctx.now) Object.assign(patch, { status: 'active', graceUntil: null })
          else patch.graceUntil = addDays(end, graceDays, tz)
        }
        const carried = input.carriedFrom === undefined ? {} : { carriedFrom: assertKey(input.carriedFrom) }
        return change(sub, patch, 'extended', ctx, reason, { periods, days, until, previousEnd: oldEnd, periodEnd: end, ...carried }).sub
      })
    },

    cancel(input) {
      const atPeriodEnd = assertBoolean(input.atPeriodEnd, 'atPeriodEnd')
      const reason = assertReason(input.reason)
      return mutate('cancel', input, 'user', (ctx) => {
        const sub = requireLive()
        // A cancel at the period end may still become a cancel now while that end is ahead (a
        // refund takes the paid period back); it only ever shortens access. Nothing else re-cancels.
        const endsPendingCancel = sub.status === 'cancelled' && sub.cancelAtPeriodEnd && !atPeriodEnd
        if (endsPendingCancel) {
          if (sub.currentPeriodEnd === null || sub.currentPeriodEnd <= ctx.now) throw new InvalidTransition('subscription', 'cancelled', 'cancelled')
        } else {
          assertTransition(sub.status, 'cancelled')
        }
        if (atPeriodEnd && sub.currentPeriodEnd === null) {
          throw new InvalidInput('a lifetime plan has no period end; cancel now instead')
        }
        return cancelled(sub, ctx, reason, atPeriodEnd, endsPendingCancel ? { previouslyAtPeriodEnd: true } : {})
      })
    },

    shorten(input) {
      const ms = assertIntInRange(input.ms, 'ms', 1, 3650 * 86_400_000)
      const reason = assertReason(input.reason)
      return mutate('shorten', input, 'admin', (ctx) => {
        const sub = requireLive()
        const end = sub.currentPeriodEnd
        if (end === null) throw new InvalidInput('a lifetime plan has no period to shorten; cancel now instead')
        const running = sub.status === 'trialing' || sub.status === 'active' || (sub.status === 'cancelled' && sub.cancelAtPeriodEnd)
        if (!running || end <= ctx.now) throw new InvalidTransition('subscription', sub.status, 'shorten')
        const target = end - ms
        if (target <= ctx.now) {
          // Nothing of the period is left: access ends now.
          return cancelled(sub, ctx, reason, false, { shortenedBy: ms })
        }
        const patch: Partial<Subscription> = { currentPeriodEnd: target }
        if (sub.trialEndsAt !== null && sub.trialEndsAt > target) patch.trialEndsAt = target
        return change(sub, patch, 'shortened', ctx, reason, { ms, previousEnd: end, periodEnd: target }).sub
      })
    },

    paidBy(subscriptionId, paymentId, from) {
      const sub = store.byId(subscriptionId)
      const until = sub?.currentPeriodEnd ?? Number.MAX_SAFE_INTEGER
      const r = store.paidSpan(subscriptionId, paymentId === undefined ? undefined : `payment:${paymentId}`, from ?? clock.now(), until)
      return { ms: r.ms, charges: r.n }
    },

    setAutoRenew(input) {
      const autoRenew = assertBoolean(input.autoRenew, 'autoRenew')
      return mutate('setAutoRenew', input, 'user', (ctx) => {
        const sub = requireLive()
        assertOperation('setAutoRenew', sub.status)
        if (sub.currentPeriodEnd === null && autoRenew) throw new InvalidInput('a lifetime plan does not renew')
        if (sub.autoRenew === autoRenew) return sub
        return change(sub, { autoRenew }, 'auto_renew_changed', ctx, null, { autoRenew }).sub
      })
    },

    reactivate(input) {
      const autoRenew = optionalBoolean(input.autoRenew, 'autoRenew') ?? true
      return mutate('reactivate', input, 'user', (ctx) => {
        const sub = requireLive()
        if (sub.status !== 'cancelled') throw new InvalidTransition('subscription', sub.status, 'reactivate')
        const end = sub.currentPeriodEnd
        // Only an unexpired cancel-at-period-end of a paid period can be undone.
        if (!sub.cancelAtPeriodEnd || end === null || ctx.now >= end) throw new InvalidTransition('subscription', 'cancelled', 'active')
        if (sub.trialEndsAt !== null && sub.trialEndsAt === end) throw new InvalidTransition('subscription', 'cancelled', 'trialing')
        return change(
          sub,
          { status: 'active', cancelAtPeriodEnd: false, cancelReason: null, cancelledAt: null, autoRenew },
          'reactivated',
          ctx,
          null,
          { autoRenew }
        ).sub
      })
    },

    suspend(input) {
      const reason = assertReason(input.reason)
      return mutate('suspend', input, 'admin', (ctx) => {
        const sub = requireLive()
        assertTransition(sub.status, 'suspended')
        return change(sub, { status: 'suspended' }, 'suspended', ctx, reason).sub
      })
    },

    resume(input) {
      const reason = optionalReason(input.reason)
      return mutate('resume', input, 'admin', (ctx) => {
        const sub = requireLive()
        if (sub.status !== 'suspended') throw new InvalidTransition('subscription', sub.status, 'resume')
        // Time does not stop while suspended: a period that ended meanwhile is over.
        if (sub.currentPeriodEnd !== null && ctx.now >= sub.currentPeriodEnd) {
          return change(sub, { status: 'expired', endedAt: ctx.now, graceUntil: null }, 'expired', ctx, reason ?? 'period ended while suspended').sub
        }
        return change(sub, { status: 'active', graceUntil: null }, 'resumed', ctx, reason).sub
      })
    },

    sweep(now = clock.now(), maxSteps = MAX_SWEEP_STEPS) {
      if (!Number.isSafeInteger(now)) throw new InvalidInput('now must be integer epoch milliseconds', { now })
      if (!Number.isSafeInteger(maxSteps) || maxSteps < 1) throw new InvalidInput('maxSteps must be a whole number ≥ 1', { maxSteps })
      cached = null
      try {
        return write(() => {
          const events: SubscriptionEvent[] = []
          let more = false
          // Each step leaves committed state, so stopping anywhere leaves the next sweep to go on from it.
          // A step writes as it is taken, so the bound is checked before each (more may then be
          // a false alarm: one sweep more that finds nothing).
          outer: for (let sub of store.liveAll()) {
            for (;;) {
              if (events.length >= maxSteps) {
                more = true
                break outer
              }
              const step = sweepStep(sub, now)
              if (!step) break
              sub = step.sub
              events.push(step.event)
            }
          }
          return { events, more }
        })
      } finally {
        cached = null
      }
    },

    current: () => store.live(),
    get(id) {
      const sub = typeof id === 'string' ? store.byId(id) : null
      if (!sub) throw new NotFound('subscription', String(id))
      return sub
    },
    list: () => store.all(),
    history: (subscriptionId) => store.events(subscriptionId),
    daysRemaining: (now = clock.now()) => subscriptionDaysRemaining(store.live(), now, tz),

    verify: (from) => verifySubscriptions(db, chain.nested ? null : chain.head, from),

    entitlement(now = clock.now()) {
      if (cached && now >= cached.from && now < cached.until) return cached.value
      const sub = store.live()
      const plan = sub ? catalog.findPlan(sub.planCode, sub.period) : null
      const free = catalog.findPlan(FREE_PLAN_CODE, 'monthly')
      if (!free) throw new NotFound('plan', `${FREE_PLAN_CODE}/monthly`)
      const computed = computeEntitlement(sub, plan, free, now, tz, graceDays)
      Object.freeze(computed.limits)
      const value = Object.freeze(computed)
      cached = { value, from: value.periodStart, until: value.periodEnd }
      return value
    }
  }
  return service
}
