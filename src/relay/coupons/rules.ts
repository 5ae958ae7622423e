import type { CouponRefusal } from '../../shared/billing/coupons'
import { priceWithCoupon } from '../../shared/billing/discount'
import type { Money } from '../../shared/money'
import type { CheckoutItem } from '../../shared/relay-contract'
import type { PromotionCodeRow } from '../store/coupons'
import type { Coupon } from './definitions'

// Whether a coupon applies, and its discount: one pure function that quotes, checkouts and the
// check of a device's offline use all call. The checks run in a fixed order, so a code that
// fails several gives the same reason every time; the limits here are read from the rows as
// they are now (for a quote), and a checkout then takes them atomically (redemptions.ts).

export const REFUSAL_MESSAGES: Record<CouponRefusal, string> = {
  unknown: 'this code does not exist',
  expired: 'this code has expired',
  not_yet_valid: 'this code is not valid yet',
  not_applicable: 'this code does not apply to this purchase',
  below_minimum: 'the order is below the minimum amount for this code',
  used_up: 'this code has been used up',
  already_used: 'this account has already used this code',
  first_purchase_only: 'this code is for a first purchase only',
  inactive: 'this code is no longer active',
  currency: 'this code is in another currency'
}

export interface RuleFacts {
  now: number
  item: CheckoutItem
  list: Money
  /** Whether the account paid before (first purchase only). */
  hasPurchased: boolean
  /** The account's live uses of the coupon and of the code. */
  couponUses: number
  codeUses: number
}

export type Verdict = { ok: true; discount: Money; total: Money } | { ok: false; refusal: CouponRefusal }

export function judgeCoupon(coupon: Coupon, code: PromotionCodeRow | undefined, f: RuleFacts): Verdict {
  const no = (refusal: CouponRefusal): Verdict => ({ ok: false, refusal })
  if (!coupon.active || (code && code.active !== 1)) return no('inactive')
  if (coupon.validFrom !== null && f.now < coupon.validFrom) return no('not_yet_valid')
  if ((coupon.validUntil !== null && f.now >= coupon.validUntil) || (code && code.valid_until !== null && f.now >= code.valid_until)) return no('expired')
  if (!appliesTo(coupon, f.item)) return no('not_applicable')
  const priced = priceWithCoupon(f.list, coupon.off, { maxDiscount: coupon.maxDiscount, minimum: coupon.minimum })
  if (!priced.ok) return no(priced.refusal)
  if (coupon.firstPurchaseOnly && f.hasPurchased) return no('first_purchase_only')
  if ((coupon.perAccountLimit !== null && f.couponUses >= coupon.perAccountLimit) || (code && code.per_account_limit !== null && f.codeUses >= code.per_account_limit)) {
    return no('already_used')
  }
  if ((coupon.totalLimit !== null && coupon.redeemed >= coupon.totalLimit) || (code && code.total_limit !== null && code.redeemed >= code.total_limit)) return no('used_up')
  return priced
}

export function appliesTo(coupon: Coupon, item: CheckoutItem): boolean {
  if (item.kind === 'recharge') return coupon.appliesTo.recharge
  const plans = coupon.appliesTo.plans
  if (plans === 'all') return item.planCode !== 'FREE'
  return plans.some((p) => p.planCode === item.planCode && (p.period === undefined || p.period === item.period))
}
