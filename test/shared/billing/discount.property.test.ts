import fc from 'fast-check'
import Decimal from 'decimal.js'
import { describe, expect, it } from 'vitest'
import { couponDiscount, priceWithCoupon, type CouponOff } from '../../../src/shared/billing/discount'
import { money } from '../../../src/shared/money'

const cny = (amount: number) => money(amount, 'CNY')
const percentArb = fc
  .tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 9999 }))
  .map(([whole, frac]) => (whole === 100 ? '100' : `${whole}.${String(frac).padStart(4, '0')}`))
const offArb: fc.Arbitrary<CouponOff> = fc.oneof(
  percentArb.map((percent) => ({ kind: 'percent' as const, percent })),
  fc.integer({ min: 0, max: 10_000_000 }).map((a) => ({ kind: 'amount' as const, amount: cny(a) }))
)

describe('coupon discount arithmetic', () => {
  it('0 ≤ discount ≤ list, the cap is honoured, the total is list − discount ≥ 0', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000_000 }),
        offArb,
        fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 100_000_000 }), { nil: undefined }),
        (list, off, cap, minimum) => {
          const limits = { maxDiscount: cap === undefined ? undefined : cny(cap), minimum: minimum === undefined ? undefined : cny(minimum) }
          const d = couponDiscount(cny(list), off, limits)
          expect(Number.isInteger(d.amount)).toBe(true)
          expect(d.amount).toBeGreaterThanOrEqual(0)
          expect(d.amount).toBeLessThanOrEqual(list)
          if (cap !== undefined) expect(d.amount).toBeLessThanOrEqual(cap)
          const priced = priceWithCoupon(cny(list), off, limits)
          if (minimum !== undefined && list < minimum) {
            expect(priced).toEqual({ ok: false, refusal: 'below_minimum' })
          } else {
            expect(priced).toEqual({ ok: true, discount: d, total: cny(list - d.amount) })
            if (priced.ok) expect(priced.total.amount).toBeGreaterThanOrEqual(0)
          }
        }
      )
    )
  })

  it('a percent is of the list price, rounded half up to the fen, and exact in decimal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000 }), percentArb, (list, percent) => {
        const d = couponDiscount(cny(list), { kind: 'percent', percent })
        const exact = new Decimal(list).times(percent).dividedBy(100)
        expect(new Decimal(d.amount).minus(exact).abs().lessThanOrEqualTo(0.5)).toBe(true)
      })
    )
  })

  it('examples: 33.33 % of ¥99, a cap, a fixed amount above the price', () => {
    expect(couponDiscount(cny(9900), { kind: 'percent', percent: '33.33' })).toEqual(cny(3300)) // 3299.67 → 3300
    expect(couponDiscount(cny(1500), { kind: 'percent', percent: '33.33' })).toEqual(cny(500)) // 499.95 → 500
    expect(couponDiscount(cny(100_000), { kind: 'percent', percent: '20' }, { maxDiscount: cny(5000) })).toEqual(cny(5000))
    expect(couponDiscount(cny(3000), { kind: 'amount', amount: cny(5000) })).toEqual(cny(3000))
  })

  it('refuses another currency and a percent out of range', () => {
    expect(priceWithCoupon(cny(100), { kind: 'amount', amount: money(10, 'USD') })).toEqual({ ok: false, refusal: 'currency' })
    expect(() => couponDiscount(cny(100), { kind: 'amount', amount: money(10, 'USD') })).toThrow(/currency/)
    expect(() => couponDiscount(cny(100), { kind: 'percent', percent: '100.5' })).toThrow(/between 0 and 100/)
  })
})
