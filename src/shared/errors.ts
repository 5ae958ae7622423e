// Typed errors shared by the app core, the IPC contract and the relay.
// Each carries a stable `code`: Electron keeps only the message of a thrown error,
// so errors cross process boundaries as `{ code, message, details }` inside a Result.

export const ERROR_CODES = [
  'INVALID_AMOUNT',
  'INVALID_INPUT',
  'CURRENCY_MISMATCH',
  'INSUFFICIENT_FUNDS',
  'IDEMPOTENCY_CONFLICT',
  'NOT_FOUND',
  'INVALID_TRANSITION',
  'QUOTA_EXCEEDED',
  'HOLD_EXPIRED',
  'HOLD_CLOSED',
  'ALREADY_CLAIMED',
  'DATABASE_FROM_FUTURE',
  'FILE_IN_USE',
  'LEDGER_CORRUPT',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'UNAVAILABLE',
  /** A payment method this relay has not switched on. */
  'METHOD_UNAVAILABLE',
  /** A coupon or promotion code that does not apply: details.reason (the app's) or details.refusal (the relay's) is one of COUPON_REFUSALS. */
  'COUPON_REFUSED',
  'INTERNAL'
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export interface ErrorInfo {
  code: ErrorCode
  message: string
  details?: Record<string, unknown>
}

export class BillingError extends Error {
  readonly code: ErrorCode
  readonly details: Record<string, unknown> | undefined
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message)
    this.name = new.target.name
    this.code = code
    this.details = details
  }
  toInfo(): ErrorInfo {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details }
  }
}

export class InvalidAmount extends BillingError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_AMOUNT', message, details)
  }
}
export class InvalidInput extends BillingError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('INVALID_INPUT', message, details)
  }
}
export class CurrencyMismatch extends BillingError {
  constructor(expected: string, actual: string) {
    super('CURRENCY_MISMATCH', `currency mismatch: expected ${expected}, got ${actual}`, {
      expected,
      actual
    })
  }
}
export class InsufficientFunds extends BillingError {
  constructor(details: { balance: number; required: number; shortfall: number; currency: string }) {
    super('INSUFFICIENT_FUNDS', `insufficient funds: short by ${details.shortfall} minor units`, details)
  }
}
export class IdempotencyConflict extends BillingError {
  constructor(key: string) {
    super('IDEMPOTENCY_CONFLICT', `idempotency key "${key}" was already used for a different request`, {
      key
    })
  }
}
export class NotFound extends BillingError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} not found: ${id}`, { what, id })
  }
}
export class InvalidTransition extends BillingError {
  constructor(entity: string, from: string, to: string) {
    super('INVALID_TRANSITION', `${entity} cannot go from ${from} to ${to}`, { entity, from, to })
  }
}
export class QuotaExceeded extends BillingError {
  constructor(details: { feature: string; limit: number; used: number; requested: number }) {
    super('QUOTA_EXCEEDED', `quota exceeded for ${details.feature}`, details)
  }
}
export class DatabaseFromFuture extends BillingError {
  constructor(details: { databaseVersion: number; supportedVersion: number }) {
    super(
      'DATABASE_FROM_FUTURE',
      `the database was written by a newer version of the app (schema ${details.databaseVersion}, this app knows ${details.supportedVersion}); update the app`,
      details
    )
  }
}
/** The billing file is open in another process (or another opener in this one). */
export class BillingFileInUse extends BillingError {
  constructor(details: { path: string }) {
    super(
      'FILE_IN_USE',
      `the billing file is already open in another process or window (${details.path}); close the other instance of the app, then start again`,
      details
    )
  }
}
export class LedgerCorrupt extends BillingError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('LEDGER_CORRUPT', message, details)
  }
}

/** Turns anything thrown into the error shape that may cross a boundary. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof BillingError) return err.toInfo()
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) }
}
