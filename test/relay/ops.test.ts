import { describe, expect, it } from 'vitest'
import { checkout, effects, paid } from './support/flows'
import { createTestProvider } from './support/hmac-provider'
import { enrolDevice, startTestRelay } from './support/relay'

describe('operations', () => {
  it('limits body size on the API and on notifications', async () => {
    const provider = createTestProvider('stripe')
    const t = await startTestRelay({ providers: [provider], config: { bodyLimit: 2048 } })
    const dev = await enrolDevice(t.api)
    const big = 'x'.repeat(4096)
    const api = await t.api('POST', '/v1/outbox', { token: dev.token, raw: JSON.stringify({ records: [], pad: big }), headers: { 'content-type': 'application/json' } })
    expect(api.status).toBe(413)
    const n = await t.api('POST', '/v1/notify/stripe', { raw: big, headers: { 'content-type': 'text/plain', 'x-test-signature': provider.sign(big) } })
    expect(n.status).toBe(413)
  })

  it('stops gracefully: an in-flight notification finishes and is durable; new requests are refused', async () => {
    const provider = createTestProvider('stripe')
    const t = await startTestRelay({ providers: [provider] })
    const dev = await enrolDevice(t.api)
    const { order } = await checkout(t.api, dev.token, { provider: 'stripe', item: { kind: 'recharge', amount: { amount: 700, currency: 'CNY' } } })
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const verify = provider.verifyNotification.bind(provider)
    let entered!: () => void
    const inVerify = new Promise<void>((r) => (entered = r))
    provider.verifyNotification = async (input) => {
      entered()
      await gate
      return verify(input)
    }
    const { body, headers } = provider.notification([paid(order.orderNo, 700)])
    const inflight = t.api('POST', '/v1/notify/stripe', { raw: body, headers })
    await inVerify
    const before = await effects(t, order.orderNo)
    const stopping = t.relay.stop()
    release()
    const res = await inflight
    expect(res.status).toBe(200)
    await stopping
    expect(before.state).toBe('pending')
    await expect(t.api('GET', '/health')).rejects.toThrow()
    // Reopen the same file: the payment is there.
    const again = await startTestRelay({ providers: [createTestProvider('stripe')], dataDir: t.config.dataDir, config: { signingKey: t.config.signingKey! } })
    const state = again.relay.db.sqlite.prepare('SELECT state FROM orders WHERE order_no = ?').get(order.orderNo) as { state: string }
    expect(state.state).toBe('paid')
  })

  it('logs no device tokens, codes or signatures', async () => {
    const provider = createTestProvider('stripe')
    const t = await startTestRelay({ providers: [provider], config: { logLevel: 'info' } })
    const dev = await enrolDevice(t.api)
    const { order } = await checkout(t.api, dev.token, { provider: 'stripe', item: { kind: 'recharge', amount: { amount: 700, currency: 'CNY' } } })
    const { body, headers } = provider.notification([paid(order.orderNo, 700)])
    await t.api('POST', '/v1/notify/stripe', { raw: body, headers })
    const text = JSON.stringify(t.logs)
    expect(t.logs.length).toBeGreaterThan(5)
    expect(text).not.toContain(dev.token)
    expect(text).not.toContain(headers['x-test-signature'])
    expect(t.logs.some((l) => l['msg'] === 'notification event' && l['outcome'] === 'applied' && l['orderNo'] === order.orderNo)).toBe(true)
  })
})
