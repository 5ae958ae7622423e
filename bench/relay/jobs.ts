import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PoolClient } from 'pg'
import type { JobRow } from '../../src/relay/store/ports'
import { openPgStore } from '../../src/relay/store/pg/open'
import { pgJobs } from '../../src/relay/store/pg/repos/jobs'
import { sqlOn, ts, type Sql } from '../../src/relay/store/pg/sql'
import { sqliteJobs } from '../../src/relay/store/sqlite/repos/jobs'
import { openSqliteStore } from '../../src/relay/store/sqlite/open'
import { nowNs, percentile, round } from '../stats'
import { benchDatabase } from './pg-database'

// Benchmark (a script, not a test): the relay's due-job scan on SQLite and on PostgreSQL.
// BENCH_JOBS scheduled jobs (default 1,000,000; one a second, the first BENCH_JOBS_DUE due,
// default 1,000; one in 10,000 running under a live lease), and the claim that runners make each
// round: the next 100 due leased in one statement (JobsRepo.claim), rolled back after each sample
// so every sample sees the same table. Beside it, the floor: a bare SELECT of the next 100 due
// ids on the same index (jobs_due).
// PostgreSQL (BENCH_PG=0 skips it; BENCH_SQLITE=0 skips SQLite): the same fixture, loaded by one
// INSERT … SELECT over generate_series, in a database of its own (BENCH_PG_URL, or a throwaway
// cluster this script starts and removes, on failure too: pg-database.ts); each sample a
// REPEATABLE READ transaction (as a unit of work) rolled back after the claim. The claim's plans
// (custom and generic, EXPLAIN ANALYZE) are printed with the figures.
// Last line: {jobs_pick_ms, jobs_pick_floor_ms, jobs_pick_pg_ms, jobs_pick_pg_floor_ms, …}
// (medians of SAMPLES, with p99s).

const N = Number(process.env['BENCH_JOBS'] ?? 1_000_000)
const SAMPLES = 50
const T = Date.UTC(2026, 0, 1)
// BENCH_JOBS_DUE (default 1,000) are due at `now` (a backlog); the claim takes the first 100.
const DUE = Number(process.env['BENCH_JOBS_DUE'] ?? 1000)
const NOW = T + Math.min(DUE, N) * 1000
const PICK = Math.min(100, N)

const ms = (ns: number[]) => round(percentile(ns, 50) / 1e6)
const p99 = (ns: number[]) => round(percentile(ns, 99) / 1e6)

function check(n: number): void {
  if (n !== PICK) throw new Error(`picked ${n}, expected ${PICK}`)
}

async function sqlitePhase() {
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
    const now = NOW
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
        check(n)
        if (i >= 5) out.push(ns)
      }
      return out.sort((a, b) => a - b)
    }
    const pick = time(() => (jobs.claim(now, 'bench-runner', now + 60_000, 100) as JobRow[]).length)
    const bare = time(() => floor.all(now).length)
    const figures = { jobs_pick_ms: ms(pick), jobs_pick_floor_ms: ms(bare), jobs_pick_p99_ms: p99(pick), jobs: N }
    console.log(`SQLite: due-job scan over ${N} jobs: claim of the next 100 ${figures.jobs_pick_ms} ms (p99 ${figures.jobs_pick_p99_ms}), bare indexed SELECT ${figures.jobs_pick_floor_ms} ms`)
    return figures
  } finally {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The same fixture in one statement: row i as the SQLite loop writes it. */
const PG_FIXTURE = `INSERT INTO jobs (id, kind, key, payload, run_at, attempts, state, lease_owner, lease_until, created_at, updated_at)
  SELECT 'job_' || i, 'notices.email', 'k' || i, '{}', $1::timestamptz + i * interval '1 second', 0,
         CASE WHEN i % 10000 = 9999 THEN 'running' ELSE 'pending' END,
         CASE WHEN i % 10000 = 9999 THEN 'bench' END,
         CASE WHEN i % 10000 = 9999 THEN $1::timestamptz + interval '10 days' END,
         $1, $1
  FROM generate_series(0, $2::int - 1) AS i`

async function pgPhase() {
  const db = await benchDatabase('due-job scan')
  if (!db) return undefined
  let client: PoolClient | undefined
  const store = await openPgStore({ url: db.url, poolMax: 2, statementTimeoutMs: 600_000 }).catch(async (err: unknown) => {
    await db.remove()
    throw err
  })
  try {
    const loadStarted = performance.now()
    await store.pool.query(PG_FIXTURE, [ts(T), N])
    // Statistics and the visibility map as a settled table has them (autovacuum's work, done now).
    await store.pool.query('VACUUM (ANALYZE) jobs')
    const loadSeconds = round((performance.now() - loadStarted) / 1000, 1)
    client = await store.pool.connect()
    const c = client
    // The claim's text and values as the repository sends them, for its EXPLAIN below.
    let claimQuery: { text: string; values: readonly unknown[] } | undefined
    const base = sqlOn(c)
    const recording: Sql = {
      ...base,
      all: (text, values) => {
        claimQuery ??= { text, values: values ?? [] }
        return base.all(text, values)
      }
    }
    const jobs = pgJobs(recording)
    const floorText = "SELECT id FROM jobs WHERE state = 'pending' AND run_at <= $1 ORDER BY run_at LIMIT 100"
    const time = async (fn: () => Promise<number>): Promise<number[]> => {
      const out: number[] = []
      for (let i = 0; i < SAMPLES + 5; i++) {
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ')
        const t0 = nowNs()
        const n = await fn()
        const ns = Number(nowNs() - t0)
        await c.query('ROLLBACK')
        check(n)
        if (i >= 5) out.push(ns)
      }
      return out.sort((a, b) => a - b)
    }
    const pick = await time(async () => (await jobs.claim(NOW, 'bench-runner', NOW + 60_000, 100)).length)
    const bare = await time(async () => (await base.all(floorText, [ts(NOW)])).length)
    // How the prepared claim was planned in the samples (generic once PostgreSQL chose to).
    const plans = (
      await c.query<{ generic_plans: string; custom_plans: string }>('SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1', [
        claimQuery!.text
      ])
    ).rows[0]
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ')
    const explain = (await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${claimQuery!.text}`, claimQuery!.values as unknown[])).rows
    await c.query('ROLLBACK')
    // The generic plan (what PostgreSQL may switch a prepared statement to after five runs):
    // EXPLAIN of the text itself is always planned for its values, EXECUTE of a PREPARE is not.
    await c.query(`PREPARE bench_claim AS ${claimQuery!.text}`)
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ')
    await c.query('SET LOCAL plan_cache_mode = force_generic_plan')
    // EXECUTE takes no bound parameters: its arguments as literals.
    const args = claimQuery!.values.map((v) => c.escapeLiteral(v instanceof Date ? v.toISOString() : String(v))).join(', ')
    const generic = (await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_claim(${args})`)).rows
    await c.query('ROLLBACK')
    await c.query('DEALLOCATE bench_claim')
    const figures = {
      jobs_pick_pg_ms: ms(pick),
      jobs_pick_pg_p99_ms: p99(pick),
      jobs_pick_pg_floor_ms: ms(bare),
      jobs_pick_pg_floor_p99_ms: p99(bare),
      jobs_pg_load_s: loadSeconds
    }
    console.log(`PostgreSQL: the claim's plan (custom, EXPLAIN ANALYZE):\n${explain.map((r) => `  ${r['QUERY PLAN']}`).join('\n')}`)
    console.log(`PostgreSQL: the claim's generic plan:\n${generic.map((r) => `  ${r['QUERY PLAN']}`).join('\n')}`)
    console.log(`PostgreSQL: the samples ran ${plans?.custom_plans ?? '?'} custom and ${plans?.generic_plans ?? '?'} generic plans of the claim`)
    console.log(
      `PostgreSQL: due-job scan over ${N} jobs (loaded in ${loadSeconds} s): claim of the next 100 ${figures.jobs_pick_pg_ms} ms (p99 ${figures.jobs_pick_pg_p99_ms}), bare indexed SELECT ${figures.jobs_pick_pg_floor_ms} ms (p99 ${figures.jobs_pick_pg_floor_p99_ms})`
    )
    return figures
  } finally {
    client?.release()
    await store.close()
    await db.remove()
  }
}

const sqlite = process.env['BENCH_SQLITE'] === '0' ? {} : await sqlitePhase()
const pgFigures = process.env['BENCH_PG'] === '0' ? undefined : await pgPhase()
console.log(JSON.stringify({ ...sqlite, ...(pgFigures ?? {}), jobs: N, ...(DUE === 1000 ? {} : { due: DUE }) }))
