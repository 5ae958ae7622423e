import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  add,
  applyPercentDiscount,
  assertPositiveMinorUnits,
  compare,
  formatMoney,
  includedTax,
  MAX_AMOUNT,
  money,
  multiplyByRate,
  parseMoney,
  percentOf,
  subtract,
  toMajorString
} from '../../src/shared/money'
import { BillingError } from '../../src/shared/errors'

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn()
  } catch (err) {
    return err instanceof BillingError ? err.code : 'UNTYPED'
  }
  return undefined
}

describe('money', () => {
  it('parses decimal strings to minor units without floats', () => {
    expect(parseMoney('12.34', 'CNY')).toEqual({ amount: 1234, currency: 'CNY' })
    expect(parseMoney('0.1', 'CNY').amount).toBe(10)
    expect(parseMoney('19.99', 'USD').amount).toBe(1999)
    expect(parseMoney('-0.05', 'CNY').amount).toBe(-5)
    expect(parseMoney('1000', 'JPY').amount).toBe(1000)
    expect(parseMoney(' 7 ', 'CNY').amount).toBe(700)
  })

  it('rejects malformed and over-precise amounts with InvalidAmount', () => {
    for (const text of ['', 'abc', '1.234', '1e3', '1,000', '.5', '5.', 'NaN', '0x10'])
      expect(codeOf(() => parseMoney(text, 'CNY'))).toBe('INVALID_AMOUNT')
    expect(codeOf(() => parseMoney('1.5', 'JPY'))).toBe('INVALID_AMOUNT')
    expect(codeOf(() => parseMoney('100000000.01', 'CNY'))).toBe('INVALID_AMOUNT')
    expect(codeOf(() => parseMoney('1', 'XYZ'))).toBe('INVALID_AMOUNT')
  })

  it('rejects fractional, non-finite and too large minor units', () => {
    expect(codeOf(() => money(1.5, 'CNY'))).toBe('INVALID_AMOUNT')
    expect(codeOf(() => money(Number.NaN, 'CNY'))).toBe('INVALID_AMOUNT')
    expect(codeOf(() => money(Infinity, 'CNY'))).toBe('INVALID_AMOUNT')
    expect(codeOf(() => money(MAX_AMOUNT + 1, 'CNY'))).toBe('INVALID_AMOUNT')
    expect(money(MAX_AMOUNT, 'CNY').amount).toBe(MAX_AMOUNT)
  })

  it('refuses to mix currencies', () => {
    expect(codeOf(() => add(money(1, 'CNY'), money(1, 'USD')))).toBe('CURRENCY_MISMATCH')
    expect(codeOf(() => subtract(money(1, 'CNY'), money(1, 'USD')))).toBe('CURRENCY_MISMATCH')
    expect(codeOf(() => compare(money(1, 'CNY'), money(1, 'USD')))).toBe('CURRENCY_MISMATCH')
  })

  it('formats for people in zh-CN and en', () => {
    expect(formatMoney(money(123456, 'CNY'), 'zh-CN')).toBe('¥1,234.56')
    expect(formatMoney(money(5, 'CNY'), 'zh-CN')).toBe('¥0.05')
    expect(formatMoney(money(123456, 'CNY'), 'en')).toBe('CN¥1,234.56')
    expect(formatMoney(money(1999, 'USD'), 'en')).toBe('$19.99')
    expect(formatMoney(money(-250, 'CNY'), 'zh-CN')).toBe('-¥2.50')
  })

  it('formats exactly even where a float would not', () => {
    // 9007199254740993 is not representable; we cap amounts, but large valid ones stay exact.
    expect(toMajorString(money(MAX_AMOUNT - 1, 'CNY'))).toBe('99999999.99')
    expect(formatMoney(money(MAX_AMOUNT - 1, 'CNY'))).toBe('¥99,999,999.99')
  })

  it('rounds percentages and tax half-up to the minor unit', () => {
    expect(percentOf(money(1005, 'CNY'), '10').amount).toBe(101) // 100.5 → 101
    expect(percentOf(money(1004, 'CNY'), '10').amount).toBe(100) // 100.4 → 100
    expect(applyPercentDiscount(money(2900, 'CNY'), '15').amount).toBe(2465)
    expect(applyPercentDiscount(money(999, 'CNY'), '33.3').amount).toBe(666) // 332.667 → 333 off
    expect(includedTax(money(10600, 'CNY'), '0.06').amount).toBe(600)
    expect(codeOf(() => applyPercentDiscount(money(100, 'CNY'), '101'))).toBe('INVALID_AMOUNT')
  })

  it('parse and toMajorString round-trip for every amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX_AMOUNT, max: MAX_AMOUNT }), (n) => {
        const m = money(n, 'CNY')
        expect(parseMoney(toMajorString(m), 'CNY')).toEqual(m)
      })
    )
  })

  it('signed zero: "-0" and every zero result is plain 0, never -0', () => {
    const isNegZero = (n: number) => Object.is(n, -0)
    fc.assert(
      fc.property(
        fc.constantFrom('CNY', 'USD', 'JPY'),
        fc.boolean(),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 2 }),
        (cur, minus, wholeZeros, fracZeros) => {
          const digits = cur === 'JPY' ? 0 : fracZeros
          const text = `${minus ? '-' : ''}${'0'.repeat(wholeZeros)}${digits ? '.' + '0'.repeat(digits) : ''}`
          const m = parseMoney(text, cur)
          expect(isNegZero(m.amount)).toBe(false)
          expect(m.amount).toBe(0)
          expect(toMajorString(m)).not.toMatch(/^-/)
        }
      )
    )
    expect(isNegZero(money(-0, 'CNY').amount)).toBe(false)
    // A negative amount whose product rounds to zero must not come back as -0.
    fc.assert(
      fc.property(fc.integer({ min: -MAX_AMOUNT, max: MAX_AMOUNT }), fc.integer({ min: 0, max: 10000 }), (n, bp) => {
        const rate = (bp / 10000).toFixed(4)
        expect(isNegZero(multiplyByRate(money(n, 'CNY'), rate).amount)).toBe(false)
        expect(isNegZero(percentOf(money(n, 'CNY'), '0').amount)).toBe(false)
        expect(isNegZero(includedTax(money(n, 'CNY'), rate).amount)).toBe(false)
      })
    )
    expect(isNegZero(multiplyByRate(money(-1, 'CNY'), '0.4').amount)).toBe(false)
    // Where a positive amount is required, signed zero is refused like zero.
    expect(codeOf(() => assertPositiveMinorUnits(-0))).toBe('INVALID_AMOUNT')
    expect(codeOf(() => assertPositiveMinorUnits(parseMoney('-0', 'CNY').amount))).toBe('INVALID_AMOUNT')
  })

  it('a discount never exceeds the price and never goes negative', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_AMOUNT }), fc.integer({ min: 0, max: 10000 }), (n, bp) => {
        const pct = (bp / 100).toFixed(2)
        const after = applyPercentDiscount(money(n, 'CNY'), pct)
        expect(after.amount).toBeGreaterThanOrEqual(0)
        expect(after.amount).toBeLessThanOrEqual(n)
      })
    )
  })
})
