import { describe, expect, it } from 'vitest'
import { createTestProvider } from './support/hmac-provider'
import { ADMIN_TOKEN, enrolDevice, feedPath, newKey, startTestRelay } from './support/relay'

const planCheckout = { provider: 'stripe', item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' } }

describe('enrolment and device auth', () => {
  it('enrols a device once per code, and stores only the token hash', async () => {
    const { api, relay } = await startTestRelay()
    const code = await api('POST', '/v1/admin/enrolments', { token: ADMIN_TOKEN, body: { label: 'shop' } })
    expect(code.status).toBe(200)
    const first = await api('POST', '/v1/enrol', { body: { code: code.body.code, deviceName: 'pc' } })
    expect(first.status).toBe(200)
    expect(first.body.deviceToken).toMatch(/^rdt_/)
    const again = await api('POST', '/v1/enrol', { body: { code: code.body.code, deviceName: 'pc2' } })
    expect(again.status).toBe(401)
    const rows = relay.db.sqlite.prepare('SELECT token_hash FROM devices').all() as { token_hash: string }[]
    expect(rows).toHaveLength(1)
    expect(rows[0]!.token_hash).not.toContain(first.body.deviceToken)
    const me = await api('GET', '/v1/account', { token: first.body.deviceToken })
    expect(me.status).toBe(200)
    expect(me.body.accountId).toBe(code.body.accountId)
  })

  it('refuses admin routes without the admin token and device routes without a token', async () => {
    const { api } = await startTestRelay()
    expect((await api('POST', '/v1/admin/enrolments', { body: {} })).status).toBe(401)
    expect((await api('POST', '/v1/admin/enrolments', { token: 'x'.repeat(40), body: {} })).status).toBe(401)
    expect((await api('GET', '/v1/account')).status).toBe(401)
    expect((await api('GET', feedPath(), { token: 'rdt_forged' })).status).toBe(401)
    const r = await api('POST', '/v1/enrol', { body: { code: 'not-a-real-code', deviceName: 'pc' } })
    expect(r.status).toBe(401)
    expect(r.body.error.code).toBe('UNAUTHORIZED')
  })

  it('device A can neither read nor write account B', async () => {
    const stripe = createTestProvider('stripe')
    const { api } = await startTestRelay({ providers: [stripe] })
    const a = await enrolDevice(api)
    const b = await enrolDevice(api)
    const b2 = await enrolDevice(api, b.accountId, 'laptop')
    expect(b2.accountId).toBe(b.accountId)

    const bOrder = await api('POST', '/v1/checkouts', { token: b.token, body: planCheckout, headers: { 'idempotency-key': newKey() } })
    expect(bOrder.status).toBe(200)
    await api('POST', '/v1/lease', { token: b.token })

    // Read B's order: not found for A.
    const read = await api('GET', `/v1/orders/${bOrder.body.order.orderNo}`, { token: a.token })
    expect(read.status).toBe(404)
    // A's feed holds nothing of B.
    const feed = await api('GET', feedPath(), { token: a.token })
    expect(feed.body.records).toHaveLength(0)
    // Revoke B's device: not found, and B keeps working.
    expect((await api('POST', `/v1/devices/${b2.deviceId}/revoke`, { token: a.token })).status).toBe(404)
    expect((await api('GET', '/v1/account', { token: b2.token })).status).toBe(200)
    // The same idempotency key in two accounts makes two orders.
    const key = newKey()
    const oa = await api('POST', '/v1/checkouts', { token: a.token, body: planCheckout, headers: { 'idempotency-key': key } })
    const ob = await api('POST', '/v1/checkouts', { token: b.token, body: planCheckout, headers: { 'idempotency-key': key } })
    expect(oa.body.order.orderNo).not.toBe(ob.body.order.orderNo)
    // B's own devices see B's records.
    const bFeed = await api('GET', feedPath(), { token: b2.token })
    expect(bFeed.body.records.length).toBeGreaterThan(0)
  })

  it('a revoked device is refused from the next request on', async () => {
    const { api } = await startTestRelay()
    const a = await enrolDevice(api)
    const a2 = await enrolDevice(api, a.accountId, 'laptop')
    expect((await api('POST', `/v1/devices/${a2.deviceId}/revoke`, { token: a.token })).status).toBe(200)
    expect((await api('GET', feedPath(), { token: a2.token })).status).toBe(401)
    expect((await api('POST', '/v1/outbox', { token: a2.token, body: { records: [] } })).status).toBe(401)
    // Admin revocation too.
    expect((await api('POST', `/v1/admin/devices/${a.deviceId}/revoke`, { token: ADMIN_TOKEN })).status).toBe(200)
    expect((await api('GET', '/v1/account', { token: a.token })).status).toBe(401)
  })

  it('rate limits per device and per address', async () => {
    const { api, clock } = await startTestRelay({
      config: { rateLimit: { devicePerMinute: 3, addressPerMinute: 1000, notifyPerMinute: 1000 } }
    })
    const a = await enrolDevice(api)
    for (let i = 0; i < 3; i++) expect((await api('GET', '/v1/account', { token: a.token })).status).toBe(200)
    const limited = await api('GET', '/v1/account', { token: a.token })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBeTruthy()
    clock.advance(60_000)
    expect((await api('GET', '/v1/account', { token: a.token })).status).toBe(200)

    const { api: api2 } = await startTestRelay({
      config: { rateLimit: { devicePerMinute: 1000, addressPerMinute: 2, notifyPerMinute: 1000 } }
    })
    expect((await api2('GET', '/v1/prices')).status).toBe(200)
    expect((await api2('GET', '/v1/prices')).status).toBe(200)
    expect((await api2('GET', '/v1/prices')).status).toBe(429)
    expect((await api2('GET', '/health')).status).toBe(200)
  })
})
