import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { couponDiscount } from '../../src/shared/billing/discount'
import { BillingError } from '../../src/shared/errors'
import { money } from '../../src/shared/money'

const cny = (n: number) => money(n, 'CNY')
const percent = (p: string) => ({ kind: 'percent' as const, percent: p })
const amountOff = (n: number, currency: 'CNY' | 'USD' = 'CNY') => ({ kind: 'amount' as const, amount: { amount: n, currency } })

describe('couponDiscount', () => {
  it('takes a percent of the list price, rounded half up to the fen', () => {
    expect(couponDiscount(cny(2900), percent('33.33'))).toEqual(cny(967)) // 966.57 → 967
    expect(couponDiscount(cny(1), percent('50'))).toEqual(cny(1)) // 0.5 → 1 (half up)
    expect(couponDiscount(cny(3), percent('10'))).toEqual(cny(0)) // 0.3 → 0
  })

  it('caps at maxDiscount and never goes above the list price', () => {
    expect(couponDiscount(cny(29900), percent('50'), { maxDiscount: cny(5000) })).toEqual(cny(5000))
    expect(couponDiscount(cny(2900), amountOff(5000))).toEqual(cny(2900))
    expect(couponDiscount(cny(2900), amountOff(500))).toEqual(cny(500))
  })

  it('refuses an amount or a cap in another currency, and a percent beyond 0–100, with typed errors', () => {
    const code = (fn: () => unknown) => {
      try {
        fn()
      } catch (e) {
        return e instanceof BillingError ? e.code : 'untyped'
      }
      return 'none'
    }
    expect(code(() => couponDiscount(cny(100), amountOff(10, 'USD')))).toBe('CURRENCY_MISMATCH')
    expect(code(() => couponDiscount(cny(100), percent('10'), { maxDiscount: money(5, 'USD') }))).toBe('CURRENCY_MISMATCH')
    expect(code(() => couponDiscount(cny(100), percent('100.5')))).toBe('INVALID_AMOUNT')
  })

  it('property: 0 ≤ discount ≤ list, the cap honoured, same currency', () => {
    const pct = fc
      .tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 99 }))
      .map(([a, b]) => (a === 100 ? '100' : `${a}.${String(b).padStart(2, '0')}`))
    const off = fc.oneof(pct.map(percent), fc.integer({ min: 0, max: 2_000_000 }).map((n) => amountOff(n)))
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000_000 }), off, fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: undefined }), (list, o, cap) => {
        const d = couponDiscount(cny(list), o, cap === undefined ? {} : { maxDiscount: cny(cap) })
        expect(d.currency).toBe('CNY')
        expect(Number.isInteger(d.amount)).toBe(true)
        expect(d.amount).toBeGreaterThanOrEqual(0)
        expect(d.amount).toBeLessThanOrEqual(list)
        if (cap !== undefined) expect(d.amount).toBeLessThanOrEqual(cap)
      }),
      { numRuns: 500 }
    )
  })
})
