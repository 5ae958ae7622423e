import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { sessionCompletedEvent, startFakeStripe } from '../../test/relay/fakes/stripe'
import { stripeEnv, STRIPE_SECRET_KEY } from '../../test/relay/support/stripe'
import { postgresBin, startCluster } from '../../test/relay/support/pg-cluster'
import { closedLoop, cpuSeconds, seedOrders, startChild, stopChild } from './notify'

// A quick look at the relay on PostgreSQL alone (a script, not the benchmark): a throwaway cluster,
// one relay child, PG_PROBE_N notifications in a closed loop of 32 connections, then req/s, the
// CPU per notification of the relay (all threads, event loop) and of its PostgreSQL backends, and
// the tables' scans. With RELAY_PG_STATS=<file> the relay appends its store counters there at exit
// (src/relay/store/pg/stats.ts). BENCH_PROFILE=<dir>: CPU profile of the relay child.

const N = Number(process.env['PG_PROBE_N'] ?? 2000)
const bin = postgresBin()
if (!bin) throw new Error('no /usr/lib/postgresql/*/bin')
const cluster = await startCluster(bin)
const fake = await startFakeStripe({ apiKey: STRIPE_SECRET_KEY })
const dataDir = mkdtempSync(join(tmpdir(), 'probe-'))
try {
  await probe()
} finally {
  await fake.close()
  cluster.stop()
  rmSync(dataDir, { recursive: true, force: true })
}

async function probe(): Promise<void> {
  const admin = new pg.Client({ connectionString: cluster.url })
  await admin.connect()
  await admin.query('CREATE DATABASE probe')
  await admin.end()
  const u = new URL(cluster.url)
  u.pathname = '/probe'
  const url = u.toString()
  let t = Date.now()
  const orders = await seedOrders(dataDir, N + 200, url)
  console.log(`seeded ${N + 200} orders in ${Date.now() - t} ms`)
  const created = Math.floor(Date.now() / 1000)
  const shots = orders.map((o, i) => ({ body: JSON.stringify(sessionCompletedEvent({ orderNo: o.orderNo, amount: o.amount, currency: 'cny', created, paid: true, eventId: `evt_p_${i}` })) }))
  const env = { RELAY_DATA_DIR: dataDir, RELAY_PORT: '0', RELAY_LOG_LEVEL: 'warn', RELAY_DATABASE_URL: url, RELAY_RATE_NOTIFY_PER_MIN: '10000000', ...(stripeEnv(fake) as Record<string, string>) }
  const one = await startChild('src/relay/start.ts', env)
  await closedLoop(one.url, shots.slice(0, 200))
  const db = new pg.Client({ connectionString: url })
  await db.connect()
  await db.query('SELECT pg_stat_reset()')
  const pids = (await db.query(`SELECT pid FROM pg_stat_activity WHERE datname = 'probe'`)).rows.map((x) => x.pid as number)
  const pgCpu = () => pids.reduce((a, p) => a + (cpuSeconds(p) || 0), 0)
  t = Date.now()
  const c0 = cpuSeconds(one.proc.pid), m0 = cpuSeconds(one.proc.pid, true), p0 = pgCpu()
  const r = await closedLoop(one.url, shots.slice(200))
  const secs = (Date.now() - t) / 1000
  const perNotification = (cpu: number) => `${((cpu / r.count) * 1e6).toFixed(0)} µs`
  console.log(`closed loop: ${r.rps.toFixed(0)} req/s (${r.count} notifications, ${r.failures} non-200, ${secs.toFixed(1)} s)`)
  console.log(
    `CPU per notification: relay ${perNotification(cpuSeconds(one.proc.pid) - c0)} (event loop ${perNotification(cpuSeconds(one.proc.pid, true) - m0)}), PostgreSQL backends ${perNotification(pgCpu() - p0)}; load ${loadavg()[0]}`
  )
  // A table read by sequential scans in the hot path shows here.
  const tables = await db.query(`SELECT relname, seq_scan, seq_tup_read, idx_scan, n_tup_ins, n_tup_upd FROM pg_stat_user_tables WHERE seq_scan > 0 OR idx_scan > 0 ORDER BY seq_tup_read DESC`)
  console.table(tables.rows)
  await stopChild(one.proc)
  await db.end()
}
