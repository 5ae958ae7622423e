/** A fresh idempotency key per user action; a retry of the same action reuses it. */
export function newKey(action: string): string {
  return `${action}:${globalThis.crypto.randomUUID()}`
}
