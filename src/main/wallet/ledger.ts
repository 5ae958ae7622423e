import { GENESIS_HASH, chainHash } from '../../node/hashchain'
import { AfterCommit } from '../../node/sqlite/after-commit'
import type { BillingDb } from '../db/open'
import { LedgerCorrupt } from '../../shared/errors'
import { ACCOUNT_KINDS, accountId } from './accounts'
import type { Currency } from '../../shared/money'
import { prepareStatements, type EntryRow, type Statements } from './statements'
import type { EntryType } from './types'

// The double-entry core shared by every Wallet on one database: balances and the chain head
// live in memory and change only after a commit, so reads never touch the disk and a rolled
// back transaction leaves no trace. One core per BillingDb (a WeakMap), so two Wallets on one
// file (two currencies, or another module's) keep one chain. One writer connection per file.

/** One transfer: debit one account, credit another, a positive amount. */
export interface Leg {
  id: string
  type: EntryType
  debit: string
  credit: string
  amount: number
  ref: string | null
  feature: string | null
  reason: string | null
}

/** The fields a row's hash covers, in order (verify() recomputes with the same function). */
export type HashedFields = Omit<EntryRow, 'hash'>

export function entryHash(prev: string, r: HashedFields): string {
  return chainHash(prev, [
    r.seq,
    r.id,
    r.op_key,
    r.leg,
    r.type,
    r.owner,
    r.debit_account,
    r.credit_account,
    r.amount,
    r.currency,
    r.ref,
    r.feature,
    r.reason,
    r.fingerprint,
    r.result,
    r.created_at
  ])
}

const cores = new WeakMap<BillingDb, LedgerCore>()

export class LedgerCore {
  static of(db: BillingDb): LedgerCore {
    let core = cores.get(db)
    if (!core) {
      core = new LedgerCore(db)
      cores.set(db, core)
    }
    return core
  }

  readonly stmts: Statements
  /** Committed balances by account id. */
  readonly balances = new Map<string, number>()
  headSeq = 0
  headHash = GENESIS_HASH
  /** created_at of the last entry: entries' times never decrease along seq. */
  headAt = 0
  private readonly claims = new Map<string, boolean>()
  /** Whether the file holds any first-free mark (a claim made elsewhere); unknown until asked. */
  private marks: boolean | undefined
  // Our writes inside someone else's transaction: 'all' (claims, new accounts) reloads memory
  // before it is trusted again; 'head' (postings applied to memory at once) stays right as long
  // as the file's head entry is the one memory holds, since a rollback of those postings removes
  // the entries on top: checked with one indexed read instead of a full reload.
  private readonly memory: AfterCommit
  private dataVersion = 0

  private constructor(readonly db: BillingDb) {
    this.memory = new AfterCommit(db.sqlite)
    this.stmts = prepareStatements(db.sqlite)
    this.reload()
  }

  /** Opening reads account rows and the last entry only: no scan of entries. */
  private reload(): void {
    this.dataVersion = this.stmts.dataVersion.get() as number
    this.balances.clear()
    for (const a of this.stmts.accounts.all()) this.balances.set(a.id, a.balance)
    const head = this.stmts.head.get()
    this.headSeq = head?.seq ?? 0
    this.headHash = head?.hash ?? GENESIS_HASH
    this.headAt = head?.created_at ?? 0
    this.claims.clear()
    this.marks = undefined
  }

  fresh(): void {
    const doubt = this.memory.take()
    if (doubt === 'all') this.reload()
    else if (doubt === 'head') {
      const head = this.stmts.head.get()
      if ((head?.seq ?? 0) !== this.headSeq || (head?.hash ?? GENESIS_HASH) !== this.headHash) this.reload()
    }
  }

  balance(id: string): number {
    this.fresh()
    return this.balances.get(id) ?? 0
  }

  /** Whether cached state may be out of date (written inside an outer transaction). */
  get isDirty(): boolean {
    return this.memory.inDoubt
  }

  claimed(owner: string): boolean {
    this.fresh()
    let c = this.claims.get(owner)
    if (c === undefined) {
      c = this.stmts.claimed.get(owner) !== undefined
      this.claims.set(owner, c)
    }
    return c
  }

  ensureAccounts(owner: string, currency: Currency, now: number): void {
    this.fresh()
    const missing = ACCOUNT_KINDS.filter((k) => !this.balances.has(accountId(k, currency, owner)))
    if (missing.length === 0) return
    const nested = this.memory.nested
    this.db.tx(() => {
      for (const k of missing) this.stmts.ensureAccount.run(accountId(k, currency, owner), owner, k, currency, now)
    })
    if (nested) this.memory.wroteInside('all')
    else this.reload()
  }

  /** Runs fn in one transaction; memory follows only after the commit. */
  transact<T>(fn: (tx: Posting) => T): T {
    this.fresh()
    const nested = this.memory.nested
    let tx: Posting | undefined
    const out = this.db.tx(() => {
      this.syncWithFile()
      tx = new Posting(this)
      return fn(tx)
    })
    if (tx?.changed) {
      if (nested && tx.touchesClaims) this.memory.wroteInside('all')
      else {
        tx.applyToMemory()
        if (nested) this.memory.wroteInside('head')
      }
    }
    return out
  }

  /**
   * Picks up commits made by another connection to the same file (PRAGMA data_version
   * changes only then). Called under the write lock at the start of every transaction, so
   * a second writer can never fork the chain or spend from stale balances.
   */
  syncWithFile(): void {
    if (this.stmts.dataVersion.get() !== this.dataVersion) this.reload()
  }

  /**
   * Whether any first-free mark exists: their keys live in the claims table, not the ledger,
   * so operations check that table for their key only when this is true (almost never).
   */
  hasMarks(): boolean {
    // Not fresh(): execute() runs inside transact(), which has just refreshed (a reload resets
    // this). usedKey() outside may miss a mark written in an open outer transaction; the
    // operation it guards checks again inside its own transaction.
    this.marks ??= this.stmts.anyMark.get() !== undefined
    return this.marks
  }

  markedElsewhere(): void {
    this.marks = true
  }

  markClaimed(owner: string): void {
    this.claims.set(owner, true)
  }
}

/** A transaction's view: committed balances plus what this transaction posted. */
export class Posting {
  changed = false
  private seq: number
  private hash: string
  private at: number
  private readonly deltas = new Map<string, number>()
  private readonly claimedOwners: string[] = []
  private marked = false

  constructor(private readonly core: LedgerCore) {
    this.seq = core.headSeq
    this.hash = core.headHash
    this.at = core.headAt
  }

  balance(id: string): number {
    return (this.core.balances.get(id) ?? 0) + (this.deltas.get(id) ?? 0)
  }

  /** The time to record: now, or the last entry's time if the clock went back (never decreases). */
  entryTime(now: number): number {
    return now > this.at ? now : this.at
  }

  draft(): Draft {
    return new Draft(this)
  }

  /**
   * Writes the draft's legs. Returns false, having written nothing, when leg 0 hits an
   * existing idempotency key (the caller replays or reports the conflict).
   */
  post(draft: Draft, key: string | null, fp: string | null, result: unknown, owner: string, currency: Currency, at: number): boolean {
    const { insertEntry, moveBalances } = this.core.stmts
    const legs = draft.legs
    const resultJson = result === undefined ? null : JSON.stringify(result)
    for (let i = 0; i < legs.length; i++) {
      const l = legs[i] as Leg
      const row: HashedFields = {
        seq: this.seq + 1,
        id: l.id,
        op_key: key,
        leg: i,
        type: l.type,
        owner,
        debit_account: l.debit,
        credit_account: l.credit,
        amount: l.amount,
        currency,
        ref: l.ref,
        feature: l.feature,
        reason: l.reason,
        fingerprint: i === 0 ? fp : null,
        result: i === 0 ? resultJson : null,
        created_at: at
      }
      const hash = entryHash(this.hash, row)
      try {
        insertEntry.run(
          row.seq, row.id, row.op_key, row.leg, row.type, row.owner, row.debit_account, row.credit_account,
          row.amount, row.currency, row.ref, row.feature, row.reason, row.fingerprint, row.result, row.created_at, hash
        )
      } catch (err) {
        if (i === 0 && key !== null && isKeyConflict(err)) return false
        throw err
      }
      if (moveBalances.run(l.credit, l.amount, l.amount, row.seq, hash, l.debit, l.credit).changes !== 2) {
        throw new LedgerCorrupt('a ledger account is missing', { debit: l.debit, credit: l.credit })
      }
      this.seq = row.seq
      this.hash = hash
      this.at = at
      this.deltas.set(l.debit, (this.deltas.get(l.debit) ?? 0) - l.amount)
      this.deltas.set(l.credit, (this.deltas.get(l.credit) ?? 0) + l.amount)
      this.changed = true
    }
    return true
  }

  claim(owner: string): void {
    this.claimedOwners.push(owner)
    this.changed = true
  }

  /** A first-free mark (claim made elsewhere) was written in this transaction. */
  mark(owner: string): void {
    this.claim(owner)
    this.marked = true
  }

  /** Whether it recorded first-free claims or marks (kept out of the head check). */
  get touchesClaims(): boolean {
    return this.claimedOwners.length > 0 || this.marked
  }

  applyToMemory(): void {
    const b = this.core.balances
    for (const [id, d] of this.deltas) b.set(id, (b.get(id) ?? 0) + d)
    this.core.headSeq = this.seq
    this.core.headHash = this.hash
    this.core.headAt = this.at
    for (const o of this.claimedOwners) this.core.markClaimed(o)
    if (this.marked) this.core.markedElsewhere()
  }
}

/** Legs an operation plans before anything is written; discarded if the operation fails. */
export class Draft {
  readonly legs: Leg[] = []
  private readonly deltas = new Map<string, number>()
  constructor(private readonly tx: Posting) {}

  balance(id: string): number {
    return this.tx.balance(id) + (this.deltas.get(id) ?? 0)
  }

  /** Adds a leg; a zero amount adds nothing (e.g. no remainder to release). */
  move(leg: Leg): this {
    if (leg.amount === 0) return this
    this.legs.push(leg)
    this.deltas.set(leg.debit, (this.deltas.get(leg.debit) ?? 0) - leg.amount)
    this.deltas.set(leg.credit, (this.deltas.get(leg.credit) ?? 0) + leg.amount)
    return this
  }
}

function isKeyConflict(err: unknown): boolean {
  const e = err as { code?: string; message?: string }
  return e?.code === 'SQLITE_CONSTRAINT_UNIQUE' && (e.message ?? '').includes('wallet_entries.op_key')
}
