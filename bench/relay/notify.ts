import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import Database from 'better-sqlite3'
import { openRelay } from '../../src/relay/app'
import { defaultConfig } from '../../src/relay/config/config'
import type { PaymentProvider } from '../../src/relay/providers/types'
import { sessionCompletedEvent, signStripeEvent, startFakeStripe } from '../../test/relay/fakes/stripe'
import { stripeEnv, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET } from '../../test/relay/support/stripe'
import { createPeerDatabase, peerCounts } from './peer-store'
import { benchDatabase } from './pg-database'

// Benchmark (a script, not a test): verified Stripe notifications per second through the relay
// (real Stripe adapter, each notification a distinct order paid: verify, one transaction,
// feed record signed, reply after commit) beside three other servers given the same bodies, in
// the same run, all child processes on 127.0.0.1, driven by this process:
//   - durable floor (durable-floor-server.ts, the target: relay ≥ 60 % of it): node:http, the
//     same HMAC check, one appended row per notification, group committed with the relay's
//     durability (its WalSync and checkpoint thread);
//   - peer (peer-server.ts, the target: relay ≥ 3× it): Fastify, stripe.webhooks.constructEvent,
//     one better-sqlite3 transaction per notification with synchronous=FULL (replay guard,
//     payment row, order row), its orders seeded from the same list as the relay's;
//   - bare floor (floor-server.ts): the HMAC check alone, writing nothing (no longer a target).
// At the start each server but the relay must refuse a bad signature with 400; at the end the
// rows in the durable floor's and the peer's files must equal the requests they answered 200.
//   phase 1: closed loop, CONCURRENCY connections, ROUNDS rounds of bare floor, durable floor,
//            peer, relay (the order turning by one each round), each at most ROUND_REQUESTS or
//            MAX_SECONDS → rps. A round is ~1 s, so one GC pause, WAL checkpoint or burst of
//            other work on the shared cores moves a single round's ratio by ±15 points; the
//            figures are the medians over the rounds (ratios: of each round's pair). The relay's CPU per request includes signing the
//            round's feed records, which it does once idle (the bench waits for that before the
//            next round). Each round also gives the relay's event loop alone: its CPU per
//            request and busy share during the round (1 = saturated; the bound on its req/s).
//   phase 2: open loop at RATE req/s for RATE_SECONDS → p50 / p99 latency, each server in turn
//   phase 3 (PostgreSQL, when BENCH_PG_URL names an admin URL or local binaries start a
//            throwaway cluster; BENCH_PG=0 skips it): the same rounds and open loop against one
//            relay on PostgreSQL, then the rounds split across two relays on the same database.
// Env: BENCH_DURABILITY=full|normal (relay's and durable floor's durability; default full; the
//      peer stays FULL). BENCH_ROUNDS / BENCH_ROUND_REQUESTS / BENCH_RATE_SECONDS: smaller runs
//      (a check that the script works).
//      BENCH_RELAY_WITHOUT_SQL=1: the relay with its notification SQL replaced by a no-op
//      (relay-without-sql.ts): what HTTP and verification alone cost. Not the benchmark's figure.
// Last line: one JSON object with relay_rps, durable_floor_rps, peer_rps, relay_durable_ratio,
// relay_peer_ratio, relay_p99_ms, floor_rps, relay_pg_rps, relay_pg2_rps, relay_pg_p99_ms (and more).

const CONCURRENCY = 32
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5)
const ROUND_REQUESTS = Number(process.env['BENCH_ROUND_REQUESTS'] ?? 3000)
const MAX_SECONDS = 6
const RATE = 1000
const RATE_SECONDS = Number(process.env['BENCH_RATE_SECONDS'] ?? 3)
const durability = process.env['BENCH_DURABILITY'] === 'normal' ? 'normal' : 'full'
const withoutSql = process.env['BENCH_RELAY_WITHOUT_SQL'] === '1'
const root = fileURLToPath(new URL('../../', import.meta.url))

export function startChild(script: string, env: Record<string, string>): Promise<{ proc: ChildProcess; url: string }> {
  // BENCH_PROFILE=<dir>: CPU profile of the relay child, written when it stops.
  const relayChild = script.includes('src/relay') || script.includes('relay-without-sql')
  const prof = process.env['BENCH_PROFILE'] && relayChild ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROFILE']}`] : []
  // BENCH_PRELOAD=<module>: imported first in the relay child (a measuring aid, e.g. a statement timer).
  if (process.env['BENCH_PRELOAD'] && relayChild) prof.push('--import', process.env['BENCH_PRELOAD'])
  // BENCH_RELAY_ROOT=<checkout>: run the relay child from another tree (A/B against a commit).
  const cwd = relayChild ? (process.env['BENCH_RELAY_ROOT'] ?? root) : root
  const proc = spawn(process.execPath, [...prof, '--import', 'tsx', script], {
    cwd,
    // RELAY_PG_STATS: the PostgreSQL store's counters, printed by the relay child at exit (store/pg/stats.ts).
    env: { PATH: process.env['PATH'] ?? '', ...(process.env['RELAY_PG_STATS'] ? { RELAY_PG_STATS: process.env['RELAY_PG_STATS'] } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  return new Promise((resolve, reject) => {
    const onData = (c: Buffer) => {
      // The child's store counters (RELAY_PG_STATS), printed as it stops.
      if (process.env['RELAY_PG_STATS'] && c.toString().includes('relay-pg-stats')) console.log(c.toString().trim())
      out += c.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m) resolve({ proc, url: m[1]! })
    }
    proc.stdout!.on('data', onData)
    proc.stderr!.on('data', onData)
    proc.on('exit', (code) => reject(new Error(`${script} exited ${code}: ${out}`)))
  })
}

export async function stopChild(proc: ChildProcess): Promise<void> {
  // Already stopped (the durable floor and the peer are stopped early to count their rows).
  if (proc.exitCode !== null || proc.signalCode !== null) return
  const exited = new Promise((r) => proc.on('exit', r))
  proc.kill('SIGTERM')
  await exited
}

/** Creates `n` pending Stripe orders in the relay's store, in-process, before the relay starts. */
export async function seedOrders(dataDir: string, n: number, databaseUrl?: string): Promise<{ orderNo: string; amount: number }[]> {
  const stub: PaymentProvider = {
    name: 'stripe',
    createCheckout: async (req) => ({ kind: 'url', content: 'https://x', providerRef: `cs_${req.orderNo}`, expiresAt: req.expiresAt }),
    verifyNotification: async () => [],
    accepted: () => ({ status: 200, body: '', contentType: 'text/plain' }),
    rejected: () => ({ status: 400, body: '', contentType: 'text/plain' })
  }
  const config = defaultConfig({ dataDir, logLevel: 'silent', durability: 'normal' })
  if (databaseUrl) config.database = { url: databaseUrl, poolMax: 4, statementTimeoutMs: 60_000, connectTimeoutMs: 5000 }
  const relay = await openRelay(config, { providers: [stub] })
  // BENCH_ACCOUNTS=<n>: the orders spread round-robin over n accounts (default 1: one streamer's payments).
  const ctxs: { accountId: string; deviceId: string }[] = []
  for (let a = 0; a < Math.max(1, Number(process.env['BENCH_ACCOUNTS'] ?? 1)); a++) {
    const enrol = await relay.core.accounts.createEnrolment(undefined, `bench-${a}`)
    const dev = await relay.core.accounts.enrol(enrol.code, `bench-${a}`)
    ctxs.push({ accountId: dev.accountId, deviceId: dev.deviceId })
  }
  const orders: { orderNo: string; amount: number }[] = []
  for (let i = 0; i < n; i++) {
    const amount = 100 + (i % 400_000)
    const ctx = ctxs[i % ctxs.length]!
    const r = await relay.core.checkouts.create(ctx, `bench-key-${i}`, {
      provider: 'stripe',
      item: { kind: 'recharge', amount: { amount, currency: 'CNY' } }
    })
    orders.push({ orderNo: r.order.orderNo, amount })
  }
  await relay.stop()
  return orders
}

export interface Shot {
  body: string
}

export function post(agent: Agent, url: URL, shot: Shot): Promise<{ status: number; ms: number }> {
  const started = process.hrtime.bigint()
  const sig = signStripeEvent(shot.body, STRIPE_WEBHOOK_SECRET, Math.floor(Date.now() / 1000))
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: '/v1/notify/stripe',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(shot.body), 'stripe-signature': sig }
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - started) / 1e6 }))
      }
    )
    req.on('error', reject)
    req.end(shot.body)
  })
}

/** Resolves once the relay's /health reports no feed record waiting for its signature. */
export async function signingDone(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await new Promise((r) => setTimeout(r, 250))
    const health = (await (await fetch(`${url}/health`)).json()) as { signingBacklog?: number }
    if (!health.signingBacklog) return
  }
  throw new Error('the relay did not sign its feed backlog within 50 s')
}

/**
 * CPU seconds (user + system) a child has used so far, from /proc (Linux); NaN elsewhere.
 * `mainThread`: only its main thread (the event loop), not checkpoint, fsync or V8 threads.
 */
export function cpuSeconds(pid: number | undefined, mainThread = false): number {
  try {
    const fields = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100 // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return NaN
  }
}

/** CONCURRENCY connections in all; with several URLs, split evenly across them. */
export async function closedLoop(url: string | string[], shots: Shot[]): Promise<{ rps: number; count: number; failures: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const targets = (Array.isArray(url) ? url : [url]).map((u) => new URL(u))
  let next = 0
  let failures = 0
  const deadline = Date.now() + MAX_SECONDS * 1000
  const started = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, worker) => {
      const target = targets[worker % targets.length]!
      while (next < shots.length && Date.now() < deadline) {
        const r = await post(agent, target, shots[next++]!)
        if (r.status !== 200) failures++
      }
    })
  )
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  agent.destroy()
  return { rps: next / seconds, count: next, failures }
}

async function openLoop(url: string, shots: Shot[]): Promise<{ p50: number; p99: number; count: number; failures: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 })
  const target = new URL(url)
  const latencies: number[] = []
  let failures = 0
  const total = Math.min(shots.length, RATE * RATE_SECONDS)
  const inflight: Promise<void>[] = []
  const start = performance.now()
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / RATE
    const wait = due - performance.now()
    if (wait > 1) await new Promise((r) => setTimeout(r, wait))
    inflight.push(
      post(agent, target, shots[i]!).then((r) => {
        latencies.push(r.ms)
        if (r.status !== 200) failures++
      })
    )
  }
  await Promise.all(inflight)
  agent.destroy()
  latencies.sort((a, b) => a - b)
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!
  return { p50: q(0.5), p99: q(0.99), count: total, failures }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Median req/s and CPU per request over the rounds, with every request and failure counted. */
function summarise(runs: { rps: number; count: number; failures: number; cpuUs: number }[]) {
  return {
    rps: median(runs.map((r) => r.rps)),
    cpuUs: median(runs.map((r) => r.cpuUs)),
    count: runs.reduce((a, r) => a + r.count, 0),
    failures: runs.reduce((a, r) => a + r.failures, 0)
  }
}

/** A notification with a wrong signature: every server but the relay must answer 400 (it verifies). */
async function refusesBadSignature(name: string, url: string, shot: Shot): Promise<void> {
  const target = new URL(url)
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: '/v1/notify/stripe',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(shot.body),
          'stripe-signature': signStripeEvent(shot.body, 'whsec_wrong', Math.floor(Date.now() / 1000))
        }
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      }
    )
    req.on('error', reject)
    req.end(shot.body)
  })
  if (status !== 400) throw new Error(`${name} answered a bad signature with ${status}, not 400: it does not verify`)
}

/** Rows in the durable floor's file. */
function floorRows(path: string): number {
  const db = new Database(path, { readonly: true })
  try {
    return (db.prepare('SELECT count(*) AS n FROM notifications').get() as { n: number }).n
  } finally {
    db.close()
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'relay-bench-'))
  const fake = await startFakeStripe({ apiKey: STRIPE_SECRET_KEY })
  const children: ChildProcess[] = []
  try {
    const need = ROUNDS * ROUND_REQUESTS + RATE * RATE_SECONDS + 200
    const orders = await seedOrders(dataDir, need)
    const created = Math.floor(Date.now() / 1000)
    const shots = orders.map((o, i) => ({
      body: JSON.stringify(
        sessionCompletedEvent({ orderNo: o.orderNo, amount: o.amount, currency: 'cny', created, paid: true, eventId: `evt_bench_${i}` })
      )
    }))
    const floorDb = join(dataDir, 'durable-floor.sqlite')
    const peerDb = join(dataDir, 'peer.sqlite')
    createPeerDatabase(peerDb, orders)
    const floor = await startChild('bench/relay/floor-server.ts', { FLOOR_SECRET: STRIPE_WEBHOOK_SECRET })
    children.push(floor.proc)
    const durableFloor = await startChild('bench/relay/durable-floor-server.ts', {
      FLOOR_SECRET: STRIPE_WEBHOOK_SECRET,
      FLOOR_DB: floorDb,
      FLOOR_DURABILITY: durability
    })
    children.push(durableFloor.proc)
    const peer = await startChild('bench/relay/peer-server.ts', { PEER_SECRET: STRIPE_WEBHOOK_SECRET, PEER_DB: peerDb })
    children.push(peer.proc)
    const relay = await startChild(withoutSql ? 'bench/relay/relay-without-sql.ts' : 'src/relay/start.ts', {
      RELAY_DATA_DIR: dataDir,
      RELAY_PORT: '0',
      RELAY_LOG_LEVEL: 'warn',
      RELAY_DB_DURABILITY: durability,
      RELAY_RATE_NOTIFY_PER_MIN: '10000000',
      ...(stripeEnv(fake) as Record<string, string>)
    })
    children.push(relay.proc)
    const relayProc = relay.proc
    // Each server does its work: checked here (a bad signature) and after the run (its rows).
    await refusesBadSignature('the durable floor', durableFloor.url, shots[0]!)
    await refusesBadSignature('the peer', peer.url, shots[0]!)
    await refusesBadSignature('the bare floor', floor.url, shots[0]!)
    /** Requests each checked server answered 200, to compare with the rows it wrote. */
    const answered = { durableFloor: 0, peer: 0 }
    const tally = <R extends { count: number; failures: number }>(url: string, r: R): R => {
      if (url === durableFloor.url) answered.durableFloor += r.count - r.failures
      if (url === peer.url) answered.peer += r.count - r.failures
      return r
    }

    // Warm-up, then the two phases on each server (all get the same bodies).
    const warm = shots.slice(0, 200)
    for (const s of [floor, durableFloor, peer, relay]) tally(s.url, await closedLoop(s.url, warm))
    let rest = shots.slice(200)
    const take = (n: number) => {
      const taken = rest.slice(0, n)
      rest = rest.slice(n)
      return taken
    }
    // CPU per request of each server: steadier than req/s when other work shares the cores.
    const measure = async (proc: ChildProcess, url: string, batch: Shot[]) => {
      const cpu = cpuSeconds(proc.pid)
      const main = cpuSeconds(proc.pid, true)
      const started = performance.now()
      const run = tally(url, await closedLoop(url, batch))
      // The event loop's share of the round (1 = saturated) and its CPU per request.
      const mainSeconds = cpuSeconds(proc.pid, true) - main
      const loop = { loopUs: (mainSeconds / run.count) * 1e6, loopBusy: (mainSeconds * 1000) / (performance.now() - started) }
      // The relay signs the round's feed records once it is idle (feed/signer.ts): wait for
      // that here, so its CPU counts for the relay and does not run during the next round.
      if (proc === relayProc) await signingDone(url)
      return { ...run, ...loop, cpuUs: ((cpuSeconds(proc.pid) - cpu) / run.count) * 1e6 }
    }
    type Measured = Awaited<ReturnType<typeof measure>>
    const rounds: { floor: Measured; durable: Measured; peer: Measured; relay: Measured }[] = []
    const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(1)} %`
    const servers = { floor, durable: durableFloor, peer, relay }
    const ORDER = ['floor', 'durable', 'peer', 'relay'] as const
    for (let r = 0; r < ROUNDS; r++) {
      // Every server gets the same bodies the relay applies. The order turns each round, so no
      // server always runs right after another's disk writes or checkpoint.
      const batch = take(ROUND_REQUESTS)
      const turn = [...ORDER.slice(r % ORDER.length), ...ORDER.slice(0, r % ORDER.length)]
      const got: Partial<Record<(typeof ORDER)[number], Measured>> = {}
      for (const k of turn) got[k] = await measure(servers[k].proc, servers[k].url, batch)
      const [f, d, p, rl] = ORDER.map((k) => got[k]!) as [Measured, Measured, Measured, Measured]
      rounds.push({ floor: f, durable: d, peer: p, relay: rl })
      const fig = (m: Measured) => `${m.rps.toFixed(0)} req/s ${m.cpuUs.toFixed(0)} µs/req`
      console.log(
        `round ${r + 1}: bare floor ${fig(f)}, durable floor ${fig(d)}, peer ${fig(p)}, relay ${fig(rl)} → ${pct(rl.rps, d.rps)} of the durable floor, ${(rl.rps / p.rps).toFixed(2)}× the peer  (relay event loop ${rl.loopUs.toFixed(0)} µs/req, busy ${(rl.loopBusy * 100).toFixed(0)} %)`
      )
    }
    const floorClosed = summarise(rounds.map((r) => r.floor))
    const durableClosed = summarise(rounds.map((r) => r.durable))
    const peerClosed = summarise(rounds.map((r) => r.peer))
    const relayClosed = summarise(rounds.map((r) => r.relay))
    const ratio = median(rounds.map((r) => r.relay.rps / r.floor.rps))
    const durableRatio = median(rounds.map((r) => r.relay.rps / r.durable.rps))
    const peerRatio = median(rounds.map((r) => r.relay.rps / r.peer.rps))
    const rated = take(RATE * RATE_SECONDS)
    const floorOpen = await openLoop(floor.url, rated)
    const durableOpen = tally(durableFloor.url, await openLoop(durableFloor.url, rated))
    const peerOpen = tally(peer.url, await openLoop(peer.url, rated))
    const relayOpen = await openLoop(relay.url, rated)

    // The rows each checked server wrote must be the requests it acknowledged.
    await stopChild(durableFloor.proc)
    await stopChild(peer.proc)
    const rows = floorRows(floorDb)
    const peerRows = peerCounts(peerDb)
    const wrote = `rows: durable floor ${rows} for ${answered.durableFloor} answered 200; peer ${peerRows.payments} payments, ${peerRows.paidOrders} orders paid, ${peerRows.events} replay-guard rows for ${answered.peer} answered 200`
    if (rows !== answered.durableFloor || [peerRows.payments, peerRows.paidOrders, peerRows.events].some((n) => n !== answered.peer)) {
      throw new Error(`a server did not write what it acknowledged (${wrote})`)
    }

    const line = (name: string, c: typeof floorClosed, o: typeof floorOpen) =>
      `${name.padEnd(13)} ${c.rps.toFixed(0).padStart(7)} req/s median (${c.count} req, ${c.failures} non-200, ${c.cpuUs.toFixed(0)} µs CPU/req)   at ${RATE}/s: p50 ${o.p50.toFixed(2)} ms  p99 ${o.p99.toFixed(2)} ms (${o.failures} non-200)`
    console.log(`relay notify benchmark${withoutSql ? ' (relay WITHOUT its SQL: not the benchmark figure)' : ''} — durability ${durability}, ${CONCURRENCY} connections, loopback`)
    console.log(line('bare floor', floorClosed, floorOpen))
    console.log(line('durable floor', durableClosed, durableOpen))
    console.log(line('peer', peerClosed, peerOpen))
    console.log(line('relay', relayClosed, relayOpen))
    console.log(
      `relay / durable floor: ${(durableRatio * 100).toFixed(1)} % (target ≥ 60 %), relay / peer: ${peerRatio.toFixed(2)}× (target ≥ 3×), relay / bare floor: ${(ratio * 100).toFixed(1)} % (medians of the rounds)   load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`
    )
    console.log(wrote)
    const pgRun = process.env['BENCH_PG'] === '0' ? undefined : await pgPhase(fake)
    console.log(
      JSON.stringify({
        ...(pgRun ?? {}),
        relay_rps: Math.round(relayClosed.rps),
        durable_floor_rps: Math.round(durableClosed.rps),
        peer_rps: Math.round(peerClosed.rps),
        relay_durable_ratio: Number(durableRatio.toFixed(3)),
        relay_peer_ratio: Number(peerRatio.toFixed(3)),
        floor_rps: Math.round(floorClosed.rps),
        relay_p99_ms: Number(relayOpen.p99.toFixed(2)),
        relay_p50_ms: Number(relayOpen.p50.toFixed(2)),
        durable_floor_p99_ms: Number(durableOpen.p99.toFixed(2)),
        peer_p99_ms: Number(peerOpen.p99.toFixed(2)),
        floor_p99_ms: Number(floorOpen.p99.toFixed(2)),
        ratio: Number(ratio.toFixed(3)),
        round_ratios: rounds.map((r) => Number((r.relay.rps / r.floor.rps).toFixed(3))),
        round_durable_ratios: rounds.map((r) => Number((r.relay.rps / r.durable.rps).toFixed(3))),
        round_peer_ratios: rounds.map((r) => Number((r.relay.rps / r.peer.rps).toFixed(3))),
        durability,
        ...(withoutSql ? { without_sql: true } : {}),
        relay_failures: relayClosed.failures + relayOpen.failures,
        durable_floor_failures: durableClosed.failures + durableOpen.failures,
        peer_failures: peerClosed.failures + peerOpen.failures,
        relay_cpu_us_per_req: Math.round(relayClosed.cpuUs),
        relay_loop_us_per_req: Math.round(median(rounds.map((r) => r.relay.loopUs))),
        relay_loop_busy: Number(median(rounds.map((r) => r.relay.loopBusy)).toFixed(2)),
        durable_floor_cpu_us_per_req: Math.round(durableClosed.cpuUs),
        peer_cpu_us_per_req: Math.round(peerClosed.cpuUs),
        floor_cpu_us_per_req: Math.round(floorClosed.cpuUs)
      })
    )
  } finally {
    for (const c of children) await stopChild(c).catch(() => {})
    await fake.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/**
 * The relay on PostgreSQL: ROUNDS closed-loop rounds and the open loop on one instance, then the
 * rounds split across two instances on the same database. Undefined (said) when no server.
 */
async function pgPhase(fake: { port: number }) {
  const db = await benchDatabase('relay')
  if (!db) return undefined
  const url = db.url
  const dataDir = mkdtempSync(join(tmpdir(), 'relay-bench-pg-'))
  const children: ChildProcess[] = []
  try {
    const orders = await seedOrders(dataDir, 2 * ROUNDS * ROUND_REQUESTS + RATE * RATE_SECONDS + 200, url)
    const created = Math.floor(Date.now() / 1000)
    let rest = orders.map((o, i) => ({
      body: JSON.stringify(sessionCompletedEvent({ orderNo: o.orderNo, amount: o.amount, currency: 'cny', created, paid: true, eventId: `evt_pg_${i}` }))
    }))
    const take = (n: number) => {
      const taken = rest.slice(0, n)
      rest = rest.slice(n)
      return taken
    }
    const env = {
      RELAY_DATA_DIR: dataDir,
      RELAY_PORT: '0',
      RELAY_LOG_LEVEL: 'warn',
      RELAY_DATABASE_URL: url,
      RELAY_RATE_NOTIFY_PER_MIN: '10000000',
      ...(stripeEnv(fake) as Record<string, string>)
    }
    const one = await startChild('src/relay/start.ts', env)
    children.push(one.proc)
    await closedLoop(one.url, take(200))
    const single: { rps: number; count: number; failures: number }[] = []
    for (let r = 0; r < ROUNDS; r++) single.push(await closedLoop(one.url, take(ROUND_REQUESTS)))
    const open = await openLoop(one.url, take(RATE * RATE_SECONDS))
    // The second instance loads the first one's development key from the shared data dir.
    const two = await startChild('src/relay/start.ts', env)
    children.push(two.proc)
    const pair: { rps: number; count: number; failures: number }[] = []
    for (let r = 0; r < ROUNDS; r++) pair.push(await closedLoop([one.url, two.url], take(ROUND_REQUESTS)))
    const failures = [...single, ...pair].reduce((a, r) => a + r.failures, 0) + open.failures
    const result = {
      relay_pg_rps: Math.round(median(single.map((r) => r.rps))),
      relay_pg2_rps: Math.round(median(pair.map((r) => r.rps))),
      relay_pg_p99_ms: Number(open.p99.toFixed(2)),
      relay_pg_p50_ms: Number(open.p50.toFixed(2)),
      relay_pg_failures: failures
    }
    console.log(
      `relay on PostgreSQL: one instance ${result.relay_pg_rps} req/s median, two ${result.relay_pg2_rps} req/s; at ${RATE}/s p50 ${result.relay_pg_p50_ms} ms p99 ${result.relay_pg_p99_ms} ms (${failures} non-200)`
    )
    return result
  } finally {
    for (const c of children) await stopChild(c).catch(() => {})
    rmSync(dataDir, { recursive: true, force: true })
    await db.remove()
  }
}

// Run as a script; bench/relay/invoices.ts imports the helpers above.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main()
