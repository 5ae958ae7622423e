import type { Handlers } from '../../shared/ipc/server'
import { subtract } from '../../shared/money'
import { parsePlanId } from '../../shared/ipc/plan-id'
import type { Billing } from '../billing'

// 我的优惠券 over IPC: the account-bound coupons on this device and what one takes off a plan
// paid from the wallet (the same check buyFromWallet makes, without spending it).

export function couponHandlers<S>(billing: Billing): Pick<Handlers<S>, 'coupons.mine' | 'coupons.preview'> {
  return {
    'coupons.mine': () => ({ coupons: billing.coupons.list() }),
    'coupons.preview'({ planId, grantId }) {
      const { planCode, period } = parsePlanId(planId)
      const list = billing.subscriptions.getPlan(planCode, period).price
      const { discount } = billing.coupons.preview(grantId, { planCode, period, list, now: billing.clock.now() })
      return { grantId, list, discount, total: subtract(list, discount) }
    }
  }
}
