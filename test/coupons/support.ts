import type { CouponGrant } from '../../src/shared/billing/coupons'
import { T0 } from '../ipc/core-fixture'

/** A coupon_grant record as the relay signs it: ¥5 off any BASIC plan, valid for 30 days from T0. */
export function grant(over: Partial<CouponGrant> = {}): CouponGrant {
  return {
    grantId: 'grant-welcome-0001',
    couponId: 'cpn-welcome',
    name: '新人礼券',
    off: { kind: 'amount', amount: { amount: 500, currency: 'CNY' } },
    appliesTo: [{ planCode: 'BASIC' }],
    validFrom: T0 - 86_400_000,
    validUntil: T0 + 30 * 86_400_000,
    state: 'available',
    at: T0 - 86_400_000,
    ...over
  }
}
