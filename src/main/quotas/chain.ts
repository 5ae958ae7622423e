import * as crypto from 'node:crypto'
import { GENESIS_HASH } from '../../node/hashchain'

// Usage events are hash-chained in seq order, like the wallet's entries: each event's hash
// covers the previous event's hash and every column of the event, so an edited or deleted
// event breaks the chain and verify() finds it. consume() keeps the head in memory and
// computes the hash here in JS, so its write stays one INSERT + one UPDATE.
//
// Tamper evidence for edits of the file, not a proof: whoever can write the file can recompute
// the chain. That attacker is stopped by the relay (signed lease, pushed usage), not the file.

export { GENESIS_HASH }

export interface UsageHead {
  seq: number
  hash: string
}

// One-shot crypto.hash (Node ≥ 20.12, Electron's Node 22) skips the Hash object: about half
// the cost of createHash().update().digest() for a short input. Same digest either way.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash
const sha256hex: (s: string) => string =
  typeof oneShot === 'function'
    ? (s) => oneShot('sha256', s, 'hex')
    : (s) => crypto.createHash('sha256').update(s).digest('hex')

const SEP = '\u001f'
const nul = (v: number | null): string => (v === null ? '\u0000' : String(v))

/**
 * The hash of one usage event. Byte for byte the same as core/hashchain's chainHash(prev,
 * [seq, id, key, fingerprint, feature, qty, period_start, period_end, used_after, quota_limit,
 * plan_code, created_at]) — built as one string and hashed in one update, because it runs on
 * every consume (a test holds the two equal).
 */
export function usageHash(
  prev: string,
  seq: number,
  id: string,
  key: string,
  fingerprint: string,
  feature: string,
  qty: number,
  periodStart: number,
  periodEnd: number | null,
  usedAfter: number,
  quotaLimit: number | null,
  planCode: string,
  createdAt: number
): string {
  const s =
    prev + SEP + seq + SEP + id + SEP + key + SEP + fingerprint + SEP + feature + SEP + qty + SEP + periodStart + SEP +
    nul(periodEnd) + SEP + usedAfter + SEP + nul(quotaLimit) + SEP + planCode + SEP + createdAt
  return sha256hex(s)
}
