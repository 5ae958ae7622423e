import type { IdSource } from '../../node/ids'
import { InsufficientFunds, InvalidInput } from '../../shared/errors'
import { subtract, type Money } from '../../shared/money'
import { addDays, addPeriod } from '../../shared/calendar'
import type { RecurringPeriod } from '../../shared/catalog/periods'
import { assertTransition } from './states'
import type { SubscriptionStore } from './store'
import type {
  Actor,
  PaymentSource,
  Subscription,
  SubscriptionCharge,
  SubscriptionEvent,
  SubscriptionEventKind,
  SubscriptionRecord,
  CouponPort,
  WalletPayResult,
  WalletPort
} from './types'

// The write machinery under every operation: one guarded way to change a subscription
// (transition table, periods never backwards but for a refund's shortening, history row, sync hook), the charge for a
// period, and the sweep's one step for a due subscription.

export interface Ctx {
  now: number
  /** The request's idempotency key; null for the sweep. */
  key: string | null
  actor: Actor
}

export interface Changed {
  sub: Subscription
  event: SubscriptionEvent
}

export interface ChangeDeps {
  store: SubscriptionStore
  ids: IdSource
  walletPort: WalletPort
  coupons?: CouponPort | undefined
  tz: string
  graceDays: number
  onRecord?: ((record: SubscriptionRecord) => void) | undefined
  /** What renewing `sub` costs now: its plan's price in the catalog in force here. */
  renewalPrice: (sub: Subscription) => Money
  /** The catalog version the plans' prices come from now. */
  catalogVersion: () => number
}

export function createChanges(deps: ChangeDeps) {
  const { store, ids, walletPort, tz, graceDays } = deps
  // The charge payOnce made in this change, reported with the change's event (then cleared).
  let paid: SubscriptionCharge | undefined
  // The coupon payOnce took for the charge it is making (read by charge() when the wallet is short).
  let couponTaken: { grantId: string; discount: Money } | undefined
  const takeCharge = (): { charge?: SubscriptionCharge } => {
    const c = paid
    paid = undefined
    return c ? { charge: c } : {}
  }

  function change(
    before: Subscription,
    patch: Partial<Subscription>,
    kind: SubscriptionEventKind,
    ctx: Ctx,
    reason: string | null,
    details: Record<string, unknown> = {}
  ): Changed {
    const next: Subscription = { ...before, ...patch, version: before.version + 1, updatedAt: ctx.now }
    if (before.status !== next.status) assertTransition(before.status, next.status)
    // Only a refund's 'shortened' moves an end back (service.shorten: never before now).
    if (
      next.currentPeriodStart < before.currentPeriodStart ||
      (before.currentPeriodEnd !== null &&
        (next.currentPeriodEnd === null || (next.currentPeriodEnd < before.currentPeriodEnd && kind !== 'shortened')))
    ) {
      throw new Error('internal: a subscription period may never move backwards')
    }
    store.update(next)
    const event = store.appendEvent({
      subscriptionId: next.id,
      kind,
      from: before.status,
      to: next.status,
      actor: ctx.actor,
      reason,
      requestKey: ctx.key,
      details,
      at: ctx.now
    }, next)
    deps.onRecord?.({ type: 'subscription.changed', subscription: next, event, ...takeCharge() })
    return { sub: next, event }
  }

  /**
   * Takes `price` for [periodStart, periodEnd). Throws InsufficientFunds when the wallet is
   * short, or the wallet's own refusal (e.g. paid use paused).
   */
  function charge(
    sub: Subscription,
    source: PaymentSource,
    walletKey: string,
    kind: string,
    periodStart: number,
    periodEnd: number | null,
    now: number,
    couponGrantId?: string
  ): void {
    const result = payOnce(sub, source, walletKey, kind, periodStart, periodEnd, now, couponGrantId)
    if (!result.paid) {
      if ('refused' in result) throw result.refused
      // What was asked of the wallet: the list price less the coupon (rolled back with the rest).
      const required = sub.price.amount - (couponTaken?.discount.amount ?? 0)
      couponTaken = undefined
      throw new InsufficientFunds({
        balance: required - result.shortfall.amount,
        required,
        shortfall: result.shortfall.amount,
        currency: sub.price.currency
      })
    }
  }

  function payOnce(
    sub: Subscription,
    source: PaymentSource,
    walletKey: string,
    kind: string,
    periodStart: number,
    periodEnd: number | null,
    now: number,
    couponGrantId?: string
  ): WalletPayResult {
    let price: Money = sub.price
    const ref = source === 'wallet' ? `wallet:${walletKey}` : `payment:${source.paymentId}`
    if (store.chargeExists(ref)) {
      throw new InvalidInput('this payment was already applied to a subscription', { paymentRef: ref })
    }
    couponTaken = undefined
    if (couponGrantId !== undefined) {
      if (source !== 'wallet') throw new InvalidInput('a coupon applies to a plan paid from the wallet', { couponGrantId })
      if (!deps.coupons) throw new InvalidInput('coupons are not available here', { couponGrantId })
      // Checked and spent in this transaction: a short wallet rolls the use back with the rest.
      couponTaken = deps.coupons.redeem(couponGrantId, { planCode: sub.planCode, period: sub.period, list: price, now }, ref)
      price = subtract(price, couponTaken.discount)
    }
    if (source === 'wallet' && price.amount > 0) {
      const reason = `${sub.planCode} ${sub.period} subscription ${kind}`
      const res = walletPort.pay({ key: walletKey, amount: price, reason })
      if (!res.paid) return res
    }
    const c: SubscriptionCharge = {
      id: ids.next(),
      subscriptionId: sub.id,
      kind,
      source: source === 'wallet' ? 'wallet' : 'payment',
      paymentRef: ref,
      amount: price,
      periodStart,
      periodEnd,
      at: now,
      catalogVersion: deps.catalogVersion(),
      ...(couponTaken ? { coupon: couponTaken } : {})
    }
    store.insertCharge({ ...c, amountMinor: price.amount, currency: price.currency })
    paid = c
    couponTaken = undefined
    return { paid: true }
  }

  function nextEnd(sub: Subscription, from: number): number {
    return addPeriod(from, sub.period as RecurringPeriod, tz, sub.anchorDay)
  }

  /** One due step of the sweep for `sub`, or null when nothing is due at `now`. */
  function sweepStep(sub: Subscription, now: number): Changed | null {
    const ctx: Ctx = { now, key: null, actor: 'system' }
    const end = sub.currentPeriodEnd
    const renewal = (): Changed | WalletPayResult => {
      const due = end as number
      const newEnd = nextEnd(sub, due)
      // The period renewed costs the catalog's price now, recorded on the subscription.
      const price = deps.renewalPrice(sub)
      // `now` in the key: a retry after a top-up is a new wallet request; the charge and
      // the status change commit together, so one period is never paid twice.
      const res = payOnce({ ...sub, price }, 'wallet', `subscription:${sub.id}:renewal:${due}:${now}`, 'auto_renew', due, newEnd, now)
      if (!res.paid) return res
      return change(
        sub,
        { status: 'active', price, currentPeriodStart: due, currentPeriodEnd: newEnd, graceUntil: null },
        'auto_renewed',
        ctx,
        null,
        { periodStart: due, periodEnd: newEnd, amount: price.amount, currency: price.currency }
      )
    }
    switch (sub.status) {
      case 'trialing':
      case 'active': {
        if (end === null || now < end) return null
        if (!sub.autoRenew) return change(sub, { status: 'expired', endedAt: end }, 'expired', ctx, 'period ended without auto-renew')
        const r = renewal()
        if ('sub' in r) return r
        // Short, or refused for now (paid use paused): either way not paid; past due retries.
        // A trial has no past due: refused for now, it waits for the next sweep (its access
        // ends at the trial end meanwhile); short, it expires.
        if ('refused' in r && sub.status === 'trialing') return null
        const failure = 'refused' in r ? { refused: r.refused.code } : { shortfall: (r as { shortfall: Money }).shortfall.amount }
        if (sub.status === 'trialing') {
          return change(sub, { status: 'expired', endedAt: end }, 'expired', ctx, 'trial ended and the first payment failed', failure)
        }
        const graceUntil = addDays(end, graceDays, tz)
        const why = 'refused' in r ? `the wallet refused the renewal: ${r.refused.code}` : 'wallet balance does not cover the renewal'
        return change(sub, { status: 'past_due', graceUntil }, 'renewal_failed', ctx, why, { ...failure, graceUntil })
      }
      case 'past_due': {
        const graceUntil = sub.graceUntil ?? (end as number)
        if (now >= graceUntil) return change(sub, { status: 'expired', endedAt: graceUntil }, 'expired', ctx, 'grace period ended unpaid')
        if (!sub.autoRenew) return null
        const r = renewal()
        return 'sub' in r ? r : null
      }
      case 'cancelled': {
        const accessEnd = sub.cancelAtPeriodEnd ? end : sub.cancelledAt
        if (accessEnd === null || now < accessEnd) return null
        return change(sub, { status: 'expired', endedAt: accessEnd }, 'expired', ctx, 'cancelled subscription ended')
      }
      default:
        return null
    }
  }

  return { change, charge, payOnce, nextEnd, sweepStep, takeCharge }
}
