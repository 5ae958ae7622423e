import type { BillingDb } from '../db/open'
import { GENESIS_HASH, chainHash } from '../../node/hashchain'
import { AfterCommit } from '../../node/sqlite/after-commit'

// The subscription history is a hash chain, like the wallet's entries: each event's hash
// covers the previous event's hash and every column of the event, including `state`, the
// subscriptions row the event produced. So an edited subscriptions row (it no longer equals
// its latest state), an edited event or a deleted one (the chain breaks) is found by verify().
//
// This is tamper evidence for edits of the file, not a proof: anyone who can write the file
// can also recompute every hash. What stops that attacker is the relay: its signed lease and
// the sync decide what an enrolled device may use, not this file (docs/sync.md).

export interface ChainHead {
  seq: number
  hash: string
}

export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH }

/** The columns of subscription_events a hash covers (all but the hash itself). */
export interface HashedEventRow {
  seq: number
  subscription_id: string
  kind: string
  from_status: string | null
  to_status: string
  actor: string
  reason: string | null
  request_key: string | null
  details: string
  at: number
  state: string
}

export function eventHash(prev: string, r: HashedEventRow): string {
  return chainHash(prev, [
    r.seq,
    r.subscription_id,
    r.kind,
    r.from_status,
    r.to_status,
    r.actor,
    r.reason,
    r.request_key,
    r.details,
    r.at,
    r.state
  ])
}

export interface PlanChangeRow {
  seq: number
  code: string
  period: string
  active: number
  at: number
}

export function planChangeHash(prev: string, r: PlanChangeRow): string {
  return chainHash(prev, [r.seq, r.code, r.period, r.active, r.at])
}

/**
 * The head of the event chain as this process last committed it, shared by every service on
 * one connection. verify() compares it with the file's last event, so a tail cut off (or an
 * edited last event) while the app runs is found even though the rest of the chain is whole.
 * A write inside a caller's transaction may still roll back: the head is then re-read from
 * the file once that transaction is over (as the wallet reloads its head when dirty).
 */
export class ChainMemory {
  private committed: ChainHead
  private readonly memory: AfterCommit

  constructor(
    db: BillingDb,
    private readonly readTail: () => ChainHead
  ) {
    this.memory = new AfterCommit(db.sqlite)
    this.committed = readTail()
  }

  /** Whether a write starting now runs inside a caller's transaction. */
  get nested(): boolean {
    return this.memory.nested
  }

  /** After a write transaction of ours ended with `last` as the newest event it appended. */
  settle(last: ChainHead | null, nested: boolean): void {
    if (last === null) return
    if (nested) this.memory.wroteInside('all')
    else {
      this.committed = last
      this.memory.committed()
    }
  }

  /** The committed head; null inside a transaction that wrote events and may still roll back. */
  get head(): ChainHead | null {
    if (!this.memory.inDoubt) return this.committed
    if (this.memory.takeOutside()) this.committed = this.readTail()
    return this.memory.inDoubt ? null : this.committed
  }
}

const memories = new WeakMap<BillingDb, ChainMemory>()

/** One chain memory per database connection (two services on one connection share it). */
export function chainMemory(db: BillingDb, readTail: () => ChainHead): ChainMemory {
  let m = memories.get(db)
  if (!m) {
    m = new ChainMemory(db, readTail)
    memories.set(db, m)
  }
  return m
}

/** The columns of plan_catalog_versions a hash covers (all but the hash itself). */
export interface PlanCatalogRow {
  version: number
  effective_from: number
  document: string
  after_change_seq: number
  applied_at: number
}

export function planCatalogHash(prev: string, r: PlanCatalogRow): string {
  return chainHash(prev, [r.version, r.effective_from, r.document, r.after_change_seq, r.applied_at])
}
