import type { CouponRefusal } from '../../shared/billing/coupons'
import { BillingError } from '../../shared/errors'

/** A coupon that does not apply; `details.reason` is one of COUPON_REFUSALS (the app explains each). */
export class CouponRefused extends BillingError {
  constructor(reason: CouponRefusal, grantId: string) {
    super('COUPON_REFUSED', `the coupon cannot be used: ${reason}`, { reason, grantId })
  }
}
