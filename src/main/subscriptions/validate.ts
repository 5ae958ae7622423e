import { InvalidInput } from '../../shared/errors'
import { ACTORS, type Actor, type PaymentSource } from './types'

// Input checks shared by the operations: each throws InvalidInput before anything is written.

export const MAX_KEY_LENGTH = 200
export const MAX_REASON_LENGTH = 500

export function assertKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new InvalidInput(`idempotency key must be a string of 1–${MAX_KEY_LENGTH} characters`, { key })
  }
  return key
}

export function assertActor(actor: unknown, fallback: Actor): Actor {
  if (actor === undefined) return fallback
  if (!(ACTORS as readonly unknown[]).includes(actor)) throw new InvalidInput('unknown actor', { actor })
  return actor as Actor
}

export function assertBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new InvalidInput(`${name} must be a boolean`, { [name]: value })
  return value
}

export function optionalBoolean(value: unknown, name: string): boolean | undefined {
  return value === undefined ? undefined : assertBoolean(value, name)
}

/** A required reason: trimmed, non-empty, bounded. */
export function assertReason(value: unknown, name = 'reason'): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_REASON_LENGTH) {
    throw new InvalidInput(`${name} must be a non-empty string of at most ${MAX_REASON_LENGTH} characters`, {
      [name]: value
    })
  }
  return value.trim()
}

export function optionalReason(value: unknown): string | null {
  return value === undefined ? null : assertReason(value)
}

export function assertIntInRange(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInput(`${name} must be an integer from ${min} to ${max}`, { [name]: value })
  }
  return value
}

export function assertPayment(value: unknown): PaymentSource {
  if (value === 'wallet') return value
  if (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === 1 &&
    typeof (value as { paymentId?: unknown }).paymentId === 'string' &&
    /^[A-Za-z0-9_\-:.]{1,128}$/.test((value as { paymentId: string }).paymentId)
  ) {
    return { paymentId: (value as { paymentId: string }).paymentId }
  }
  throw new InvalidInput("payment must be 'wallet' or { paymentId }", { payment: value as unknown })
}

/** An account-bound coupon grant id, when one is given. */
export function optionalGrantId(value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value.length === 0 || value.length > 128) {
    throw new InvalidInput('couponGrantId must be a string of 1–128 characters', { couponGrantId: value })
  }
  return value
}
