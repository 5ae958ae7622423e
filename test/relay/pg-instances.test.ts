import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { runVerify } from '../../src/relay/cli/verify'
import { tempDir } from '../support/db'
import { startFakeStripe } from './fakes/stripe'
import { startChildRelay, type ChildRelay } from './support/child'
import { freshDatabase, pgAvailable } from './support/pg'
import { postgresBin, startCluster } from './support/pg-cluster'
import { ADMIN_TOKEN, enrolDevice, makeApi, type Api } from './support/relay'
import { openOrders, paymentDeliveries, readFeed, shuffle, storm, type Delivery } from './support/storm'
import { STRIPE_SECRET_KEY, stripeEnv } from './support/stripe'

// The relay on PostgreSQL under faults, as child processes (what `npm run relay` runs):
// - two instances on one database share a storm of Stripe notifications, each also delivered to
//   both at once; one is SIGKILLed mid-storm and the other carries on. A device reads its feed
//   through the storm: it must end up with every record, in strictly increasing order.
// - PostgreSQL itself restarts mid-storm: meanwhile notifications get 5xx (Stripe redelivers),
//   and the relay, never restarted, reconnects by itself.
// Either way every order ends paid exactly once, with one invoice, the invoice numbers without a
// gap, and relay:verify says the books hold.

const baseEnv = (fake: { port: number }) => ({
  RELAY_ADMIN_TOKEN: ADMIN_TOKEN,
  RELAY_RATE_ADDRESS_PER_MIN: '100000',
  RELAY_RATE_DEVICE_PER_MIN: '100000',
  RELAY_RATE_NOTIFY_PER_MIN: '1000000',
  ...(stripeEnv(fake) as Record<string, string>)
})

/** Redelivers what is not acknowledged yet, as Stripe does, until every order is (a few rounds). */
async function redeliverAll(url: () => string, deliveries: Delivery[], acked: Set<string>): Promise<void> {
  for (let round = 0; round < 6 && acked.size < new Set(deliveries.map((d) => d.orderNo)).size; round++) {
    const left = deliveries.filter((d) => !acked.has(d.orderNo))
    for (const o of (await storm(url, left, null, () => {})).acked) acked.add(o)
  }
}

/** Paid exactly once: one payment record per order in the feed, one payment transfer, the wallet is the sum. */
async function expectPaidOnce(databaseUrl: string, api: Api, devices: { token: string; accountId: string }[], orders: Map<string, { orderNo: string; amount: number }[]>) {
  for (const dev of devices) {
    const { records } = await readFeed(api, dev.token, dev.accountId)
    const paid = records.filter((r) => r.type === 'payment_confirmed').map((r) => r.data.orderNo!)
    const mine = orders.get(dev.accountId)!
    expect(paid.sort()).toEqual(mine.map((o) => o.orderNo).sort())
    const account = (await api('GET', '/v1/account', { token: dev.token })).body
    expect(account.wallet.balance.amount).toBe(mine.reduce((s, o) => s + o.amount, 0))
  }
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  try {
    const all = [...orders.values()].flat()
    const transfers = await db.query("SELECT count(*)::int AS n, count(DISTINCT source_id)::int AS d FROM ledger_transfers WHERE kind = 'payment'")
    expect(transfers.rows[0]).toEqual({ n: all.length, d: all.length })
    const states = await db.query("SELECT count(*)::int AS n FROM orders WHERE state = 'paid'")
    expect(states.rows[0]).toEqual({ n: all.length })
    // One invoice per paid order, numbered without a gap: each year's numbers are 1…N and its counter is N.
    const invoices = await db.query<{ number: string }>("SELECT number FROM invoices WHERE source_kind = 'order' ORDER BY number")
    expect(invoices.rows).toHaveLength(all.length)
    const counters = (await db.query<{ series: string; year: number; last: number }>('SELECT series, year, last FROM document_counters')).rows
    for (const c of counters.filter((r) => r.series === 'INV')) {
      const numbers = invoices.rows.filter((r) => r.number.startsWith(`INV-${c.year}-`)).map((r) => Number(r.number.split('-')[2]))
      expect(numbers).toEqual(Array.from({ length: c.last }, (_, i) => i + 1))
    }
    expect(counters.filter((r) => r.series === 'INV').reduce((n, r) => n + r.last, 0)).toBe(all.length)
  } finally {
    await db.end()
  }
  const lines: string[] = []
  expect(await runVerify({ RELAY_DATABASE_URL: databaseUrl }, (l) => lines.push(l)), lines.join('\n')).toBe(0)
}

describe.runIf(pgAvailable())('two relay instances on one PostgreSQL', () => {
  it('share a storm with duplicates delivered to both; one is SIGKILLed; paid once, every feed strictly increasing and complete', async () => {
    const fake = await startFakeStripe({ apiKey: STRIPE_SECRET_KEY })
    const url = await freshDatabase()
    // One data dir: the second instance loads the development signing key the first generated.
    const env = { ...baseEnv(fake), RELAY_DATA_DIR: tempDir('relay-pg2-'), RELAY_DATABASE_URL: url }
    const a: ChildRelay = await startChildRelay(env)
    const b: ChildRelay = await startChildRelay(env)
    try {
      const apiA = makeApi(a.url)
      const apiB = makeApi(b.url)
      const devices = [await enrolDevice(apiA), await enrolDevice(apiB), await enrolDevice(apiA)]
      const orders = new Map<string, { orderNo: string; amount: number }[]>()
      for (const [i, dev] of devices.entries()) {
        orders.set(dev.accountId, await openOrders(i % 2 ? apiB : apiA, dev.token, Array.from({ length: 10 }, (_, n) => 1000 + 10 * i + n)))
      }
      const deliveries = paymentDeliveries([...orders.values()].flat())
      // Every notification to both instances at once (neighbours in the queue), in random order.
      const split = shuffle(deliveries).flatMap((d) => [d, d])

      // Devices read their feeds through instance B while the storm runs.
      let storming = true
      const readers = devices.map(async (dev) => {
        const seen: number[] = []
        let cursor = ''
        while (storming) {
          const page = await readFeed(apiB, dev.token, dev.accountId, cursor)
          seen.push(...page.records.map((r) => r.seq))
          cursor = page.cursor
          await new Promise((resolve) => setTimeout(resolve, 5))
        }
        const rest = await readFeed(apiB, dev.token, dev.accountId, cursor)
        return { dev, seen: [...seen, ...rest.records.map((r) => r.seq)] }
      })

      let killedA = false
      const first = await storm((i) => (i % 2 === 0 && !killedA ? a.url : b.url), split, Math.floor(split.length / 3), () => {
        a.proc.kill('SIGKILL')
        killedA = true
      })
      expect((await a.exited).signal).toBe('SIGKILL')
      expect(b.proc.exitCode).toBeNull()
      const acked = first.acked
      await redeliverAll(() => b.url, deliveries, acked)
      storming = false
      expect(acked.size).toBe(30)

      for (const { dev, seen } of await Promise.all(readers)) {
        // Strictly increasing, and complete: what the live reader saw is the whole feed.
        expect(seen.every((s, i) => i === 0 || s > seen[i - 1]!)).toBe(true)
        const whole = (await readFeed(apiB, dev.token, dev.accountId)).records.map((r) => r.seq)
        expect(seen).toEqual(whole)
      }
      await expectPaidOnce(url, apiB, devices, orders)
    } finally {
      for (const c of [a, b]) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGTERM')
      await Promise.all([a.exited, b.exited])
      await fake.close()
    }
  }, 180_000)
})

const bin = postgresBin()

// Its own cluster from the local binaries (an external RELAY_TEST_DATABASE_URL cannot be restarted here).
describe.runIf(bin !== undefined && pgAvailable())('PostgreSQL restarted under a relay', () => {
  it('mid-storm: notifications get 5xx meanwhile, the relay reconnects by itself, nothing is lost or doubled', async () => {
    // A cluster of this test's own: it is restarted, which the shared one must not be.
    const cluster = await startCluster(bin!)
    const fake = await startFakeStripe({ apiKey: STRIPE_SECRET_KEY })
    const admin = new pg.Client({ connectionString: cluster.url })
    await admin.connect()
    await admin.query('CREATE DATABASE relay')
    await admin.end()
    const url = cluster.url.replace(/\/postgres$/, '/relay')
    const env = { ...baseEnv(fake), RELAY_DATA_DIR: tempDir('relay-pgr-'), RELAY_DATABASE_URL: url, RELAY_DB_CONNECT_TIMEOUT_MS: '1000' }
    const relay = await startChildRelay(env)
    try {
      const api = makeApi(relay.url)
      const dev = await enrolDevice(api)
      const orders = new Map([[dev.accountId, await openOrders(api, dev.token, Array.from({ length: 30 }, (_, n) => 2000 + n))]])
      const deliveries = paymentDeliveries(orders.get(dev.accountId)!)
      let restarted: Promise<void> | undefined
      const first = await storm(() => relay.url, [...shuffle(deliveries), ...shuffle(deliveries)], 20, () => {
        restarted = cluster.restart()
      })
      await restarted
      // Meanwhile: answered, with a retryable 5xx, by a relay that stayed up.
      expect(first.statuses.length).toBeGreaterThan(0)
      expect(first.statuses.every((s) => s >= 500)).toBe(true)
      expect(relay.proc.exitCode).toBeNull()
      await redeliverAll(() => relay.url, deliveries, first.acked)
      expect(first.acked.size).toBe(30)
      await expectPaidOnce(url, api, [dev], orders)
    } finally {
      relay.proc.kill('SIGTERM')
      await relay.exited
      await fake.close()
      cluster.stop()
    }
  }, 180_000)
})
