import { createHash } from 'node:crypto'

// Ledger rows are hash-chained: each row's hash covers the previous row's hash and the
// row's own fields, so an edit of the local file (a changed amount, a deleted row) breaks
// the chain from that row on and verify() finds it.

export const GENESIS_HASH = '0'.repeat(64)

export function chainHash(prevHash: string, fields: ReadonlyArray<string | number | null>): string {
  const h = createHash('sha256')
  h.update(prevHash)
  for (const f of fields) {
    h.update('\u001f')
    h.update(f === null ? '\u0000' : String(f))
  }
  return h.digest('hex')
}
