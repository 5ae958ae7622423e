import { BillingError, InvalidInput } from '../../shared/errors'
import type { Handlers } from '../../shared/ipc/server'
import { money } from '../../shared/money'
import type { Billing } from '../billing'
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
    'subscription.subscribe'({ idempotencyKey, planId, couponGrantId }) {
      const { planCode, period } = parsePlanId(planId)
      try {
        const s = subs.buyFromWallet({ key: idempotencyKey, planCode, period, ...(couponGrantId ? { couponGrantId } : {}) })
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
    'subscription.startTrial'({ idempotencyKey, planId, couponGrantId }) {
      if (couponGrantId !== undefined) throw new InvalidInput('a trial takes no coupon')
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
