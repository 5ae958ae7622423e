import { BillingError, InvalidTransition } from '../../shared/errors'
import { planRank } from '../../shared/catalog'
import type { Handlers } from '../../shared/ipc/server'
import { money } from '../../shared/money'
import type { Billing } from '../billing'
import type { BillingPeriod, Subscription } from '../subscriptions'
import { MAX_REASON_LENGTH } from '../subscriptions'
import { parsePlanId } from '../../shared/ipc/plan-id'
import { toPlanDto, toSubscriptionDto } from './mapping'
import type { Notifier } from './notify'

type SubscriptionChannels =
  | 'plans.list'
  | 'subscription.current'
  | 'subscription.subscribe'
  | 'subscription.startTrial'
  | 'subscription.cancel'
  | 'subscription.setAutoRenew'

export function subscriptionHandlers<S>(billing: Billing, notify: Notifier): Pick<Handlers<S>, SubscriptionChannels> {
  const subs = billing.subscriptions
  const changed = <T>(value: T, walletToo = false): T => {
    notify.subscriptionChanged()
    if (walletToo) notify.balanceChanged()
    return value
  }
  return {
    'plans.list': () => ({ plans: subs.listPlans({ activeOnly: true }).map(toPlanDto) }),
    'subscription.current'() {
      const s = subs.current()
      return { subscription: s ? toSubscriptionDto(s) : null }
    },
    'subscription.subscribe'({ idempotencyKey, planId }) {
      const { planCode, period } = parsePlanId(planId)
      try {
        const s = payFromWallet(billing, idempotencyKey, planCode, period)
        return changed({ outcome: 'subscribed' as const, subscription: toSubscriptionDto(s) }, true)
      } catch (err) {
        // The wallet fell short (or the offline allowance did: same code): nothing was written;
        // the renderer offers a recharge.
        if (!(err instanceof BillingError) || err.code !== 'INSUFFICIENT_FUNDS' || !err.details) throw err
        const d = err.details as { required: number; shortfall: number; currency: string }
        return {
          outcome: 'needs_recharge' as const,
          price: money(d.required, d.currency),
          shortfall: money(d.shortfall, d.currency)
        }
      }
    },
    'subscription.startTrial'({ idempotencyKey, planId }) {
      const { planCode, period } = parsePlanId(planId)
      return changed(toSubscriptionDto(subs.subscribe({ key: idempotencyKey, planCode, period, trial: true })))
    },
    'subscription.cancel'({ idempotencyKey, reason, note, atPeriodEnd }) {
      const text = (note ? `${reason}: ${note}` : reason).slice(0, MAX_REASON_LENGTH)
      return changed(toSubscriptionDto(subs.cancel({ key: idempotencyKey, atPeriodEnd, reason: text })))
    },
    'subscription.setAutoRenew'({ idempotencyKey, enabled }) {
      return changed(toSubscriptionDto(subs.setAutoRenew({ key: idempotencyKey, autoRenew: enabled })))
    }
  }
}

/**
 * Buying a plan from the wallet, whatever runs now: nothing live (or cancelled) → subscribe; the
 * same plan and period running (a trial, or paid) → one more period paid now (a trial keeps its
 * remaining days; it is appended after them); another plan → a switch: the current one ends now
 * and the new one starts, in one transaction (short of money: neither happens). The relay then
 * carries the old plan's unused paid time into the new one (docs/sync.md, "Plan grants").
 */
function payFromWallet(billing: Billing, key: string, planCode: string, period: BillingPeriod): Subscription {
  const subs = billing.subscriptions
  const live = subs.current()
  const running = live !== null && (live.status === 'active' || live.status === 'trialing' || live.status === 'past_due')
  if (running && live.planCode === planCode && live.period === period && live.currentPeriodEnd !== null) {
    return subs.renew({ key, payment: 'wallet' })
  }
  if (!running) return subs.subscribe({ key, planCode, period, payment: 'wallet' })
  // A lifetime is never handed back for less: only a lifetime of a higher tier replaces it.
  if (live.currentPeriodEnd === null && !(period === 'lifetime' && planRank(planCode) > planRank(live.planCode))) {
    throw new InvalidTransition('subscription', 'lifetime', 'switched')
  }
  return billing.db.tx(() => {
    subs.cancel({ key: `${key}:switch`, atPeriodEnd: false, reason: `switched to ${planCode}/${period}` })
    return subs.subscribe({ key, planCode, period, payment: 'wallet' })
  })
}
