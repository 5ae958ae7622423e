import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sessionCompletedEvent, startFakeStripe } from '../../test/relay/fakes/stripe'
import { stripeEnv, STRIPE_SECRET_KEY } from '../../test/relay/support/stripe'
import { closedLoop, cpuSeconds, median, seedOrders, signingDone, startChild, stopChild, type Shot } from './notify'

// Benchmark (a script, not a test): what issuing an invoice inside each paid notification costs.
// Two relay children in the same run, the same build and durability, each over its own file of
// seeded Stripe orders: one with invoices on (the default: each payment's unit of work also takes
// an INV number, stores the invoice and appends its feed record), one with RELAY_INVOICES=off (an
// operator who invoices from another system). Rounds alternate between them, closed loop as in
// notify.ts; invoice_notify_ratio is the median over the rounds of (with ÷ without) req/s.
// Env: BENCH_INVOICES_ROUNDS (5), BENCH_INVOICES_REQUESTS per round (3000): tiny values only to
// check that it runs. Last line: one JSON object with invoice_notify_ratio, and the main-thread CPU
// per notification of each child (median over the rounds; steadier than req/s on shared cores).

const ROUNDS = Number(process.env['BENCH_INVOICES_ROUNDS'] ?? 5)
const REQUESTS = Number(process.env['BENCH_INVOICES_REQUESTS'] ?? 3000)
const WARM = Math.min(200, REQUESTS)

async function main(): Promise<void> {
  const fake = await startFakeStripe({ apiKey: STRIPE_SECRET_KEY })
  const dirs = { on: mkdtempSync(join(tmpdir(), 'relay-bench-inv-on-')), off: mkdtempSync(join(tmpdir(), 'relay-bench-inv-off-')) }
  const children: ChildProcess[] = []
  try {
    const need = WARM + ROUNDS * REQUESTS
    const created = Math.floor(Date.now() / 1000)
    const shotsOf = async (dir: string, tag: string): Promise<Shot[]> =>
      (await seedOrders(dir, need)).map((o, i) => ({
        body: JSON.stringify(sessionCompletedEvent({ orderNo: o.orderNo, amount: o.amount, currency: 'cny', created, paid: true, eventId: `evt_${tag}_${i}` }))
      }))
    const shots = { on: await shotsOf(dirs.on, 'on'), off: await shotsOf(dirs.off, 'off') }
    const start = async (which: 'on' | 'off') => {
      const c = await startChild('src/relay/start.ts', {
        RELAY_DATA_DIR: dirs[which],
        RELAY_PORT: '0',
        RELAY_LOG_LEVEL: 'warn',
        RELAY_RATE_NOTIFY_PER_MIN: '10000000',
        RELAY_INVOICES: which,
        ...(stripeEnv(fake) as Record<string, string>)
      })
      children.push(c.proc)
      return c
    }
    const relays = { on: await start('on'), off: await start('off') }
    // Each warm-up's feed backlog signed before anything is measured: otherwise the relay warmed
    // up last signs it (on the shared cores) while the first round runs on the other.
    for (const w of ['on', 'off'] as const) {
      await closedLoop(relays[w].url, shots[w].slice(0, WARM))
      await signingDone(relays[w].url)
    }
    const rounds: { on: number; off: number }[] = []
    const cpuUs = { on: [] as number[], off: [] as number[] }
    for (let r = 0; r < ROUNDS; r++) {
      const rps = { on: 0, off: 0 }
      // Alternate which goes first, so a slow second of the shared cores hits both alike.
      for (const w of r % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        const batch = shots[w].slice(WARM + r * REQUESTS, WARM + (r + 1) * REQUESTS)
        const cpu = cpuSeconds(relays[w].proc.pid, true)
        const run = await closedLoop(relays[w].url, batch)
        // The relay's event-loop CPU per notification: steadier than req/s on shared cores.
        cpuUs[w].push(((cpuSeconds(relays[w].proc.pid, true) - cpu) / batch.length) * 1e6)
        if (run.failures > 0) throw new Error(`${run.failures} notifications not answered 200 (invoices ${w})`)
        rps[w] = run.rps
        await signingDone(relays[w].url)
      }
      rounds.push(rps)
      console.log(`round ${r + 1}: with invoices ${rps.on.toFixed(0)} req/s, without ${rps.off.toFixed(0)} req/s → ${((rps.on / rps.off) * 100).toFixed(1)}%`)
    }
    const ratio = median(rounds.map((r) => r.on / r.off))
    console.log(`invoices in each notification: ${(ratio * 100).toFixed(1)}% of the notifications/s without (median of ${ROUNDS} rounds of ${REQUESTS})`)
    console.log(
      JSON.stringify({
        invoice_notify_ratio: Number(ratio.toFixed(3)),
        with_invoices_rps: Math.round(median(rounds.map((r) => r.on))),
        without_invoices_rps: Math.round(median(rounds.map((r) => r.off))),
        round_ratios: rounds.map((r) => Number((r.on / r.off).toFixed(3))),
        with_invoices_cpu_us: Math.round(median(cpuUs.on)),
        without_invoices_cpu_us: Math.round(median(cpuUs.off)),
        requests_per_round: REQUESTS
      })
    )
  } finally {
    for (const c of children) await stopChild(c).catch(() => {})
    await fake.close()
    for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true })
  }
}

void main()
