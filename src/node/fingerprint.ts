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
export function assertSameRequest(key: string, stored: string, current: string): void {
  if (stored !== current) throw new IdempotencyConflict(key)
}
