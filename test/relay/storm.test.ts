import { describe, expect, it } from 'vitest'
import { publicKeyFromBase64, verifyRecord } from '../../src/node/feed'
import { tempDir } from '../support/db'
import { asyncPaymentSucceededEvent, sessionCompletedEvent, signStripeEvent, startFakeStripe } from './fakes/stripe'
import { startChildRelay, type ChildRelay } from './support/child'
import { enrolDevice, feedPath, makeApi, newKey } from './support/relay'
import { STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, stormEnv } from './support/stripe'

// A relay child process is killed (SIGKILL), then stopped (SIGTERM), in the middle of a storm
// of Stripe notifications; each time it is restarted on the same file and everything is
// redelivered, as Stripe does for deliveries without a 2xx. In the end every order is paid
// exactly once, and every notification acknowledged before a kill was already durable.

const ORDERS = 40

interface Delivery {
  orderNo: string
  body: string
}

async function storm(url: string, deliveries: Delivery[], stopAfter: number | null, stop: () => void) {
  const acked = new Set<string>()
  let done = 0
  let stopped = false
  const queue = [...deliveries]
  const worker = async () => {
    for (let d = queue.shift(); d; d = queue.shift()) {
      try {
        const at = Math.floor(Date.now() / 1000)
        const res = await fetch(`${url}/v1/notify/stripe`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'stripe-signature': signStripeEvent(d.body, STRIPE_WEBHOOK_SECRET, at) },
          body: d.body
        })
        await res.text()
        if (res.status === 200) acked.add(d.orderNo)
      } catch {
        // connection refused / reset: the relay is down; the provider will redeliver
      }
      done++
      if (stopAfter !== null && done >= stopAfter && !stopped) {
        stopped = true
        stop()
      }
    }
  }
  await Promise.all(Array.from({ length: 12 }, worker))
  return acked
}

describe('restart in the middle of a notification storm', () => {
  it('loses no payment and doubles none', async () => {
    const fake = await startFakeStripe({ apiKey: STRIPE_SECRET_KEY })
    const dataDir = tempDir('relay-storm-')
    const env = stormEnv(dataDir, fake)
    let relay: ChildRelay = await startChildRelay(env)
    try {
      let api = makeApi(relay.url)
      const dev = await enrolDevice(api)
      const orders: { orderNo: string; amount: number }[] = []
      for (let i = 0; i < ORDERS; i++) {
        const amount = 1000 + i
        const r = await api('POST', '/v1/checkouts', {
          token: dev.token,
          body: { provider: 'stripe', item: { kind: 'recharge', amount: { amount, currency: 'CNY' } } },
          headers: { 'idempotency-key': newKey() }
        })
        expect(r.status).toBe(200)
        orders.push({ orderNo: r.body.order.orderNo, amount })
      }
      // Two events per payment (completed + async succeeded), shuffled, each also duplicated.
      const created = Math.floor(Date.now() / 1000)
      const deliveries: Delivery[] = []
      for (const o of orders) {
        const base = { orderNo: o.orderNo, amount: o.amount, currency: 'cny', created }
        const a = JSON.stringify(sessionCompletedEvent({ ...base, paid: true, eventId: `evt_done_${o.orderNo}` }))
        const b = JSON.stringify(asyncPaymentSucceededEvent({ ...base, eventId: `evt_async_${o.orderNo}` }))
        deliveries.push({ orderNo: o.orderNo, body: a }, { orderNo: o.orderNo, body: b }, { orderNo: o.orderNo, body: a })
      }
      const shuffled = () => [...deliveries].sort(() => Math.random() - 0.5)

      const assertAckedDurable = async (acked: Set<string>) => {
        for (const orderNo of acked) {
          const r = await api('GET', `/v1/orders/${orderNo}`, { token: dev.token })
          expect(r.body.order.state, orderNo).toBe('paid')
        }
      }

      // 1. SIGKILL mid-storm.
      const killed = relay
      const acked1 = await storm(relay.url, shuffled(), 25, () => killed.proc.kill('SIGKILL'))
      expect((await killed.exited).signal).toBe('SIGKILL')
      expect(acked1.size).toBeGreaterThan(0)
      expect(acked1.size).toBeLessThan(ORDERS)
      relay = await startChildRelay(env)
      api = makeApi(relay.url)
      await assertAckedDurable(acked1)

      // 2. Graceful stop mid-storm: in-flight requests finish; what was acknowledged is durable.
      const stopping = relay
      const acked2 = await storm(relay.url, shuffled(), 30, () => stopping.proc.kill('SIGTERM'))
      expect((await stopping.exited).code).toBe(0)
      relay = await startChildRelay(env)
      api = makeApi(relay.url)
      await assertAckedDurable(acked2)

      // 3. Full redelivery: every order ends paid, and each payment is recorded once.
      const acked3 = await storm(relay.url, shuffled(), null, () => {})
      expect(acked3.size).toBe(ORDERS)
      const key = publicKeyFromBase64((await api('GET', '/health')).body.publicKey)
      const paidOrders: string[] = []
      let cursor = ''
      for (;;) {
        const page = (await api('GET', feedPath({ limit: 17, cursor: cursor || undefined }), { token: dev.token })).body
        for (const e of page.records) {
          const p = verifyRecord(e, key, dev.accountId)
          if (p.type === 'payment_confirmed') paidOrders.push(p.data.orderNo)
        }
        cursor = page.nextCursor
        if (!page.hasMore) break
      }
      expect(paidOrders.sort()).toEqual(orders.map((o) => o.orderNo).sort())
      const account = (await api('GET', '/v1/account', { token: dev.token })).body
      expect(account.wallet.balance.amount).toBe(orders.reduce((s, o) => s + o.amount, 0))
    } finally {
      relay.proc.kill('SIGTERM')
      await relay.exited
      await fake.close()
    }
  }, 120_000)
})
