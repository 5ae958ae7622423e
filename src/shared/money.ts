import Decimal from 'decimal.js'
import { CurrencyMismatch, InvalidAmount } from './errors'

// Money is an integer count of the currency's minor unit (fen, cents) plus an ISO code.
// Never a float: parsing and formatting go through strings, and anything that multiplies
// or divides (percent coupons, tax) goes through decimal.js with one rounding rule.

/** Minor-unit exponent per supported ISO 4217 currency. */
export const CURRENCIES = { CNY: 2, USD: 2, EUR: 2, HKD: 2, JPY: 0 } as const
export type Currency = keyof typeof CURRENCIES

/** Largest amount one operation may carry: 10 billion minor units (100 million yuan). */
export const MAX_AMOUNT = 10_000_000_000

/**
 * The one rounding rule for money: half away from zero to the minor unit
 * (四舍五入, what Chinese invoices and most card networks use).
 */
export const MONEY_ROUNDING = Decimal.ROUND_HALF_UP

export interface Money {
  readonly amount: number
  readonly currency: Currency
}

export function isCurrency(code: string): code is Currency {
  return Object.prototype.hasOwnProperty.call(CURRENCIES, code)
}

export function assertCurrency(code: string): Currency {
  if (!isCurrency(code)) throw new InvalidAmount(`unsupported currency: ${code}`, { currency: code })
  return code
}

/**
 * Validates an amount in minor units: an integer within ±MAX_AMOUNT. Signed zero comes back
 * as 0: "-0" or a negative product rounded to nothing would otherwise print as "-0.00" and
 * compare apart from 0 under Object.is (hashes, deep equality).
 */
export function assertMinorUnits(amount: number): number {
  if (typeof amount !== 'number' || !Number.isInteger(amount)) {
    throw new InvalidAmount('amount must be a whole number of minor units', { amount })
  }
  if (Math.abs(amount) > MAX_AMOUNT) {
    throw new InvalidAmount(`amount exceeds the maximum of ${MAX_AMOUNT} minor units`, { amount })
  }
  return amount === 0 ? 0 : amount
}

/** Validates a strictly positive amount, as every ledger movement needs. */
export function assertPositiveMinorUnits(amount: number): number {
  assertMinorUnits(amount)
  if (amount <= 0) throw new InvalidAmount('amount must be greater than zero', { amount })
  return amount
}

export function money(amount: number, currency: string): Money {
  return { amount: assertMinorUnits(amount), currency: assertCurrency(currency) }
}

export function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new CurrencyMismatch(a.currency, b.currency)
}

export function add(a: Money, b: Money): Money {
  assertSameCurrency(a, b)
  return money(a.amount + b.amount, a.currency)
}

export function subtract(a: Money, b: Money): Money {
  assertSameCurrency(a, b)
  return money(a.amount - b.amount, a.currency)
}

export function compare(a: Money, b: Money): -1 | 0 | 1 {
  assertSameCurrency(a, b)
  return a.amount < b.amount ? -1 : a.amount > b.amount ? 1 : 0
}

/**
 * Parses a decimal string in major units ("12.34", "12", "-0.5") into Money.
 * More fraction digits than the currency has is an error, not a rounding.
 */
export function parseMoney(text: string, currency: string): Money {
  const cur = assertCurrency(currency)
  const digits = CURRENCIES[cur]
  const trimmed = text.trim()
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(trimmed)
  if (!match) throw new InvalidAmount(`not a decimal amount: "${text}"`, { text })
  const [, sign, whole, fraction = ''] = match
  if (fraction.length > digits) {
    throw new InvalidAmount(`${cur} has ${digits} decimal places; got "${text}"`, { text })
  }
  const minor = new Decimal(`${whole}.${fraction || '0'}`).times(new Decimal(10).pow(digits))
  const value = sign ? minor.negated() : minor
  if (value.abs().greaterThan(MAX_AMOUNT)) {
    throw new InvalidAmount(`amount exceeds the maximum of ${MAX_AMOUNT} minor units`, { text })
  }
  return money(value.toNumber(), cur)
}

/** The amount in major units as an exact decimal string, e.g. 1234 CNY → "12.34". */
export function toMajorString(m: Money): string {
  // Integer string arithmetic: exact for every allowed amount.
  const digits = CURRENCIES[m.currency]
  const abs = String(Math.abs(m.amount))
  const sign = m.amount < 0 ? '-' : ''
  if (digits === 0) return sign + abs
  const padded = abs.padStart(digits + 1, '0')
  return `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`
}

export type MoneyLocale = 'zh-CN' | 'en'

const formatters = new Map<string, Intl.NumberFormat>()

/** Formats for people: ¥12.34 in zh-CN, CN¥12.34 in en. Exact: Intl formats the decimal string. */
export function formatMoney(m: Money, locale: MoneyLocale = 'zh-CN'): string {
  const key = `${locale}:${m.currency}`
  let fmt = formatters.get(key)
  if (!fmt) {
    fmt = new Intl.NumberFormat(locale === 'en' ? 'en-US' : 'zh-CN', {
      style: 'currency',
      currency: m.currency,
      minimumFractionDigits: CURRENCIES[m.currency],
      maximumFractionDigits: CURRENCIES[m.currency]
    })
    formatters.set(key, fmt)
  }
  // Intl.NumberFormat v3 formats a decimal string exactly, with no float in between.
  return fmt.format(toMajorString(m) as unknown as number)
}

/**
 * Multiplies money by a decimal rate ("0.85", "0.06") and rounds with MONEY_ROUNDING.
 * Used for percent coupons and tax; the rate is a string or Decimal, never a float.
 */
export function multiplyByRate(m: Money, rate: string | Decimal): Money {
  const r = new Decimal(rate)
  if (!r.isFinite()) throw new InvalidAmount('rate must be a finite decimal', { rate: String(rate) })
  const result = new Decimal(m.amount).times(r).toDecimalPlaces(0, MONEY_ROUNDING)
  return money(result.toNumber(), m.currency)
}

/** `percent` percent of `m` (e.g. "15" → 15%), rounded with MONEY_ROUNDING. */
export function percentOf(m: Money, percent: string | Decimal): Money {
  return multiplyByRate(m, new Decimal(percent).dividedBy(100))
}

/** Price after a percent discount: the discount is rounded, then subtracted. */
export function applyPercentDiscount(m: Money, percent: string | Decimal): Money {
  const p = new Decimal(percent)
  if (p.isNegative() || p.greaterThan(100)) {
    throw new InvalidAmount('discount percent must be between 0 and 100', { percent: String(percent) })
  }
  return subtract(m, percentOf(m, p))
}

// 1 + rate per rate text: an invoice line asks for the same few rates over and over.
const divisors = new Map<string, Decimal>()
function onePlus(rate: string | Decimal): Decimal {
  if (typeof rate !== 'string') return rate.plus(1)
  let d = divisors.get(rate)
  if (!d) {
    d = new Decimal(rate).plus(1)
    if (divisors.size > 64) divisors.clear()
    divisors.set(rate, d)
  }
  return d
}

/** Tax included in a gross price at `rate` ("0.06"): gross − gross / (1 + rate), rounded. */
export function includedTax(gross: Money, rate: string | Decimal): Money {
  const net = new Decimal(gross.amount).dividedBy(onePlus(rate)).toDecimalPlaces(0, MONEY_ROUNDING)
  return money(gross.amount - net.toNumber(), gross.currency)
}

/** Tax added on top of a net price at `rate`. */
export function addedTax(net: Money, rate: string | Decimal): Money {
  return multiplyByRate(net, rate)
}
