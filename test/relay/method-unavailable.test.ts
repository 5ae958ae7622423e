import { describe, expect, it } from 'vitest'
import { createTestProvider } from './support/hmac-provider'
import { enrolDevice, newKey, startTestRelay } from './support/relay'

// A checkout by a method this relay has not switched on is refused with its own code (the app
// says "支付宝暂未开通" beside the control and records no payment attempt), and no order is made.

describe('a payment method the relay has not switched on', () => {
  it('is refused as METHOD_UNAVAILABLE naming the method; no order is recorded', async () => {
    const { api, relay } = await startTestRelay({ providers: [createTestProvider('stripe')] })
    const d = await enrolDevice(api)
    const r = await api('POST', '/v1/checkouts', {
      token: d.token,
      body: { provider: 'alipay', item: { kind: 'recharge', amount: { amount: 5000, currency: 'CNY' } } },
      headers: { 'idempotency-key': newKey() }
    })
    expect(r.status).toBe(422)
    expect(r.body.error).toMatchObject({ code: 'METHOD_UNAVAILABLE', details: { method: 'alipay' } })
    expect(relay.db.sqlite.prepare('SELECT count(*) AS n FROM orders').get()).toEqual({ n: 0 })
  })
})
