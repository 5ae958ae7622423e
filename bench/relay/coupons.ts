import { mkdtempSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRelay } from '../../src/relay/app'
import { defaultConfig } from '../../src/relay/config/config'
import type { PaymentProvider } from '../../src/relay/providers/types'
import { percentile } from '../stats'

// Benchmark (a script, not a test): the coupon race. CLIENTS enrolled devices each post one
// checkout with the same promotion code at once, for a coupon with LEFT redemptions (LEFT
// succeed, the rest are refused used_up); the latency of each checkout from send to answer.
// Beside it, the floor: the same CLIENTS checkouts at once without a code, same relay, same run.
// ROUNDS rounds of floor then race (a new coupon each round); p99 over every request of a kind.
// In-process relay (real HTTP on 127.0.0.1, SQLite with durability full) and a provider stub
// that answers at once, so the figure is the relay's own cost of pricing and reserving.
// Env: BENCH_COUPON_CLIENTS (200), BENCH_COUPON_LEFT (10), BENCH_COUPON_ROUNDS (5),
// BENCH_COUPON_WARMUP (0 rounds not counted). Beside the p99s: each round's race p99, and the
// process CPU per race checkout (relay and clients: they share this process's event loop).
// Last line: one JSON object with coupon_race_p99_ms and coupon_floor_p99_ms (and more).

const CLIENTS = Number(process.env['BENCH_COUPON_CLIENTS'] ?? 200)
const LEFT = Number(process.env['BENCH_COUPON_LEFT'] ?? 10)
const ROUNDS = Number(process.env['BENCH_COUPON_ROUNDS'] ?? 5)
// Rounds run first and not counted (0: the recorded figure counts the relay's first, cold round).
const WARMUP = Number(process.env['BENCH_COUPON_WARMUP'] ?? 0)
const ADMIN = 'bench-admin-token-0123456789abcdef'

const stub: PaymentProvider = {
  name: 'stripe',
  createCheckout: async (req) => ({ kind: 'url', content: `https://pay.test/${req.orderNo}`, providerRef: `cs_${req.orderNo}`, expiresAt: req.expiresAt }),
  verifyNotification: async () => [],
  accepted: () => ({ status: 200, body: '', contentType: 'text/plain' }),
  rejected: () => ({ status: 400, body: '', contentType: 'text/plain' })
}

const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS })

function post(base: string, path: string, token: string, body: unknown, key?: string): Promise<{ status: number; body: any; ms: number }> {
  const data = JSON.stringify(body)
  const start = process.hrtime.bigint()
  return new Promise((resolve, reject) => {
    const req = request(
      base + path,
      {
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...(key ? { 'idempotency-key': key } : {}) }
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
  const relay = createRelay(
    defaultConfig({
      dataDir,
      port: 0,
      logLevel: 'silent',
      adminToken: ADMIN,
      sweepIntervalMs: 0,
      rateLimit: { devicePerMinute: 1_000_000, addressPerMinute: 1_000_000, notifyPerMinute: 1_000_000 }
    }),
    { providers: [stub] }
  )
  const base = await relay.start()
  try {
    const tokens: string[] = []
    for (let i = 0; i < CLIENTS; i++) {
      const code = await post(base, '/v1/admin/enrolments', ADMIN, {})
      const enrolled = await post(base, '/v1/enrol', '', { code: code.body.code, deviceName: `bench-${i}` })
      tokens.push(enrolled.body.deviceToken)
    }
    const race: number[] = []
    const floor: number[] = []
    let won = 0
    let refused = 0
    const item = { kind: 'plan', planCode: 'BASIC', period: 'monthly' }
    const roundP99: number[] = []
    const raceCpuUs: number[] = []
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
      const cpu = process.cpuUsage()
      const r = await Promise.all(tokens.map((tk, i) => post(base, '/v1/checkouts', tk, { provider: 'stripe', item, code }, `race-${round}-${i}-key`)))
      const used = process.cpuUsage(cpu)
      let wonNow = 0
      for (const x of r) {
        if (x.status === 200) wonNow++
        else if (x.body?.error?.details?.refusal !== 'used_up') throw new Error(`race checkout: ${x.status} ${JSON.stringify(x.body)}`)
      }
      if (wonNow !== Math.min(LEFT, CLIENTS)) throw new Error(`race: ${wonNow} checkouts took the code, expected ${Math.min(LEFT, CLIENTS)}`)
      if (!counted) continue
      raceCpuUs.push((used.user + used.system) / CLIENTS)
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
      warmup_rounds: WARMUP,
      race_round_p99_ms: roundP99.map(r2),
      race_cpu_us_per_checkout: raceCpuUs.map((x) => Math.round(x))
    }
    console.log(`coupon race: ${CLIENTS} clients × ${ROUNDS} rounds, ${LEFT} left each: p99 ${out.coupon_race_p99_ms} ms with a code, ${out.coupon_floor_p99_ms} ms without (floor)`)
    console.log(JSON.stringify(out))
  } finally {
    agent.destroy()
    await relay.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

void main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
