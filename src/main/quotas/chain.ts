import { chainHash, GENESIS_HASH } from '../../node/hashchain'
import type { EventRow } from './statements'

// Usage events are hash-chained in seq order, like the wallet's entries: each event's hash
// covers the previous event's hash and every column of the event, so an edited or deleted
// event breaks the chain and verify() finds it. consume() keeps the head in memory, so its
// write stays one INSERT + one UPDATE.
//
// Tamper evidence for edits of the file, not a proof: whoever can write the file can recompute
// the chain. That attacker is stopped by the relay (signed lease, pushed usage), not the file.

export { GENESIS_HASH }

export interface UsageHead {
  seq: number
  hash: string
}

/** The fields an event's hash covers: every column of its row, in stored order. */
export type HashedUsageEvent = EventRow

export function usageHash(prev: string, e: HashedUsageEvent): string {
  return chainHash(prev, [
    e.seq,
    e.id,
    e.key,
    e.fingerprint,
    e.feature,
    e.qty,
    e.period_start,
    e.period_end,
    e.used_after,
    e.quota_limit,
    e.plan_code,
    e.created_at
  ])
}
