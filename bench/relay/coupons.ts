import { mkdtempSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFakeStripe } from '../../test/relay/fakes/stripe'
import { stripeEnv, STRIPE_SECRET_KEY } from '../../test/relay/support/stripe'
import { percentile } from '../stats'
import { cpuSeconds, startChild, stopChild } from './notify'

// Benchmark (a script, not a test): the coupon race. CLIENTS enrolled devices each post one
// checkout with the same promotion code at once, for a coupon with LEFT redemptions (LEFT
// succeed, the rest are refused used_up); the latency of each checkout from send to answer.
// Beside it, in each round, CLIENTS at once of: checkouts without a code (coupon_floor_p99_ms: an
// order made for each), quotes with the code (coupon_quote_p99_ms: the same pricing, no reservation),
// and the cheapest authenticated request, GET /v1/billing-details (coupon_authed_read_p99_ms: the
// floor of any device request under this load). ROUNDS rounds (a new coupon each round); p99 over
// every request of a kind.
// The relay is a child process (src/relay/start.ts, SQLite with durability full, the real
// Stripe adapter against the local fake Stripe, which answers at once), as deployed; the clients
// run in this process, so the relay's event loop does only the relay's work.
// Env: BENCH_COUPON_CLIENTS (200), BENCH_COUPON_LEFT (10), BENCH_COUPON_ROUNDS (5),
// BENCH_COUPON_WARMUP (rounds run first and not counted, default 1: a relay that has served
// checkouts, not one whose code V8 has not compiled yet). Beside the p99s: each round's race
// p99, and the relay's CPU per race checkout (race_cpu_us_per_checkout: its whole process;
// race_loop_us_per_checkout: its main thread; from /proc, so in 10 ms ticks).
// BENCH_PROFILE=<dir>: the relay child's CPU profile, written when it stops.
// Last line: one JSON object with coupon_race_p99_ms and coupon_floor_p99_ms (and more).

const CLIENTS = Number(process.env['BENCH_COUPON_CLIENTS'] ?? 200)
const LEFT = Number(process.env['BENCH_COUPON_LEFT'] ?? 10)
const ROUNDS = Number(process.env['BENCH_COUPON_ROUNDS'] ?? 5)
const WARMUP = Number(process.env['BENCH_COUPON_WARMUP'] ?? 1)
const ADMIN = 'bench-admin-token-0123456789abcdef'

const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS })

function post(base: string, path: string, token: string, body: unknown, key?: string): Promise<{ status: number; body: any; ms: number }> {
  const data = body === undefined ? '' : JSON.stringify(body)
  const start = process.hrtime.bigint()
  return new Promise((resolve, reject) => {
    const req = request(
      base + path,
      {
        method: body === undefined ? 'GET' : 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }),
          ...(key ? { 'idempotency-key': key } : {})
        }
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (text += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined, ms: Number(process.hrtime.bigint() - start) / 1e6 }))
      }
    )
    req.on('error', reject)
    req.end(data)
  })
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-coupons-'))
  const fake = await startFakeStripe({ apiKey: STRIPE_SECRET_KEY })
  const relay = await startChild('src/relay/start.ts', {
    RELAY_DATA_DIR: dataDir,
    RELAY_PORT: '0',
    RELAY_LOG_LEVEL: 'warn',
    RELAY_ADMIN_TOKEN: ADMIN,
    RELAY_RATE_DEVICE_PER_MIN: '1000000',
    RELAY_RATE_ADDRESS_PER_MIN: '1000000',
    ...(stripeEnv(fake) as Record<string, string>)
  })
  const base = relay.url
  const pid = relay.proc.pid
  try {
    const tokens: string[] = []
    for (let i = 0; i < CLIENTS; i++) {
      const code = await post(base, '/v1/admin/enrolments', ADMIN, {})
      const enrolled = await post(base, '/v1/enrol', '', { code: code.body.code, deviceName: `bench-${i}` })
      tokens.push(enrolled.body.deviceToken)
    }
    const race: number[] = []
    const floor: number[] = []
    const quote: number[] = []
    const authed: number[] = []
    let won = 0
    let refused = 0
    const item = { kind: 'plan', planCode: 'BASIC', period: 'monthly' }
    const roundP99: number[] = []
    const raceCpuUs: number[] = []
    const raceLoopUs: number[] = []
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      const counted = round >= WARMUP
      const f = await Promise.all(tokens.map((tk, i) => post(base, '/v1/checkouts', tk, { provider: 'stripe', item }, `floor-${round}-${i}-key`)))
      for (const r of f) {
        if (r.status !== 200) throw new Error(`floor checkout: ${r.status} ${JSON.stringify(r.body)}`)
        if (counted) floor.push(r.ms)
      }
      const made = await post(base, '/v1/admin/coupons', ADMIN, { name: `race ${round}`, off: { kind: 'amount', amount: { amount: 500, currency: 'CNY' } }, totalLimit: LEFT })
      const code = `RACE${round}X`
      await post(base, `/v1/admin/coupons/${made.body.coupon.id}/codes`, ADMIN, { code })
      const cpu = [cpuSeconds(pid), cpuSeconds(pid, true)]
      const r = await Promise.all(tokens.map((tk, i) => post(base, '/v1/checkouts', tk, { provider: 'stripe', item, code }, `race-${round}-${i}-key`)))
      const used = [cpuSeconds(pid) - cpu[0]!, cpuSeconds(pid, true) - cpu[1]!]
      let wonNow = 0
      for (const x of r) {
        if (x.status === 200) wonNow++
        else if (x.body?.error?.details?.refusal !== 'used_up') throw new Error(`race checkout: ${x.status} ${JSON.stringify(x.body)}`)
      }
      if (wonNow !== Math.min(LEFT, CLIENTS)) throw new Error(`race: ${wonNow} checkouts took the code, expected ${Math.min(LEFT, CLIENTS)}`)
      const q = await Promise.all(tokens.map((tk) => post(base, '/v1/quotes', tk, { item, code })))
      const a = await Promise.all(tokens.map((tk) => post(base, '/v1/billing-details', tk, undefined)))
      if (!counted) continue
      quote.push(...q.map((x) => x.ms))
      authed.push(...a.map((x) => x.ms))
      raceCpuUs.push((used[0]! * 1e6) / CLIENTS)
      raceLoopUs.push((used[1]! * 1e6) / CLIENTS)
      roundP99.push(percentile(r.map((x) => x.ms).sort((a, b) => a - b), 99))
      for (const x of r) {
        race.push(x.ms)
        if (x.status === 200) won++
        else if (x.body?.error?.details?.refusal === 'used_up') refused++
        else throw new Error(`race checkout: ${x.status} ${JSON.stringify(x.body)}`)
      }
    }
    if (won !== Math.min(LEFT, CLIENTS) * ROUNDS) throw new Error(`race: ${won} checkouts took the code, expected ${Math.min(LEFT, CLIENTS) * ROUNDS}`)
    race.sort((a, b) => a - b)
    floor.sort((a, b) => a - b)
    const r2 = (x: number) => Math.round(x * 100) / 100
    const out = {
      clients: CLIENTS,
      left: LEFT,
      rounds: ROUNDS,
      won,
      refused_used_up: refused,
      coupon_race_p50_ms: r2(percentile(race, 50)),
      coupon_race_p99_ms: r2(percentile(race, 99)),
      coupon_floor_p50_ms: r2(percentile(floor, 50)),
      coupon_floor_p99_ms: r2(percentile(floor, 99)),
      coupon_quote_p99_ms: r2(percentile(quote.sort((a, b) => a - b), 99)),
      coupon_authed_read_p99_ms: r2(percentile(authed.sort((a, b) => a - b), 99)),
      warmup_rounds: WARMUP,
      race_round_p99_ms: roundP99.map(r2),
      race_cpu_us_per_checkout: raceCpuUs.map((x) => Math.round(x)),
      race_loop_us_per_checkout: raceLoopUs.map((x) => Math.round(x))
    }
    console.log(
      `coupon race: ${CLIENTS} clients × ${ROUNDS} rounds, ${LEFT} left each: p99 ${out.coupon_race_p99_ms} ms with a code (target < 50 ms); ` +
        `beside it, ${CLIENTS} at once: ${out.coupon_floor_p99_ms} ms checkouts without a code, ${out.coupon_quote_p99_ms} ms quotes with the code, ` +
        `${out.coupon_authed_read_p99_ms} ms the cheapest authenticated read (floor)`
    )
    console.log(JSON.stringify(out))
  } finally {
    agent.destroy()
    await stopChild(relay.proc)
    await fake.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

void main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
