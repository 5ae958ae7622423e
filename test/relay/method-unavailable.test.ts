import { describe, expect, it } from 'vitest'
import { createTestProvider } from './support/hmac-provider'
import { rechargeOptionsOf } from '../../src/main/sync/recharge-options'
import { BUILT_IN_CATALOG } from '../../src/shared/catalog'
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

  it('the signed lease names the methods that are on: the catalog’s that this relay has switched on; the app offers those', async () => {
    const { api } = await startTestRelay({ providers: [createTestProvider('stripe'), createTestProvider('alipay')] })
    const d = await enrolDevice(api)
    const lease = await api('POST', '/v1/lease', { token: d.token, body: {} })
    expect(lease.status).toBe(200)
    expect(JSON.parse(lease.body.lease.payload).data.paymentMethods).toEqual(['alipay', 'stripe'])
    expect(rechargeOptionsOf(BUILT_IN_CATALOG, ['alipay', 'stripe']).methods).toEqual(['alipay', 'stripe'])
    expect(rechargeOptionsOf(BUILT_IN_CATALOG).methods).toEqual(['alipay', 'wechat', 'stripe', 'paypal'])
  })
})
