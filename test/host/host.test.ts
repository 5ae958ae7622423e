import { describe, expect, it } from 'vitest'
import { createSyncStandIn } from '../../src/host/sync-stand-in'
import { temporaryUnavailableExtras } from '../../src/main/ipc'
import { connect, openHost } from './host-fixture'

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

  it('events reach every open window; the injected sync state drives sync.state', async () => {
    let standIn: ReturnType<typeof createSyncStandIn> | undefined
    const host = await openHost({
      extra: ({ notify, billing }) => {
        const sync = createSyncStandIn(notify, billing.clock, { online: true })
        standIn = sync
        return { ...temporaryUnavailableExtras(), ...sync.handlers }
      }
    })
    const a = await connect(host)
    const b = await connect(host)
    expect(await a.call('sync.state', {})).toMatchObject({ ok: true, value: { online: true } })
    const seenA = a.nextEvent('sync.state')
    const seenB = b.nextEvent('sync.state')
    standIn?.set({ online: false, lastError: 'network down' })
    expect(await seenA).toMatchObject({ online: false, lastError: 'network down' })
    expect(await seenB).toMatchObject({ online: false })
    expect(await a.call('recharge.options', {})).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } })
  })

  it('checkout.openExternal: the default opener records provider URLs only', async () => {
    const host = await openHost({ checkoutUrl: (id) => (id === 'o1' ? 'https://checkout.stripe.com/c/pay/cs_1' : 'https://evil.example/') })
    const c = await connect(host)
    expect(await c.call('checkout.openExternal', { orderId: 'o1' })).toEqual({ ok: true, value: { opened: true } })
    expect(await c.call('checkout.openExternal', { orderId: 'o2' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(host.openedUrls).toEqual(['https://checkout.stripe.com/c/pay/cs_1'])
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
