import { chainHash, GENESIS_HASH } from '../../node/hashchain'
import type { BillingDb, Sqlite } from '../db/open'

// The verified checkpoint (table integrity_checkpoints): where each ledger's chain stood when
// the last full check found the file whole. Start-up walks only the rows after it (start-check.ts),
// so opening a large file costs the rows written since, not the whole file. It stays tamper
// evidence: a checkpoint must match the chain (its row is there with its hash) and itself (its
// mark), and the running sums it carries must lead to the cached balances and counters; an edit
// before it is found by the next full check (full-check.ts), which walks from genesis.

export const LEDGERS = ['wallet', 'subscriptions', 'usage'] as const
export type LedgerName = (typeof LEDGERS)[number]

/** A chain's last row, its row count and its running sums (per account, per period; none for subscriptions). */
export interface ChainTail {
  seq: number
  hash: string
  count: number
  sums: Record<string, number>
}

export type Checkpoints = Record<LedgerName, ChainTail>

interface CheckpointRow {
  ledger: string
  seq: number
  hash: string
  count: number
  sums: string
  checked_at: number
  mark: string
}

const markOf = (r: Omit<CheckpointRow, 'mark'>): string => chainHash(r.hash, [r.ledger, r.seq, r.count, r.sums, r.checked_at])

/** The checkpoints on file: none before the first whole full check; problems when a row was edited. */
export function readCheckpoints(sqlite: Sqlite): { checkpoints: Checkpoints | null; problems: string[] } {
  const rows = sqlite.prepare<[], CheckpointRow>('SELECT * FROM integrity_checkpoints').all()
  if (rows.length === 0) return { checkpoints: null, problems: [] }
  const problems: string[] = []
  const found = new Map<string, ChainTail>()
  for (const r of rows) {
    let sums: unknown = null
    try {
      sums = JSON.parse(r.sums)
    } catch {
      sums = null
    }
    if (markOf(r) !== r.mark || typeof sums !== 'object' || sums === null || !(LEDGERS as readonly string[]).includes(r.ledger)) {
      problems.push(`the integrity checkpoint of ${r.ledger} does not match itself: edited`)
      continue
    }
    found.set(r.ledger, { seq: r.seq, hash: r.hash, count: r.count, sums: sums as Record<string, number> })
  }
  for (const l of LEDGERS) if (!found.has(l) && !problems.length) problems.push(`the integrity checkpoint of ${l} is missing`)
  if (problems.length) return { checkpoints: null, problems }
  return { checkpoints: Object.fromEntries(found) as Checkpoints, problems }
}

const TAIL_ROW: Record<LedgerName, string> = {
  wallet: 'SELECT hash FROM wallet_entries WHERE seq = ?',
  subscriptions: 'SELECT hash FROM subscription_events WHERE seq = ?',
  usage: 'SELECT hash FROM usage_events WHERE seq = ?'
}

/** An empty chain's seq: 0 for the wallet and subscriptions, the usage chain's sentinel (quotas/verify.ts). */
const emptySeq = (l: LedgerName): number => GENESIS_TAILS[l].seq

/**
 * Records a whole full check's tails as the checkpoint. Returns false, writing nothing, when a
 * tail's row is no longer in the file as the check read it (edited since: the next check says so).
 */
export function writeCheckpoints(db: BillingDb, tails: Checkpoints, now: number): boolean {
  return db.tx(() => {
    for (const l of LEDGERS) {
      const t = tails[l]
      if (t.seq === emptySeq(l)) continue
      const hash = db.sqlite.prepare<[number], string>(TAIL_ROW[l]).pluck().get(t.seq)
      if (hash !== t.hash) return false
    }
    const put = db.sqlite.prepare<[string, number, string, number, string, number, string]>(
      `INSERT INTO integrity_checkpoints (ledger, seq, hash, count, sums, checked_at, mark) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(ledger) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, count = excluded.count,
         sums = excluded.sums, checked_at = excluded.checked_at, mark = excluded.mark`
    )
    for (const l of LEDGERS) {
      const t = tails[l]
      const row = { ledger: l, seq: t.seq, hash: t.hash, count: t.count, sums: JSON.stringify(t.sums), checked_at: now }
      put.run(row.ledger, row.seq, row.hash, row.count, row.sums, row.checked_at, markOf(row))
    }
    return true
  })
}

/** The tails of empty chains: a walk from them is a walk from genesis. */
export const GENESIS_TAILS: Checkpoints = {
  wallet: { seq: 0, hash: GENESIS_HASH, count: 0, sums: {} },
  subscriptions: { seq: 0, hash: GENESIS_HASH, count: 0, sums: {} },
  usage: { seq: Number.MIN_SAFE_INTEGER, hash: GENESIS_HASH, count: 0, sums: {} }
}

/** Whether more than `limit` rows were written after the tails (each count stops at limit + 1: a seek, not a scan). */
export function moreRowsSince(sqlite: Sqlite, tails: Checkpoints, limit: number): boolean {
  let left = limit
  for (const [table, seq] of [
    ['wallet_entries', tails.wallet.seq],
    ['subscription_events', tails.subscriptions.seq],
    ['usage_events', tails.usage.seq]
  ] as const) {
    left -= sqlite.prepare<[number, number], number>(`SELECT count(*) FROM (SELECT 1 FROM ${table} WHERE seq > ? LIMIT ?)`).pluck().get(seq, left + 1) ?? 0
    if (left < 0) return true
  }
  return false
}

/**
 * Rows start-up walks on the main thread at most; with more, the full check on the worker runs at
 * once instead. Small, because the walk shares its turn with opening the file (≈ 6 µs a row).
 */
export const START_WALK_LIMIT = 1_000

/**
 * What start-up checks: the rows after the checkpoint (from genesis without one) when they are
 * few, else nothing here (the worker's full check then runs at once). `problems`: the
 * checkpoint itself was edited.
 */
export function planStartCheck(sqlite: Sqlite, limit = START_WALK_LIMIT): { walk: boolean; since: Checkpoints | undefined; problems: string[] } {
  const { checkpoints, problems } = readCheckpoints(sqlite)
  const walk = !moreRowsSince(sqlite, checkpoints ?? GENESIS_TAILS, limit)
  return { walk, since: checkpoints ?? undefined, problems }
}

/** The checkpoint against itself and the chain, for the full check (which walks from genesis). */
export function checkpointProblems(sqlite: Sqlite): string[] {
  const { checkpoints, problems } = readCheckpoints(sqlite)
  if (!checkpoints) return problems
  for (const l of LEDGERS) {
    const t = checkpoints[l]
    if (t.seq === emptySeq(l)) continue
    if (sqlite.prepare<[number], string>(TAIL_ROW[l]).pluck().get(t.seq) !== t.hash) {
      problems.push(`the integrity checkpoint of ${l} names row ${t.seq}, which the chain does not hold`)
    }
  }
  return problems
}
