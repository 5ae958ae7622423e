import Decimal from 'decimal.js'
import type { z } from 'zod'
import { InvalidAmount } from '../errors'
import { money, percentOf, assertSameCurrency, type Money } from '../money'
import type { CouponOffSchema } from './coupons'

// The one discount rule, used by the relay's quotes and by the app's offline use of an
// account-bound coupon, so both take off exactly the same amount: a percent of the list price
// (decimal.js, MONEY_ROUNDING), or a fixed amount in the list price's currency; then capped by
// maxDiscount, and never more than the list price (a total is never below zero).

export type CouponOff = z.infer<typeof CouponOffSchema>

export function couponDiscount(list: Money, off: CouponOff, opts: { maxDiscount?: Money } = {}): Money {
  if (list.amount < 0) throw new InvalidAmount('a list price is not negative', { amount: list.amount })
  let d: Money
  if (off.kind === 'percent') {
    const p = new Decimal(off.percent)
    if (!p.isFinite() || p.isNegative() || p.greaterThan(100)) throw new InvalidAmount('a percent off is between 0 and 100', { percent: off.percent })
    d = percentOf(list, off.percent)
  } else {
    const amount = money(off.amount.amount, off.amount.currency)
    assertSameCurrency(list, amount)
    if (amount.amount < 0) throw new InvalidAmount('an amount off is not negative', { amount: amount.amount })
    d = amount
  }
  let taken = d.amount
  if (opts.maxDiscount) {
    assertSameCurrency(list, opts.maxDiscount)
    taken = Math.min(taken, Math.max(0, opts.maxDiscount.amount))
  }
  return money(Math.min(taken, list.amount), list.currency)
}
