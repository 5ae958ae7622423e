// Account-bound coupons on the device (我的优惠券): the feed's grants, the local check and use.
export { CouponGrants, type MyCoupon, type CouponRedemption } from './grants'
export { grantRefusal, type GrantUse } from './check'
export { CouponRefused } from './errors'
