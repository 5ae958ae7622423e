import Decimal from 'decimal.js'
import { CurrencyMismatch, InvalidAmount } from '../errors'
import { MONEY_ROUNDING, money, type Money } from '../money'
import type { CouponRefusal } from './coupons'

// The one discount arithmetic: the relay's quotes and checkouts, its check of a device's offline
// coupon use, and the device's own offline pricing all call these, so a discount computed on a
// device matches the relay's to the fen.

/** What a coupon takes off (CouponOffSchema's shape, with money as Money). */
export type CouponOff = { kind: 'percent'; percent: string } | { kind: 'amount'; amount: Money }

export interface DiscountLimits {
  /** The discount never exceeds this (a cap on percent coupons, e.g. "20% off, at most ¥50"). */
  maxDiscount?: Money | undefined
  /** The list price must be at least this for the coupon to apply. */
  minimum?: Money | undefined
}

/**
 * The discount a coupon gives on `list`: a percent of the list price rounded with
 * MONEY_ROUNDING, or the fixed amount; then capped by `maxDiscount`, never above the price and
 * never below zero. Ignores `minimum` (see priceWithCoupon). Throws CURRENCY_MISMATCH when an
 * amount is in another currency than the list price.
 */
export function couponDiscount(list: Money, off: CouponOff, limits: Pick<DiscountLimits, 'maxDiscount'> = {}): Money {
  if (list.amount < 0) throw new InvalidAmount('a list price is not negative', { amount: list.amount })
  let discount: Decimal
  if (off.kind === 'percent') {
    const percent = new Decimal(off.percent)
    if (!percent.isFinite() || percent.isNegative() || percent.greaterThan(100)) {
      throw new InvalidAmount('a coupon percent is between 0 and 100', { percent: off.percent })
    }
    discount = new Decimal(list.amount).times(percent).dividedBy(100).toDecimalPlaces(0, MONEY_ROUNDING)
  } else {
    sameCurrency(list, off.amount)
    if (off.amount.amount < 0) throw new InvalidAmount('an amount off is not negative', { amount: off.amount.amount })
    discount = new Decimal(off.amount.amount)
  }
  if (limits.maxDiscount) {
    sameCurrency(list, limits.maxDiscount)
    discount = Decimal.min(discount, limits.maxDiscount.amount)
  }
  discount = Decimal.max(0, Decimal.min(discount, Math.max(0, list.amount)))
  return money(discount.toNumber(), list.currency)
}

export type CouponPricing =
  | { ok: true; discount: Money; total: Money }
  | { ok: false; refusal: Extract<CouponRefusal, 'below_minimum' | 'currency'> }

/**
 * The price of `list` with the coupon: checks the currency and the minimum order amount, then
 * applies couponDiscount. `total = list − discount`, never below zero.
 */
export function priceWithCoupon(list: Money, off: CouponOff, limits: DiscountLimits = {}): CouponPricing {
  const amounts = [off.kind === 'amount' ? off.amount : undefined, limits.maxDiscount, limits.minimum]
  if (amounts.some((m) => m !== undefined && m.currency !== list.currency)) return { ok: false, refusal: 'currency' }
  if (limits.minimum && list.amount < limits.minimum.amount) return { ok: false, refusal: 'below_minimum' }
  const discount = couponDiscount(list, off, limits)
  return { ok: true, discount, total: money(list.amount - discount.amount, list.currency) }
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new CurrencyMismatch(a.currency, b.currency)
}
