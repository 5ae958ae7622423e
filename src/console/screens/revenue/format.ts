import Decimal from 'decimal.js'
import { formatMoney, isCurrency, toMajorString } from '../../../shared/money'
import type { ConsoleLocale } from '../../i18n'

// Report figures are minor units keyed by a currency code; shown through formatMoney (exact,
// from the decimal string), a code the console does not know as "<major> <code>".

export function amount(minor: number, currency: string, locale: ConsoleLocale): string {
  return isCurrency(currency) ? formatMoney({ amount: minor, currency }, locale) : `${minor} ${currency}`
}

/** Major units as a decimal string, for a chart axis or a CSV cell ("12.34"). */
export function major(minor: number, currency: string): string {
  return isCurrency(currency) ? toMajorString({ amount: minor, currency }) : String(minor)
}

/** A rate as a percentage: "0.06" → "6%", "0.3333" → "33.33%". */
export function percent(rate: string): string {
  try {
    return `${new Decimal(rate).times(100).toDecimalPlaces(2).toString()}%`
  } catch {
    return rate
  }
}
