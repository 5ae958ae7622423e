import { describe, expect, it } from 'vitest'
import { memorySettings } from '../../src/main/ipc'
import { key, openCore, recharge, snapshot } from './core-fixture'
import { ipcOver } from './handlers-fixture'

const cny = (amount: number) => ({ amount, currency: 'CNY' })

describe('wallet.chargeOrFree: the gate', () => {
  it('first free use, then needs_recharge with the shortfall, then paid from the balance after a recharge', async () => {
    const { billing } = openCore()
    const { call, events } = ipcOver(billing)
    const first = await call('wallet.chargeOrFree', { idempotencyKey: key(), feature: 'ai_request' })
    expect(first).toEqual({ ok: true, value: { outcome: 'first_free', feature: 'ai_request', price: cny(10) } })

    recharge(billing, 4)
    const short = await call('wallet.chargeOrFree', { idempotencyKey: key(), feature: 'ai_request' })
    expect(short).toEqual({
      ok: true,
      value: { outcome: 'needs_recharge', feature: 'ai_request', price: cny(10), balance: cny(4), shortfall: cny(6) }
    })

    recharge(billing, 96)
    events.length = 0
    const paid = await call('wallet.chargeOrFree', { idempotencyKey: key(), feature: 'ai_request' })
    expect(paid).toEqual({ ok: true, value: { outcome: 'paid', feature: 'ai_request', price: cny(10), balanceAfter: cny(90) } })
    expect(billing.wallet.balance()).toEqual(cny(90))
    expect(events).toEqual([
      { event: 'balance.changed', payload: expect.objectContaining({ balance: cny(90), firstFreeAvailable: false }) }
    ])
    expect(billing.verify()).toEqual({ ok: true, problems: [] })
  })

  it('the price is main’s: a renderer that sends a price is refused and nothing is charged', async () => {
    const { billing } = openCore()
    recharge(billing, 1000)
    const { call } = ipcOver(billing)
    const before = snapshot(billing)
    const r = await call('wallet.chargeOrFree', { idempotencyKey: key(), feature: 'export', price: cny(1) })
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect(snapshot(billing)).toEqual(before)
  })

  it('main’s price list decides what a use costs', async () => {
    const { billing } = openCore()
    recharge(billing, 1000)
    billing.wallet.useFirstFree({ key: key(), price: 1, feature: 'x', reason: 'used up' })
    const { call } = ipcOver(billing, { prices: { live_session: 700, ai_request: 3, export: 50 } })
    const r = await call('wallet.chargeOrFree', { idempotencyKey: key(), feature: 'export' })
    expect(r).toMatchObject({ ok: true, value: { outcome: 'paid', price: cny(50), balanceAfter: cny(950) } })
  })

  it('a live session takes a live room; with the plan’s rooms full it is QUOTA_EXCEEDED and nothing is charged', async () => {
    const { billing } = openCore()
    recharge(billing, 2000)
    const { call } = ipcOver(billing)
    const ok = await call('wallet.chargeOrFree', { idempotencyKey: key(), feature: 'live_session' })
    expect(ok).toMatchObject({ ok: true, value: { outcome: 'paid', balanceAfter: cny(1500) } })
    expect(billing.quotas.usage().liveRoomsInUse).toBe(1)

    const before = snapshot(billing)
    const full = await call('wallet.chargeOrFree', { idempotencyKey: key(), feature: 'live_session' })
    expect(full).toMatchObject({ ok: false, error: { code: 'QUOTA_EXCEEDED', details: { feature: 'live_room', limit: 1, used: 1 } } })
    expect(snapshot(billing)).toEqual(before)
  })

  it('a retry with the same key returns the first decision: charged once, one room', async () => {
    const { billing } = openCore()
    recharge(billing, 2000)
    billing.wallet.useFirstFree({ key: key(), price: 1, feature: 'x', reason: 'used up' })
    const { call } = ipcOver(billing)
    const k = key()
    const a = await call('wallet.chargeOrFree', { idempotencyKey: k, feature: 'live_session' })
    const b = await call('wallet.chargeOrFree', { idempotencyKey: k, feature: 'live_session' })
    expect(a).toMatchObject({ ok: true, value: { outcome: 'paid', balanceAfter: cny(1500) } })
    expect(b).toEqual(a)
    expect(billing.wallet.balance()).toEqual(cny(1500))
    expect(billing.quotas.leases('live_room')).toHaveLength(1)
  })

  it('needs_recharge takes no live room', async () => {
    const { billing } = openCore()
    billing.wallet.useFirstFree({ key: key(), price: 1, feature: 'x', reason: 'used up' })
    const { call } = ipcOver(billing)
    const r = await call('wallet.chargeOrFree', { idempotencyKey: key(), feature: 'live_session' })
    expect(r).toMatchObject({ ok: true, value: { outcome: 'needs_recharge', shortfall: cny(500) } })
    expect(billing.quotas.usage().liveRoomsInUse).toBe(0)
  })
})

describe('wallet reads', () => {
  it('balance and history: signed amounts per operation, first-free shown at zero', async () => {
    const { billing } = openCore()
    const { call } = ipcOver(billing)
    await call('wallet.chargeOrFree', { idempotencyKey: key(), feature: 'export' }) // first free (balance 0)
    recharge(billing, 1000)
    await call('wallet.chargeOrFree', { idempotencyKey: key(), feature: 'export' }) // paid 100
    const bal = await call('wallet.balance', {})
    expect(bal).toEqual({
      ok: true,
      value: { balance: cny(900), bonus: cny(0), held: cny(0), available: cny(900), debt: cny(0), firstFreeAvailable: false }
    })
    const h = await call('wallet.history', { limit: 10 })
    expect(h.ok).toBe(true)
    if (!h.ok) return
    const items = (h.value as { items: { type: string; amount: unknown; balanceAfter: unknown; reason: unknown }[] }).items
    expect(items.map((i) => [i.type, i.amount, i.balanceAfter])).toEqual([
      ['consume', cny(-100), cny(900)],
      ['recharge', cny(1000), cny(1000)],
      ['first_free', cny(0), cny(0)]
    ])
    // Internal reasons ("gate:export") never reach the screen; the feature code does.
    expect(items.map((i) => i.reason)).toEqual([null, null, null])
    const only = await call('wallet.history', { limit: 10, types: ['recharge'] })
    expect(only).toMatchObject({ ok: true, value: { items: [{ type: 'recharge', balanceAfter: null }] } })
  })

  it('history pages carry the running balance: page by page equals one long page', async () => {
    const { billing } = openCore()
    const { call } = ipcOver(billing)
    recharge(billing, 5000)
    for (let i = 0; i < 6; i++) await call('wallet.chargeOrFree', { idempotencyKey: key(), feature: 'export' })
    recharge(billing, 300)
    const all = await call('wallet.history', { limit: 100 })
    const whole = all.ok ? (all.value as { items: { id: string; balanceAfter: unknown }[] }).items : []
    expect(whole).toHaveLength(8)
    const paged: { id: string; balanceAfter: unknown }[] = []
    let cursor: string | null = null
    do {
      const r = await call('wallet.history', { limit: 3, cursor })
      if (!r.ok) throw new Error(r.error.message)
      const v = r.value as { items: { id: string; balanceAfter: unknown }[]; nextCursor: string | null }
      paged.push(...v.items)
      cursor = v.nextCursor
    } while (cursor)
    expect(paged).toEqual(whole)
    expect(whole.at(-1)?.balanceAfter).toEqual(cny(5000))
    expect(await call('wallet.history', { limit: 3, cursor: 'abc~1' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
  })
})

describe('plans and subscriptions', () => {
  it('lists plans with contract ids; subscribing short of money is needs_recharge and changes nothing', async () => {
    const { billing } = openCore()
    const { call, events } = ipcOver(billing)
    const list = await call('plans.list', {})
    expect(list.ok).toBe(true)
    const plans = list.ok ? (list.value as { plans: { id: string; tier: string; trialDays: number | null }[] }).plans : []
    expect(plans.map((p) => p.id)).toContain('BASIC:monthly')
    expect(plans.find((p) => p.id === 'BASIC:monthly')?.trialDays).toBe(7)

    recharge(billing, 1000)
    const before = snapshot(billing)
    const short = await call('subscription.subscribe', { idempotencyKey: key(), planId: 'BASIC:monthly' })
    expect(short).toEqual({ ok: true, value: { outcome: 'needs_recharge', price: cny(2900), shortfall: cny(1900) } })
    expect(snapshot(billing)).toEqual(before)
    expect(events).toEqual([])

    recharge(billing, 1900)
    const sub = await call('subscription.subscribe', { idempotencyKey: key(), planId: 'BASIC:monthly' })
    expect(sub).toMatchObject({ ok: true, value: { outcome: 'subscribed', subscription: { planId: 'BASIC:monthly', tier: 'BASIC', status: 'active' } } })
    expect(billing.wallet.balance()).toEqual(cny(0))
    expect(events.map((e) => e.event)).toEqual(['subscription.changed', 'balance.changed'])
  })

  it('from the wallet during a trial pays the next period; another plan is a switch, all or nothing; a lifetime is kept', async () => {
    const { billing } = openCore()
    const { call } = ipcOver(billing)
    const trial = await call('subscription.startTrial', { idempotencyKey: key(), planId: 'BASIC:monthly' })
    expect(trial).toMatchObject({ ok: true, value: { status: 'trialing' } })
    recharge(billing, 2900)
    const paid = await call('subscription.subscribe', { idempotencyKey: key(), planId: 'BASIC:monthly' })
    expect(paid).toMatchObject({ ok: true, value: { outcome: 'subscribed', subscription: { planId: 'BASIC:monthly', status: 'active' } } })
    // The trial's days are kept: the paid month follows them.
    const trialEnd = (trial as { value: { currentPeriodEnd: string } }).value.currentPeriodEnd
    expect((paid as { value: { subscription: { currentPeriodEnd: string } } }).value.subscription.currentPeriodEnd > trialEnd).toBe(true)
    const before = snapshot(billing)
    const short = await call('subscription.subscribe', { idempotencyKey: key(), planId: 'PREMIUM:monthly' })
    expect(short).toMatchObject({ ok: true, value: { outcome: 'needs_recharge', shortfall: cny(5900) } })
    expect(snapshot(billing)).toEqual(before)
    expect(billing.subscriptions.current()).toMatchObject({ planCode: 'BASIC', status: 'active' })
    recharge(billing, 5900)
    const switched = await call('subscription.subscribe', { idempotencyKey: key(), planId: 'PREMIUM:monthly' })
    expect(switched).toMatchObject({ ok: true, value: { outcome: 'subscribed', subscription: { planId: 'PREMIUM:monthly', status: 'active' } } })
    expect(billing.subscriptions.list().map((s) => [s.planCode, s.status])).toEqual([
      ['BASIC', 'expired'],
      ['PREMIUM', 'active']
    ])
    recharge(billing, 599_900 + 89_900)
    expect(await call('subscription.subscribe', { idempotencyKey: key(), planId: 'ENTERPRISE:lifetime' })).toMatchObject({ ok: true })
    expect(await call('subscription.subscribe', { idempotencyKey: key(), planId: 'BASIC:lifetime' })).toMatchObject({ ok: false, error: { code: 'INVALID_TRANSITION' } })
  })

  it('trial, auto-renew off, cancel with a reason and a note', async () => {
    const { billing } = openCore()
    const { call } = ipcOver(billing)
    const t = await call('subscription.startTrial', { idempotencyKey: key(), planId: 'PREMIUM:monthly' })
    expect(t).toMatchObject({ ok: true, value: { status: 'trialing', tier: 'PREMIUM' } })
    const ar = await call('subscription.setAutoRenew', { idempotencyKey: key(), enabled: false })
    expect(ar).toMatchObject({ ok: true, value: { autoRenew: false } })
    const c = await call('subscription.cancel', { idempotencyKey: key(), reason: 'not_streaming', note: 'summer', atPeriodEnd: false })
    expect(c).toMatchObject({ ok: true, value: { status: 'cancelled', cancelReason: 'not_streaming: summer' } })
    const cur = await call('subscription.current', {})
    expect(cur).toMatchObject({ ok: true, value: { subscription: { status: 'cancelled' } } })
  })

  it('a plan id outside the catalog is a typed error and changes nothing', async () => {
    const { billing } = openCore()
    recharge(billing, 100000)
    const { call } = ipcOver(billing)
    const before = snapshot(billing)
    for (const planId of ['BASIC:weekly', 'GOLD:monthly', 'BASIC', 'BASIC:monthly:x', 'FREE:monthly']) {
      const r = await call('subscription.subscribe', { idempotencyKey: key(), planId })
      expect(r, planId).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    }
    expect(snapshot(billing)).toEqual(before)
  })

  it('cancel with no subscription is NOT_FOUND', async () => {
    const { billing } = openCore()
    const { call } = ipcOver(billing)
    const r = await call('subscription.cancel', { idempotencyKey: key(), reason: 'other', atPeriodEnd: true })
    expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
  })
})

describe('usage, settings, the sync channels, external links', () => {
  it('usage.summary: one item per quota, rooms in use after a live session', async () => {
    const { billing } = openCore()
    const { call } = ipcOver(billing)
    await call('wallet.chargeOrFree', { idempotencyKey: key(), feature: 'live_session' })
    const u = await call('usage.summary', {})
    expect(u).toMatchObject({ ok: true, value: { effectiveTier: 'FREE' } })
    const items = u.ok ? (u.value as { items: { feature: string; used: number; limit: number | null; unit: string }[] }).items : []
    expect(items.find((i) => i.feature === 'live_room')).toMatchObject({ used: 1, limit: 1, unit: 'rooms' })
    expect(items.find((i) => i.feature === 'storage')).toMatchObject({ unit: 'MB', limit: 1024 })
  })

  it('settings: the locale round-trips', async () => {
    const { billing } = openCore()
    const { call } = ipcOver(billing, { settings: memorySettings() })
    expect(await call('settings.get', {})).toEqual({ ok: true, value: { locale: 'zh-CN' } })
    expect(await call('settings.set', { locale: 'en' })).toEqual({ ok: true, value: { locale: 'en' } })
    expect(await call('settings.get', {})).toEqual({ ok: true, value: { locale: 'en' } })
    expect(await call('settings.set', { locale: 'fr' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
  })

  it('with no relay configured, the sync channels answer from the real service: offline, defaults, nothing to pay with', async () => {
    const { billing } = openCore()
    const { call } = ipcOver(billing)
    const offline = {
      online: false,
      syncing: false,
      lastSyncAt: null,
      pendingCount: 0,
      pendingCheckouts: 0,
      lastError: null,
      rejectedCount: 0,
      lastRejection: null,
      skippedCount: 0,
      lastSkipped: null,
      trialRefused: null,
      catalogVersion: 1,
      health: { fullCheckAt: null, fullCheckError: null, longestBlockMs: expect.any(Number) },
      warnings: []
    }
    expect(await call('sync.state', {})).toEqual({ ok: true, value: offline })
    expect(await call('sync.now', {})).toEqual({ ok: true, value: offline })
    expect(await call('recharge.options', {})).toMatchObject({ ok: true, value: { min: cny(100), max: cny(500_000) } })
    expect(await call('payments.history', { limit: 5 })).toEqual({ ok: true, value: { items: [], nextCursor: null } })
    const before = snapshot(billing)
    const create = { idempotencyKey: key(), method: 'alipay', purpose: { kind: 'recharge', amount: cny(5000) } }
    expect(await call('checkout.create', create)).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } })
    expect(await call('checkout.status', { orderId: 'ord-1' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    expect(await call('payments.history', { limit: 5 })).toEqual({ ok: true, value: { items: [], nextCursor: null } })
    // Everything local still works.
    expect(await call('wallet.chargeOrFree', { idempotencyKey: key(), feature: 'ai_request' })).toMatchObject({ ok: true, value: { outcome: 'first_free' } })
    expect(snapshot(billing)).not.toEqual(before)
    // The paid use was queued for the relay, and the state says so.
    expect(await call('sync.state', {})).toMatchObject({ ok: true, value: { online: false, pendingCount: 1 } })
  })

  it('checkout.openExternal opens provider checkout hosts only, from main’s own URL', async () => {
    const { billing } = openCore()
    const opened: string[] = []
    const urls: Record<string, string> = {
      stripe: 'https://checkout.stripe.com/c/pay/cs_test_1',
      evil: 'https://checkout.stripe.com.evil.example/c/pay',
      http: 'http://www.paypal.com/checkoutnow?token=1'
    }
    const { call } = ipcOver(billing, {
      external: { checkoutUrl: (id) => urls[id] ?? null, open: async (u) => void opened.push(u) }
    })
    expect(await call('checkout.openExternal', { orderId: 'stripe' })).toEqual({ ok: true, value: { opened: true } })
    expect(await call('checkout.openExternal', { orderId: 'evil' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(await call('checkout.openExternal', { orderId: 'http' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    expect(await call('checkout.openExternal', { orderId: 'none' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    expect(await call('checkout.openExternal', { orderId: 'stripe', url: 'https://x' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' }
    })
    expect(opened).toEqual([urls['stripe']])
  })
})
