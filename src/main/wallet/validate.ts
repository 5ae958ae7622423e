import { InvalidAmount, InvalidInput } from '../../shared/errors'
import { assertCurrency, assertPositiveMinorUnits, assertSameCurrency, type Currency, type Money } from '../../shared/money'
import type { MoneyInput } from './types'

// Input checks run before any transaction: a bad input throws a typed error and touches nothing.

export const MAX_KEY_LENGTH = 128
export const MAX_TEXT_LENGTH = 500
/** A hold longer than a year is a bug, not a live session. */
export const MAX_HOLD_TTL_MS = 366 * 24 * 3600 * 1000

export function checkKey(key: unknown, name = 'key'): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new InvalidInput(`${name} must be a string of 1..${MAX_KEY_LENGTH} characters`, { [name]: key })
  }
  return key
}

export function checkText(value: unknown, name: string, min = 0): string {
  if (typeof value !== 'string' || value.length < min || value.length > MAX_TEXT_LENGTH) {
    throw new InvalidInput(`${name} must be a string of ${min}..${MAX_TEXT_LENGTH} characters`, { [name]: value })
  }
  return value
}

/** Positive minor units in the wallet's currency. */
export function checkMoney(input: MoneyInput, currency: Currency): Money {
  if (typeof input === 'number') return { amount: assertPositiveMinorUnits(input), currency }
  if (input === null || typeof input !== 'object') throw new InvalidAmount('amount must be Money or minor units')
  const cur = assertCurrency(String(input.currency))
  assertSameCurrency({ amount: 0, currency }, { amount: 0, currency: cur })
  return { amount: assertPositiveMinorUnits(input.amount), currency }
}

export function checkTtl(ttlMs: unknown): number {
  if (typeof ttlMs !== 'number' || !Number.isInteger(ttlMs) || ttlMs <= 0 || ttlMs > MAX_HOLD_TTL_MS) {
    throw new InvalidInput(`ttlMs must be a whole number of milliseconds in 1..${MAX_HOLD_TTL_MS}`, { ttlMs })
  }
  return ttlMs
}
