import { z } from 'zod'
import type { ConsoleRedemptions } from '../../../shared/console/api'
import { missingCoupon } from '../../coupons/definitions'
import type { RelayStore } from '../../store/ports'
import { CursorSchema, LimitSchema, paged } from './paging'

// A coupon's redemptions for the console's coupon screen, newest first, in pages: who, for which
// order, with which code, in which state (reserved → consumed | released; consumed → returned).

export const RedemptionQuerySchema = z.strictObject({ before: CursorSchema.optional(), limit: LimitSchema })

export async function couponRedemptions(store: RelayStore, couponId: string, query: unknown): Promise<ConsoleRedemptions> {
  const q = RedemptionQuerySchema.parse(query)
  return store.read(async (tx) => {
    if (!(await tx.coupons.coupon(couponId))) throw missingCoupon(couponId.slice(0, 64))
    const rows = await tx.consoleReads.redemptions(couponId, { ...(q.before ? { before: q.before } : {}), limit: q.limit })
    const page = paged(
      rows,
      q.limit,
      (r) => ({
        redemptionId: r.id,
        accountId: r.account_id,
        orderNo: r.order_no,
        code: r.code,
        state: r.state,
        discount: { amount: r.discount, currency: r.currency },
        at: r.created_at
      }),
      (r) => ({ at: r.created_at, key: r.id })
    )
    return { redemptions: page.items, next: page.next }
  })
}
