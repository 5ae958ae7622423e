import { describe, expect, it } from 'vitest'
import type { ProviderEvent } from '../../src/relay/providers/types'
import { createTestProvider, type TestProvider } from '../relay/support/hmac-provider'
import { ADMIN_TOKEN, startTestRelay, type TestRelay } from '../relay/support/relay'
import { connect, openHost, T0 } from './host-fixture'

const cny = (amount: number) => ({ amount, currency: 'CNY' })

function coreState(host: Awaited<ReturnType<typeof openHost>>) {
  const b = host.billing
  return {
    balance: b.wallet.balance(),
    firstFreeUsed: b.wallet.firstFreeUsed(),
    entries: b.wallet.history({ limit: 500 }).items.length,
    subscription: b.subscriptions.current(),
    rooms: b.quotas.usage().liveRoomsInUse
  }
}

describe('host: who may connect', () => {
  it('a page from a foreign Origin is refused at the upgrade', async () => {
    const host = await openHost()
    await expect(connect(host, 'http://evil.example')).rejects.toThrow('refused: 403')
    await expect(connect(host, 'http://localhost:' + new URL(host.url).port)).rejects.toThrow('refused: 403')
    await expect(connect(host, 'null')).rejects.toThrow('refused: 403')
    await expect(connect(host, null)).rejects.toThrow('refused: 403')
  })

  it('a foreign Host header (DNS rebinding) is refused, even with the right Origin', async () => {
    const host = await openHost()
    await expect(connect(host, host.origin, { Host: 'rebind.example:80' })).rejects.toThrow('refused: 403')
    const page = await fetch(host.url, { headers: { Host: 'rebind.example' } }).catch(() => null)
    // fetch may refuse to override Host; when it does send it, the host answers 421.
    if (page) expect([200, 421]).toContain(page.status)
  })

  it('only /ipc upgrades', async () => {
    const host = await openHost()
    const ws = await import('ws')
    const other = new ws.default(host.url.replace('http:', 'ws:') + 'other', { origin: host.origin })
    const status = await new Promise<number>((resolve) => other.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0)))
    expect(status).toBe(403)
  })
})

describe('host: the contract over the socket', () => {
  it('runs the real core: the gate decides, and balance.changed arrives', async () => {
    const host = await openHost()
    const c = await connect(host)
    const changed = c.nextEvent('balance.changed')
    const r = await c.call('wallet.chargeOrFree', { idempotencyKey: 'gate-000001', feature: 'live_session' })
    expect(r).toEqual({ ok: true, value: { outcome: 'first_free', feature: 'live_session', price: cny(500) } })
    expect(await changed).toMatchObject({ firstFreeAvailable: false })
    expect(host.billing.quotas.usage().liveRoomsInUse).toBe(1)
  })

  it('malformed input → INVALID_INPUT and the core is unchanged', async () => {
    const host = await openHost()
    host.billing.wallet.recharge({ key: 'pay-1', paymentId: 'pay-1', provider: 'alipay', amount: 10_000 })
    const c = await connect(host)
    const before = coreState(host)
    const bad: [string, unknown][] = [
      ['wallet.chargeOrFree', { idempotencyKey: 'gate-000001', feature: 'live_session', price: cny(1) }],
      ['wallet.chargeOrFree', { idempotencyKey: 'x', feature: 'live_session' }],
      ['wallet.chargeOrFree', { idempotencyKey: 'gate-000002', feature: 'free_money' }],
      ['wallet.chargeOrFree', null],
      ['wallet.chargeOrFree', 'live_session'],
      ['subscription.subscribe', { idempotencyKey: 'sub-0000001', planId: 'BASIC:monthly', price: cny(0) }],
      ['subscription.subscribe', { idempotencyKey: 'sub-0000001', planId: 'BASIC:forever' }],
      ['subscription.startTrial', { idempotencyKey: 'sub-0000002' }],
      ['subscription.cancel', { idempotencyKey: 'sub-0000003', reason: 'other' }],
      ['wallet.history', { limit: 1000 }],
      ['settings.set', { locale: 'de' }]
    ]
    for (const [channel, input] of bad) {
      const r = await c.call(channel, input)
      expect(r, `${channel} ${JSON.stringify(input)}`).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    }
    expect(coreState(host)).toEqual(before)
    expect(c.events).toEqual([])
    // The connection survives bad requests and garbage frames.
    c.ws.send('not json')
    c.ws.send(JSON.stringify({ channel: 'wallet.balance', input: {} }))
    expect(await c.call('wallet.balance', {})).toMatchObject({ ok: true, value: { balance: cny(10_000) } })
  })

  it('an unknown channel is NOT_FOUND', async () => {
    const host = await openHost()
    const c = await connect(host)
    expect(await c.call('wallet.steal', {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    expect(await c.call(42, {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
  })

  it('with no relay: the real sync service says offline, and paying by provider is unavailable', async () => {
    const host = await openHost()
    const c = await connect(host)
    expect(await c.call('sync.state', {})).toMatchObject({ ok: true, value: { online: false, lastSyncAt: null, lastError: null } })
    expect(await c.call('sync.now', {})).toMatchObject({ ok: true, value: { online: false } })
    expect(await c.call('recharge.options', {})).toMatchObject({ ok: true, value: { min: cny(100) } })
    const create = { idempotencyKey: 'checkout-0001', method: 'alipay', purpose: { kind: 'recharge', amount: cny(5000) } }
    expect(await c.call('checkout.create', create)).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } })
    expect(await c.call('payments.history', { limit: 10 })).toEqual({ ok: true, value: { items: [], nextCursor: null } })
    expect(host.sync.enrolled).toBe(false)
  })
})

/** A relay on 127.0.0.1 with HMAC test providers; Stripe's checkout is a real provider host, PayPal's is not. */
async function relayWorld(): Promise<{ t: TestRelay; providers: Record<'alipay' | 'stripe' | 'paypal', TestProvider>; code: () => Promise<string> }> {
  const providers = { alipay: createTestProvider('alipay', 'a-secret'), stripe: createTestProvider('stripe', 's-secret'), paypal: createTestProvider('paypal', 'p-secret') }
  const answer = (p: TestProvider, kind: 'qr' | 'url', content: (orderNo: string) => string) => {
    const recorded = p.createCheckout.bind(p)
    p.createCheckout = async (req) => ({ ...(await recorded(req)), kind, content: content(req.orderNo) })
  }
  answer(providers.stripe, 'url', (n) => `https://checkout.stripe.com/c/pay/cs_${n}`)
  answer(providers.paypal, 'url', (n) => `https://evil.example/${n}`)
  answer(providers.alipay, 'qr', (n) => `https://qr.alipay.com/test-${n}`)
  const t = await startTestRelay({ providers: Object.values(providers) })
  t.clock.set(T0)
  const code = async () => {
    const r = await t.api('POST', '/v1/admin/enrolments', { token: ADMIN_TOKEN, body: {} })
    expect(r.status).toBe(200)
    return r.body.code as string
  }
  return { t, providers, code }
}

async function pay(t: TestRelay, p: TestProvider, orderNo: string, amount: number): Promise<void> {
  const event: ProviderEvent = { type: 'payment.succeeded', eventId: `evt_${orderNo}`, orderNo, providerPaymentId: `pay_${orderNo}`, amount: cny(amount) as never, occurredAt: 0 }
  const { body, headers } = p.notification([event])
  expect((await t.api('POST', `/v1/notify/${p.name}`, { raw: body, headers })).status).toBe(200)
}

describe('host: with the relay', () => {
  it('enrols with a code; a QR checkout paid at the relay reaches the page as events, once', async () => {
    const { t, providers, code } = await relayWorld()
    const host = await openHost({ relay: { url: t.url, publicKey: t.relay.key.publicKeyBase64, enrolmentCode: await code(), deviceName: 'studio' } })
    expect(host.sync.enrolled).toBe(true)
    const c = await connect(host)
    const created = await c.call('checkout.create', { idempotencyKey: 'checkout-0001', method: 'alipay', purpose: { kind: 'recharge', amount: cny(5000) } })
    expect(created).toMatchObject({ ok: true, value: { status: 'pending', display: { kind: 'qr' } } })
    const orderId = (created.value as { orderId: string }).orderId
    const orderNo = providers.alipay.checkouts.at(-1)!.orderNo
    expect((created.value as { display: { content: string } }).display.content).toBe(`https://qr.alipay.com/test-${orderNo}`)

    await pay(t, providers.alipay, orderNo, 5000)
    const confirmed = c.nextEvent('payment.confirmed')
    const balance = c.nextEvent('balance.changed')
    expect(await c.call('sync.now', {})).toMatchObject({ ok: true, value: { online: true, lastError: null, pendingCheckouts: 0 } })
    expect(await confirmed).toEqual({ orderId, amount: cny(5000), purpose: 'recharge' })
    expect(await balance).toMatchObject({ balance: cny(5000) })
    expect(await c.call('checkout.status', { orderId })).toMatchObject({ ok: true, value: { status: 'paid' } })
    expect(c.events.map((e) => e.event)).toContain('sync.state')
    // Another sync changes nothing.
    await c.call('sync.now', {})
    expect(host.billing.wallet.balance()).toEqual(cny(5000))
    expect(c.events.filter((e) => e.event === 'payment.confirmed')).toHaveLength(1)
    const history = await c.call('payments.history', { limit: 10 })
    expect(history).toMatchObject({ ok: true, value: { items: [{ orderId, kind: 'payment', status: 'succeeded', amount: cny(5000) }] } })
  })

  it('a refund applied by sync (no event of its own) still updates the balance on the page', async () => {
    const { t, providers, code } = await relayWorld()
    const host = await openHost({ relay: { url: t.url, publicKey: t.relay.key.publicKeyBase64, enrolmentCode: await code() } })
    const c = await connect(host)
    await c.call('checkout.create', { idempotencyKey: 'checkout-0002', method: 'alipay', purpose: { kind: 'recharge', amount: cny(3000) } })
    const orderNo = providers.alipay.checkouts.at(-1)!.orderNo
    await pay(t, providers.alipay, orderNo, 3000)
    await c.call('sync.now', {})
    const refund: ProviderEvent = { type: 'refund.succeeded', eventId: 'evt_rf1', orderNo, refundId: 'rf1', amount: cny(1000) as never, occurredAt: 0 }
    const n = providers.alipay.notification([refund])
    expect((await t.api('POST', '/v1/notify/alipay', { raw: n.body, headers: n.headers })).status).toBe(200)
    const balance = c.nextEvent('balance.changed')
    await c.call('sync.now', {})
    expect(await balance).toMatchObject({ balance: cny(2000) })
  })

  it('an already-enrolled device restarts on its data folder without a code; the relay stopped → offline, back → online', async () => {
    const { t, code } = await relayWorld()
    const first = await openHost({ relay: { url: t.url, publicKey: t.relay.key.publicKeyBase64, enrolmentCode: await code() } })
    const c = await connect(first)
    expect(await c.call('sync.now', {})).toMatchObject({ ok: true, value: { online: true, lastError: null } })
    await t.relay.stop()
    const down = await c.call('sync.now', {})
    expect(down).toMatchObject({ ok: true, value: { online: false, lastError: expect.stringContaining('relay unreachable') } })
    expect(c.events.filter((e) => e.event === 'sync.state').at(-1)?.payload).toMatchObject({ online: false, syncing: false })
    await first.close()
    // The same folder again, no code: the device is still enrolled; the relay is back.
    const again = await startTestRelay({ dataDir: t.config.dataDir, config: { port: Number(new URL(t.url).port), signingKey: t.config.signingKey } })
    again.clock.set(T0)
    const second = await openHost({ dataDir: first.dataDir, relay: { url: t.url, publicKey: t.relay.key.publicKeyBase64 } })
    expect(second.sync.enrolled).toBe(true)
    const c2 = await connect(second)
    expect(await c2.call('sync.now', {})).toMatchObject({ ok: true, value: { online: true, lastError: null } })
  })

  it('checkout.openExternal opens the URL the relay gave for the order, provider checkout hosts only', async () => {
    const { t, code } = await relayWorld()
    const host = await openHost({ relay: { url: t.url, publicKey: t.relay.key.publicKeyBase64, enrolmentCode: await code() } })
    const c = await connect(host)
    const stripe = await c.call('checkout.create', { idempotencyKey: 'checkout-0003', method: 'stripe', purpose: { kind: 'recharge', amount: cny(5000) } })
    const paypal = await c.call('checkout.create', { idempotencyKey: 'checkout-0004', method: 'paypal', purpose: { kind: 'recharge', amount: cny(5000) } })
    const id = (r: typeof stripe) => (r.value as { orderId: string }).orderId
    expect(stripe).toMatchObject({ ok: true, value: { display: { kind: 'url' } } })
    expect(await c.call('checkout.openExternal', { orderId: id(stripe) })).toEqual({ ok: true, value: { opened: true } })
    expect(await c.call('checkout.openExternal', { orderId: id(paypal) })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(await c.call('checkout.openExternal', { orderId: 'ord-none' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    expect(host.openedUrls).toHaveLength(1)
    expect(host.openedUrls[0]).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_/)
  })
})

describe('host: the page', () => {
  it('serves the renderer with the CSP header, nothing outside its folder, GET only', async () => {
    const host = await openHost()
    const index = await fetch(host.url)
    expect(index.status).toBe(200)
    expect(index.headers.get('content-security-policy')).toContain(`connect-src 'self' ws://127.0.0.1:${new URL(host.url).port}`)
    expect(index.headers.get('content-type')).toContain('text/html')
    expect((await fetch(host.url + '%2e%2e/billing.sqlite')).status).toBe(404)
    expect((await fetch(host.url + '..%2fbilling.sqlite')).status).toBe(404)
    expect((await fetch(host.url + 'missing.js')).status).toBe(404)
    expect((await fetch(host.url, { method: 'POST' })).status).toBe(405)
  })
})
