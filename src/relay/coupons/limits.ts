import { z } from 'zod'
import { BillingError, InvalidInput } from '../../shared/errors'
import type { CouponLimits } from '../store/coupons'
import type { CouponAdminDeps } from './admin'
import { instant, limit, missingCoupon, toCoupon, type Coupon } from './definitions'

// An operator changes a coupon's total and per-account limits or its end (the console's coupon
// screen). A field left out keeps its value; null lifts it. The total limit is set by one
// conditional statement (CouponsRepo.setLimits), the same guarantee as the take* statements: it
// can never fall below what is redeemed, even while checkouts take redemptions at that moment.

export const CouponLimitsInputSchema = z
  .strictObject({
    totalLimit: limit.nullable().optional(),
    perAccountLimit: limit.nullable().optional(),
    validUntil: instant.nullable().optional()
  })
  .refine((l) => l.totalLimit !== undefined || l.perAccountLimit !== undefined || l.validUntil !== undefined, {
    message: 'give totalLimit, perAccountLimit or validUntil (null lifts it)'
  })

export interface CouponLimitsChange {
  coupon: Coupon
  before: CouponLimits
  after: CouponLimits
}

const limitsOf = (c: Coupon): CouponLimits => ({ totalLimit: c.totalLimit, perAccountLimit: c.perAccountLimit, validUntil: c.validUntil })

export async function changeCouponLimits(d: CouponAdminDeps, couponId: string, input: unknown): Promise<CouponLimitsChange> {
  const given = CouponLimitsInputSchema.parse(input)
  const now = d.clock.now()
  return d.store.unit(async (tx) => {
    const row = await tx.coupons.coupon(couponId)
    if (!row) throw missingCoupon(couponId)
    const coupon = toCoupon(row)
    const before = limitsOf(coupon)
    const after: CouponLimits = {
      totalLimit: given.totalLimit === undefined ? before.totalLimit : given.totalLimit,
      perAccountLimit: given.perAccountLimit === undefined ? before.perAccountLimit : given.perAccountLimit,
      validUntil: given.validUntil === undefined ? before.validUntil : given.validUntil
    }
    if (after.perAccountLimit !== null && after.totalLimit !== null && after.perAccountLimit > after.totalLimit) {
      throw new InvalidInput(`perAccountLimit ${after.perAccountLimit} must not exceed totalLimit ${after.totalLimit}`, { field: 'perAccountLimit' })
    }
    if (after.validUntil !== null && coupon.validFrom !== null && after.validUntil <= coupon.validFrom) {
      throw new InvalidInput('validUntil must be after validFrom', { field: 'validUntil', validFrom: coupon.validFrom })
    }
    if (!(await tx.coupons.setLimits(couponId, after, now))) {
      throw new BillingError(
        'INVALID_INPUT',
        `总量上限 ${after.totalLimit} 低于已占用的 ${coupon.redeemed} 次 / totalLimit ${after.totalLimit} is below the ${coupon.redeemed} redemptions already reserved, consumed or granted`,
        { field: 'totalLimit', reason: 'below_redeemed', redeemed: coupon.redeemed, totalLimit: after.totalLimit }
      )
    }
    return { coupon: { ...coupon, ...after }, before, after }
  })
}
