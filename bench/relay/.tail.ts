import { Agent } from 'node:http'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { sessionCompletedEvent, startFakeStripe } from '../../test/relay/fakes/stripe'
import { stripeEnv, STRIPE_SECRET_KEY } from '../../test/relay/support/stripe'
import { closedLoop, post, seedOrders, signingDone, startChild, stopChild } from './notify'
const fake = await startFakeStripe({ apiKey: STRIPE_SECRET_KEY })
const dir = mkdtempSync(join(tmpdir(), 'tail-'))
const N = 9000
const created = Math.floor(Date.now() / 1000)
const shots = (await seedOrders(dir, N)).map((o, i) => ({ body: JSON.stringify(sessionCompletedEvent({ orderNo: o.orderNo, amount: o.amount, currency: 'cny', created, paid: true, eventId: `evt_${i}` })) }))
const c = await startChild('src/relay/start.ts', { RELAY_DATA_DIR: dir, RELAY_PORT: '0', RELAY_LOG_LEVEL: 'warn', RELAY_RATE_NOTIFY_PER_MIN: '10000000', ...(stripeEnv(fake) as Record<string, string>) })
await closedLoop(c.url, shots.slice(0, 3000)); await signingDone(c.url)
const RATE = Number(process.env.RATE ?? 1000)
for (const part of [[3000, 6000], [6000, 9000]]) {
  console.log("part start", Date.now()); const h = monitorEventLoopDelay({ resolution: 1 }); h.enable()
  const agent = new Agent({ keepAlive: true, maxSockets: 256 })
  const target = new URL(c.url)
  const lat: { i: number; ms: number; lag: number }[] = []
  const start = performance.now(); const inflight: Promise<void>[] = []
  for (let i = part[0]!; i < part[1]!; i++) {
    const k = i - part[0]!
    const due = start + (k * 1000) / RATE
    const wait = due - performance.now()
    if (wait > 1) await new Promise((r) => setTimeout(r, wait))
    const lag = performance.now() - due
    inflight.push(post(agent, target, shots[i]!).then((r) => { lat.push({ i: k, ms: r.ms, lag }) }))
  }
  await Promise.all(inflight); h.disable(); agent.destroy()
  const s = [...lat].sort((a, b) => a.ms - b.ms)
  const q = (p: number) => s[Math.floor(p * s.length)]!.ms.toFixed(1)
  console.log(`p50 ${q(0.5)} p90 ${q(0.9)} p99 ${q(0.99)} max ${s.at(-1)!.ms.toFixed(1)}; client loop delay p99 ${(h.percentile(99) / 1e6).toFixed(1)} max ${(h.max / 1e6).toFixed(1)}; send lag p99 ${[...lat].sort((a, b) => a.lag - b.lag)[Math.floor(0.99 * lat.length)]!.lag.toFixed(1)}`)
  // latency by 100 ms window
  const win = new Map<number, number[]>(); for (const l of lat) { const w = Math.floor(l.i / 100); (win.get(w) ?? win.set(w, []).get(w)!).push(l.ms) }
  console.log([...win].sort((a, b) => a[0] - b[0]).map(([w, xs]) => Math.max(...xs).toFixed(0)).join(' '))
  await signingDone(c.url)
}
await stopChild(c.proc); await fake.close?.()
process.exit(0)
