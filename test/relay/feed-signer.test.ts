import { describe, expect, it, vi } from 'vitest'
import { FeedSigner } from '../../src/relay/feed/signer'
import { publicKeyFromBase64, verifyRecord } from '../../src/node/feed'
import { FeedPageSchema } from '../../src/shared/relay-contract'
import { checkout, notify, paid } from './support/flows'
import { createTestProvider } from './support/hmac-provider'
import { enrolDevice, feedPath, startTestRelay } from './support/relay'

// A notification stores its feed record unsigned; the relay signs the backlog while idle, so
// the device reading the feed later finds it signed. Traffic pauses the signing.

async function relayWithUnsigned(n: number) {
  const provider = createTestProvider('stripe')
  // Counts one record per payment: invoices (a second record) are off here.
  const t = await startTestRelay({ providers: [provider], config: { invoicing: { enabled: false, timeZone: 'Asia/Shanghai', seller: { name: 'x' } } } })
  t.relay.core.signer.stop() // this test drives its own signer
  const dev = await enrolDevice(t.api)
  for (let i = 0; i < n; i++) {
    const { order } = await checkout(t.api, dev.token, { provider: 'stripe', item: { kind: 'recharge', amount: { amount: 100 + i, currency: 'CNY' } } })
    await notify(t, provider, [paid(order.orderNo, 100 + i)])
  }
  return { t, dev, feed: t.relay.core.feed }
}

describe('the idle feed signer', () => {
  it('signs the backlog once the relay is quiet, in slices, and the feed serves those signatures', async () => {
    // Each payment: its payment_confirmed record (its notice rides in it).
    const { t, dev, feed } = await relayWithUnsigned(5)
    expect(await feed.backlog()).toBe(5)
    expect((await t.api('GET', '/health')).body.signingBacklog).toBe(5)
    let now = 0
    const signer = new FeedSigner(feed, { idleMs: 200, slice: 2, now: () => now })
    signer.start()
    try {
      signer.touch() // a request at t=0
      now = 100
      signer.tick()
      expect(await feed.backlog()).toBe(5) // not quiet long enough
      now = 250
      signer.tick()
      await vi.waitFor(async () => expect(await feed.backlog()).toBe(0))
      expect(feed.mayHaveBacklog).toBe(false)

      const stored = t.relay.db.sqlite.prepare('SELECT id, signature FROM feed ORDER BY seq').all() as { id: string; signature: string }[]
      const health = await t.api('GET', '/health')
      expect(health.body.signingBacklog).toBe(0)
      const page = FeedPageSchema.parse((await t.api('GET', feedPath(), { token: dev.token })).body)
      const key = publicKeyFromBase64(health.body.publicKey)
      // What is served is what the signer stored, and it verifies.
      expect(page.records.map((r) => ({ id: r.id, signature: r.signature }))).toEqual(stored.filter((s) => page.records.some((r) => r.id === s.id)))
      for (const r of page.records) expect(() => verifyRecord(r, key, dev.accountId)).not.toThrow()
    } finally {
      signer.stop()
    }
  })

  it('stops between slices when a request arrives, and goes on at the next quiet moment', async () => {
    const { feed } = await relayWithUnsigned(5)
    let now = 1000
    const signer = new FeedSigner(feed, { idleMs: 200, slice: 2, now: () => now })
    signer.start()
    try {
      const sign = vi.spyOn(feed, 'signBacklog')
      sign.mockImplementationOnce((limit) => {
        signer.touch() // traffic arrives while the first slice runs
        return Object.getPrototypeOf(feed).signBacklog.call(feed, limit) as Promise<number>
      })
      signer.tick()
      await new Promise((r) => setTimeout(r, 20))
      expect(await feed.backlog()).toBe(3) // one slice, then it yielded
      now += 300
      signer.tick()
      await vi.waitFor(async () => expect(await feed.backlog()).toBe(0))
    } finally {
      signer.stop()
    }
  })

  it('health probes are not traffic: the relay signs its backlog while a balancer polls', async () => {
    const { t, feed } = await relayWithUnsigned(3)
    t.relay.core.signer.start()
    await vi.waitFor(
      async () => {
        const health = await t.api('GET', '/health') // every 50 ms: far more often than the 200 ms idle time
        expect(health.body.signingBacklog).toBe(0)
      },
      { timeout: 10_000, interval: 50 }
    )
    expect(await feed.backlog()).toBe(0)
  })

  it('a record served before the signer reached it is signed by the page, once', async () => {
    const { t, dev, feed } = await relayWithUnsigned(2)
    const first = FeedPageSchema.parse((await t.api('GET', feedPath(), { token: dev.token })).body)
    expect(first.records.every((r) => r.signature.startsWith('v1a,'))).toBe(true)
    await vi.waitFor(async () => expect(await feed.backlog()).toBe(0)) // stored after the page's own commit
    const again = FeedPageSchema.parse((await t.api('GET', feedPath(), { token: dev.token })).body)
    expect(again.records.map((r) => r.signature)).toEqual(first.records.map((r) => r.signature))
  })
})
