import { createHash } from 'node:crypto'
import { IdempotencyConflict } from '../shared/errors'

// Every mutation carries an idempotency key stored with a fingerprint of its request:
// the same key with the same request replays the first result; with another request
// it is a conflict. One mechanism for wallet, subscriptions and quotas.

/** Stable JSON: object keys sorted, so equal requests give equal fingerprints. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

export function fingerprint(request: unknown): string {
  return createHash('sha256').update(canonicalJson(request)).digest('base64url').slice(0, 22)
}

/** Throws IdempotencyConflict unless the stored fingerprint matches this request's. */
function assertSameRequest(key: string, stored: string, current: string): void {
  if (stored !== current) throw new IdempotencyConflict(key)
}

/** What a store kept of a request applied under a key: at least its fingerprint. */
export interface StoredRequest {
  readonly fingerprint: string | null
}

/**
 * The idempotency rule in one place: a key not seen before gives undefined (apply the
 * request); a key seen with the same request gives its first result; a key seen with another
 * request is an IdempotencyConflict.
 */
export function replayOf<S extends StoredRequest, R>(key: string, current: string, stored: S | undefined, result: (stored: S) => R): R | undefined {
  if (stored === undefined) return undefined
  assertSameRequest(key, stored.fingerprint ?? '', current)
  return result(stored)
}
