import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { JobRow } from '../../src/relay/store/ports'
import { sqliteJobs } from '../../src/relay/store/sqlite/repos/jobs'
import { openSqliteStore } from '../../src/relay/store/sqlite/open'
import { nowNs, percentile, round } from '../stats'

// Benchmark (a script, not a test): the relay's due-job scan on SQLite. BENCH_JOBS scheduled
// jobs (default 1,000,000; one a second, the first 1,000 due; one in 10,000 running under a live
// lease), and the claim that runners make each round: the next 100 due leased in one statement
// (JobsRepo.claim), rolled back after each sample so every sample sees the same table. Beside
// it, the floor: a bare SELECT of the next 100 due ids on the same index (jobs_due).
// Last line: {jobs_pick_ms, jobs_pick_floor_ms, jobs} (medians of SAMPLES).

const N = Number(process.env['BENCH_JOBS'] ?? 1_000_000)
const SAMPLES = 50
const T = Date.UTC(2026, 0, 1)

const dir = mkdtempSync(join(tmpdir(), 'bench-jobs-'))
const store = openSqliteStore({ path: join(dir, 'relay.sqlite'), durability: 'normal' })
try {
  const s = store.sqlite
  const insert = s.prepare(
    "INSERT INTO jobs (id, kind, key, payload, run_at, attempts, state, lease_owner, lease_until, created_at, updated_at) VALUES (?, 'notices.email', ?, '{}', ?, 0, ?, ?, ?, ?, ?)"
  )
  s.transaction(() => {
    for (let i = 0; i < N; i++) {
      // One in 10,000 is running under a live lease (a runner's batch in hand): not due.
      const running = i % 10_000 === 9_999
      insert.run(`job_${i}`, `k${i}`, T + i * 1000, running ? 'running' : 'pending', running ? 'bench' : null, running ? T + 10 * 86_400_000 : null, T, T)
    }
  })()
  s.pragma('optimize')
  // 1,000 are due at `now` (a backlog); the claim takes the first 100.
  const now = T + Math.min(1000, N) * 1000
  const jobs = sqliteJobs(s)
  const floor = s.prepare("SELECT id FROM jobs WHERE state = 'pending' AND run_at <= ? ORDER BY run_at LIMIT 100")
  const time = (fn: () => number): number[] => {
    const out: number[] = []
    for (let i = 0; i < SAMPLES + 5; i++) {
      s.exec('BEGIN IMMEDIATE')
      const t0 = nowNs()
      const n = fn()
      const ns = Number(nowNs() - t0)
      s.exec('ROLLBACK')
      if (n !== Math.min(100, N)) throw new Error(`picked ${n}, expected ${Math.min(100, N)}`)
      if (i >= 5) out.push(ns)
    }
    return out.sort((a, b) => a - b)
  }
  const pick = time(() => (jobs.claim(now, 'bench-runner', now + 60_000, 100) as JobRow[]).length)
  const bare = time(() => floor.all(now).length)
  const ms = (ns: number[]) => round(percentile(ns, 50) / 1e6)
  const figures = { jobs_pick_ms: ms(pick), jobs_pick_floor_ms: ms(bare), jobs_pick_p99_ms: round(percentile(pick, 99) / 1e6), jobs: N }
  console.log(`due-job scan over ${N} jobs: claim of the next 100 ${figures.jobs_pick_ms} ms (p99 ${figures.jobs_pick_p99_ms}), bare indexed SELECT ${figures.jobs_pick_floor_ms} ms`)
  console.log(JSON.stringify(figures))
} finally {
  await store.close()
  rmSync(dir, { recursive: true, force: true })
}
