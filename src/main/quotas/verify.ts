import { canonicalJson } from '../../node/fingerprint'
import { GENESIS_HASH, usageHash, type UsageHead } from './chain'
import { leaseFromRow, type Statements } from './statements'
import type { MemoryState } from './state'

// Checks the invariants the rest of the module relies on: the usage events form an unbroken
// hash chain (an edited or deleted event breaks it), each event's used_after is the running
// sum of its period's events, the file's last event is the head this process wrote, every
// counter row equals the sum of its usage events, and the in-memory mirror equals the
// database. Reads everything: an admin and test tool, not for the hot path.

const MAX_CHAIN_PROBLEMS = 100

export interface QuotaVerifyReport {
  ok: boolean
  problems: string[]
  /** The chain's last event and each period's running sum there (a checkpoint's figures). */
  tail: { seq: number; hash: string; count: number; sums: Record<string, number> }
}

/** Where a walk starts after a verified checkpoint: that event, and each period's running sum there. */
export interface UsageStart {
  seq: number
  hash: string
  count: number
  sums: Record<string, number>
}

/**
 * `from`: walk only the events after it (it must be in the file with its hash).
 * `head`: the chain head this process committed, or null while it is unknown (inside a caller's
 * transaction). `mem`: null for a check of the file alone (the full check on a worker thread).
 */
export function verifyQuotas(st: Statements, mem: MemoryState | null, head: UsageHead | null, from?: UsageStart): QuotaVerifyReport {
  const problems: string[] = []
  let chainProblems = 0
  const chain = (msg: string): void => {
    if (chainProblems++ < MAX_CHAIN_PROBLEMS) problems.push(msg)
  }

  let prev = from?.hash ?? GENESIS_HASH
  let last: UsageHead = from ? { seq: from.seq, hash: from.hash } : { seq: Number.MIN_SAFE_INTEGER, hash: GENESIS_HASH }
  const running = new Map<string, number>(Object.entries(from?.sums ?? {}))
  let count = from?.count ?? 0
  if (from && from.seq !== Number.MIN_SAFE_INTEGER && st.eventHashAt.get(from.seq) !== from.hash) {
    problems.push(`the integrity checkpoint names usage event ${from.seq}, which the chain does not hold`)
  }
  for (const r of (from ? st.eventsAfter.iterate(from.seq) : st.allEvents.iterate())) {
    count++
    const h = usageHash(prev, r)
    if (h !== r.hash) chain(`usage event ${r.seq} (${r.key}) does not match its hash: edited, or an event before it was deleted`)
    // Continue from the stored hash, so one edited row is reported once, not with all its successors.
    prev = r.hash
    last = { seq: r.seq, hash: r.hash }
    const k = `${r.feature}@${r.period_start}`
    const used = (running.get(k) ?? 0) + r.qty
    running.set(k, used)
    if (used !== r.used_after) chain(`usage event ${r.seq} (${r.key}) says ${r.used_after} used, its period's events sum to ${used}`)
  }
  if (head !== null && (head.seq !== last.seq || head.hash !== last.hash)) {
    problems.push(`the usage history ends at event ${last.seq} but this process last wrote ${head.seq}`)
  }

  // After a checkpoint, the running sums are the events' sums (those before it were verified).
  const sums = from ? new Map(running) : new Map<string, number>()
  if (!from) for (const r of st.eventSums.all()) sums.set(`${r.feature}@${r.period_start}`, r.used)
  const rows = st.allCounters.all()
  for (const r of rows) {
    const k = `${r.feature}@${r.period_start}`
    const sum = sums.get(k) ?? 0
    if (sum !== r.used) problems.push(`counter ${k} is ${r.used} but its events sum to ${sum}`)
    sums.delete(k)
  }
  for (const [k, sum] of sums) problems.push(`events ${k} sum to ${sum} but there is no counter row`)
  const tail = { seq: last.seq, hash: last.hash, count, sums: Object.fromEntries(running) }
  if (mem === null) return { ok: problems.length === 0, problems, tail }

  for (const f of mem.counters) {
    const db = st.counterUsed.get(f.name, mem.periodStart) ?? 0
    if (db !== f.used) problems.push(`memory counter ${f.name} is ${f.used}, database ${db}`)
  }

  const dbLeases = st.liveLeases
    .all()
    .map(leaseFromRow)
    .sort((a, b) => (a.id < b.id ? -1 : 1))
  const memLeases = mem.snapshot().leases
  if (canonicalJson(dbLeases) !== canonicalJson(memLeases)) problems.push('memory leases differ from the database')
  for (const f of mem.gauges) {
    const db = dbLeases.filter((l) => l.feature === f.name).reduce((s, l) => s + l.qty, 0)
    if (db !== f.used) problems.push(`memory gauge ${f.name} is ${f.used}, database ${db}`)
  }
  return { ok: problems.length === 0, problems, tail }
}
