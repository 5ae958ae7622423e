import { expect, it } from 'vitest'
import { tempDir } from '../support/db'
import { startFakeStripe } from './fakes/stripe'
import { startChildRelay, type ChildRelay } from './support/child'
import { forEachStore, freshDatabase } from './support/pg'
import { enrolDevice, makeApi } from './support/relay'
import { openOrders, paymentDeliveries, readFeed, shuffle, storm, stormEnv } from './support/storm'
import { STRIPE_SECRET_KEY } from './support/stripe'

// A relay child process is killed (SIGKILL), then stopped (SIGTERM), in the middle of a storm
// of Stripe notifications; each time it is restarted on the same database and everything is
// redelivered, as Stripe does for deliveries without a 2xx. In the end every order is paid
// exactly once, and every notification acknowledged before a kill was already durable.

const ORDERS = 40

forEachStore('restart in the middle of a notification storm', (store) => {
  it('loses no payment and doubles none', async () => {
    const fake = await startFakeStripe({ apiKey: STRIPE_SECRET_KEY })
    const dataDir = tempDir('relay-storm-')
    const env = { ...stormEnv(dataDir, fake), ...(store === 'pg' ? { RELAY_DATABASE_URL: await freshDatabase() } : {}) }
    let relay: ChildRelay = await startChildRelay(env)
    try {
      let api = makeApi(relay.url)
      const dev = await enrolDevice(api)
      const orders = await openOrders(api, dev.token, Array.from({ length: ORDERS }, (_, i) => 1000 + i))
      const deliveries = paymentDeliveries(orders)
      const shuffled = () => shuffle(deliveries)

      const assertAckedDurable = async (acked: Set<string>) => {
        for (const orderNo of acked) {
          const r = await api('GET', `/v1/orders/${orderNo}`, { token: dev.token })
          expect(r.body.order.state, orderNo).toBe('paid')
        }
      }

      // 1. SIGKILL mid-storm.
      const killed = relay
      const { acked: acked1 } = await storm(() => killed.url, shuffled(), 25, () => killed.proc.kill('SIGKILL'))
      expect((await killed.exited).signal).toBe('SIGKILL')
      expect(acked1.size).toBeGreaterThan(0)
      expect(acked1.size).toBeLessThan(ORDERS)
      relay = await startChildRelay(env)
      api = makeApi(relay.url)
      await assertAckedDurable(acked1)

      // 2. Graceful stop mid-storm: in-flight requests finish; what was acknowledged is durable.
      const stopping = relay
      const { acked: acked2 } = await storm(() => stopping.url, shuffled(), 30, () => stopping.proc.kill('SIGTERM'))
      expect((await stopping.exited).code).toBe(0)
      relay = await startChildRelay(env)
      api = makeApi(relay.url)
      await assertAckedDurable(acked2)

      // 3. Full redelivery: every order ends paid, and each payment is recorded once.
      const { acked: acked3 } = await storm(() => relay.url, shuffled(), null, () => {})
      expect(acked3.size).toBe(ORDERS)
      const { records } = await readFeed(api, dev.token, dev.accountId)
      const paidOrders = records.filter((r) => r.type === 'payment_confirmed').map((r) => r.data.orderNo!)
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
