import { hash } from 'node:crypto'

// Ledger rows are hash-chained: each row's hash covers the previous row's hash and the
// row's own fields, so an edit of the local file (a changed amount, a deleted row) breaks
// the chain from that row on and verify() finds it. One function for wallet entries,
// subscription events and usage events.

export const GENESIS_HASH = '0'.repeat(64)

const SEPARATOR = '\u001f'
const NULL_FIELD = '\u0000'

/** sha256 hex of prevHash, then each field after a unit separator (null as NUL). */
export function chainHash(prevHash: string, fields: ReadonlyArray<string | number | null>): string {
  // One string and the one-shot hash: this runs on every consume, and the Hash object of
  // createHash().update() costs more than the digest of so short an input.
  let input = prevHash
  for (const field of fields) input += SEPARATOR + (field === null ? NULL_FIELD : String(field))
  return hash('sha256', input, 'hex')
}
