import { canonicalJson } from '../core/fingerprint'
import { leaseFromRow, type Statements } from './statements'
import type { MemoryState } from './state'

// Checks the invariants the rest of the module relies on: every counter row equals the sum of
// its usage events, and the in-memory mirror equals the database. Reads everything: an admin
// and test tool, not for the hot path.

export interface QuotaVerifyReport {
  ok: boolean
  problems: string[]
}

export function verifyQuotas(st: Statements, mem: MemoryState): QuotaVerifyReport {
  const problems: string[] = []

  const sums = new Map<string, number>()
  for (const r of st.eventSums.all()) sums.set(`${r.feature}@${r.period_start}`, r.used)
  const rows = st.allCounters.all()
  for (const r of rows) {
    const k = `${r.feature}@${r.period_start}`
    const sum = sums.get(k) ?? 0
    if (sum !== r.used) problems.push(`counter ${k} is ${r.used} but its events sum to ${sum}`)
    sums.delete(k)
  }
  for (const [k, sum] of sums) problems.push(`events ${k} sum to ${sum} but there is no counter row`)

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
  return { ok: problems.length === 0, problems }
}
