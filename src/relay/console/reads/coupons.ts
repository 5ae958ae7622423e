import type { ConsoleRedemptions } from '../../../shared/console/api'
import { missingCoupon } from '../../coupons/definitions'
import type { RelayStore } from '../../store/ports'

// A coupon's redemptions for the console's coupon screen, newest first: who, for which order,
// with which code, in which state (reserved → consumed | released; consumed → returned).

const REDEMPTIONS_MAX = 500

export async function couponRedemptions(store: RelayStore, couponId: string): Promise<ConsoleRedemptions> {
  return store.read(async (tx) => {
    if (!(await tx.coupons.coupon(couponId))) throw missingCoupon(couponId.slice(0, 64))
    const rows = await tx.consoleReads.redemptions(couponId, REDEMPTIONS_MAX)
    return {
      redemptions: rows.map((r) => ({
        redemptionId: r.id,
        accountId: r.account_id,
        orderNo: r.order_no,
        code: r.code,
        state: r.state,
        discount: { amount: r.discount, currency: r.currency },
        at: r.created_at
      }))
    }
  })
}
