import { describe, expect, it } from 'vitest'
import { createIpcHandlers, syncHandlers } from '../../src/main/ipc'
import { publishCatalog } from '../../src/relay/catalog/catalog'
import { BUILT_IN_CATALOG } from '../../src/shared/catalog'
import type { FeedPage } from '../../src/shared/relay-contract'
import { catalogV } from '../support/catalog'
import { feedTamper } from './feed-tamper'
import { newDevice, orderNoOf, providerPays, startWorld, topUp, type Device, type World } from './support'

// Plans as data (docs/architecture.md, "Plans as data"; docs/sync.md, "The catalog"): the
// operator publishes a version on the relay; each device gets it signed in its account's feed,
// verifies it, keeps it, and prices and gates by it. A live subscription keeps what it paid
// until it renews.

const HOUR = 3600_000
const DAY = 24 * HOUR

/** The operator publishes `doc` now and the relay's and devices' clocks move to its effectiveFrom. */
async function publishAndReach(w: World, doc: ReturnType<typeof catalogV>, devices: Device[]): Promise<void> {
  await publishCatalog(w.t.relay.db, w.t.clock.now(), doc)
  const ahead = doc.effectiveFrom - w.t.clock.now()
  w.t.clock.set(doc.effectiveFrom)
  for (const d of devices) d.clock.advance(ahead)
}

/** What one AI request costs through the IPC gate (the wallet rule, as the renderer asks). */
async function gatePrice(d: Device, key: string): Promise<number> {
  const handlers = createIpcHandlers({ billing: d.billing, extra: syncHandlers(d.sync) })
  const outcome = await handlers['wallet.chargeOrFree']({ idempotencyKey: key, feature: 'ai_request' }, { sender: null, channel: 'wallet.chargeOrFree' })
  return outcome.price.amount
}

const basicMonthly = (d: Device) => d.billing.subscriptions.getPlan('BASIC', 'monthly').price.amount

describe('the catalog as signed data', () => {
  it('a price change mid-period: the live subscription keeps its price, a new purchase pays the new one, everything else follows the catalog', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await topUp(w, a, 20_000)
    // Until the first catalog record: the compiled defaults.
    expect(a.billing.subscriptions.currentCatalogVersion()).toBe(1)
    expect(a.sync.rechargeOptions()).toMatchObject({ min: { amount: 100 }, methods: ['alipay', 'wechat', 'stripe', 'paypal'] })
    const live = a.billing.subscriptions.subscribe({ key: 'sub-a', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    expect(live.price.amount).toBe(2900)
    expect(await gatePrice(a, 'ai-before')).toBe(10)

    await publishAndReach(w, catalogV(2, w.t.clock.now() + 10 * DAY), [a])
    expect((await a.sync.syncNow()).lastError).toBeNull()

    const subs = a.billing.subscriptions
    expect(subs.currentCatalogVersion()).toBe(2)
    expect(subs.catalog()).toEqual(catalogV(2, w.t.clock.now()))
    expect(basicMonthly(a)).toBe(3900)
    expect(subs.current()).toMatchObject({ id: live.id, price: { amount: 2900 }, currentPeriodEnd: live.currentPeriodEnd })
    // The wallet rule's price per use, the recharge rules and the payment methods are the catalog's.
    expect(await gatePrice(a, 'ai-after')).toBe(20)
    expect(a.sync.rechargeOptions()).toEqual({
      presets: [2000, 5000, 10_000].map((amount) => ({ amount, currency: 'CNY' })),
      min: { amount: 200, currency: 'CNY' },
      max: { amount: 300_000, currency: 'CNY' },
      methods: ['alipay', 'wechat']
    })
    // The plans table follows the catalog and verify() says so (recorded as a catalog version).
    expect(a.billing.verify()).toEqual({ ok: true, problems: [] })
    expect(a.sync.checkIntegrity().problems).toEqual([])

    // A new purchase, at the relay, pays the new price; a method the catalog no longer offers is refused.
    const b = await newDevice(w, 'b')
    expect(b.billing.subscriptions.currentCatalogVersion()).toBe(2)
    const c = await b.sync.createCheckout({ idempotencyKey: 'plan-b-basic', method: 'wechat', purpose: { kind: 'plan', planId: 'BASIC:monthly' } })
    expect(c.amount).toEqual({ amount: 3900, currency: 'CNY' })
    await providerPays(w, 'wechat', orderNoOf(b, c.orderId), 3900)
    await b.sync.syncNow()
    expect(b.billing.subscriptions.current()).toMatchObject({ planCode: 'BASIC', period: 'monthly' })
    await expect(
      b.sync.createCheckout({ idempotencyKey: 'plan-b-stripe', method: 'stripe', purpose: { kind: 'plan', planId: 'BASIC:monthly' } })
    ).rejects.toMatchObject({ code: 'METHOD_UNAVAILABLE', details: { method: 'stripe' } })
    // A wallet purchase on the device pays the new price too.
    await topUp(w, b, 10_000, 'alipay')
    b.billing.subscriptions.cancel({ key: 'cancel-b', atPeriodEnd: false, reason: 'switching' })
    expect(b.billing.subscriptions.subscribe({ key: 'sub-b', planCode: 'BASIC', period: 'monthly', payment: 'wallet' }).price.amount).toBe(3900)

    // Each account's feed carries the version once: a second sync appends nothing.
    const count = () => (w.t.relay.db.sqlite.prepare('SELECT count(*) AS n FROM catalog_deliveries').get() as { n: number }).n
    expect(count()).toBe(2)
    await a.sync.syncNow()
    expect(count()).toBe(2)
  })

  it('a plan bought by a device that has not pulled since the change is recorded at the price the order paid', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await publishAndReach(w, catalogV(2, w.t.clock.now() + HOUR), [a])
    // No sync after the checkout (the run it triggers sees no network): the payment lands first.
    a.signals.setOnline(false)
    const c = await a.sync.createCheckout({ idempotencyKey: 'plan-a-basic', method: 'alipay', purpose: { kind: 'plan', planId: 'BASIC:monthly' } })
    expect(c.amount).toEqual({ amount: 3900, currency: 'CNY' })
    expect(a.billing.subscriptions.currentCatalogVersion()).toBe(1)
    await providerPays(w, 'alipay', orderNoOf(a, c.orderId), 3900)
    a.signals.setOnline(true)
    expect((await a.sync.syncNow()).lastError).toBeNull()
    // The catalog the order was priced by came before its payment in the feed.
    expect(a.billing.subscriptions.current()).toMatchObject({ planCode: 'BASIC', price: { amount: 3900 } })
    expect(a.billing.subscriptions.currentCatalogVersion()).toBe(2)
    expect(a.billing.verify().ok).toBe(true)
  })

  it('a renewal after the change charges the new price and records it; the sweep and a manual renewal alike', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await topUp(w, a, 20_000)
    const live = a.billing.subscriptions.subscribe({ key: 'sub-a', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    await publishAndReach(w, catalogV(2, w.t.clock.now() + DAY), [a])
    await a.sync.syncNow()
    const balance = a.billing.wallet.balance().amount

    // The period ends: the sweep's auto-renewal charges 39.00 and the subscription now says so.
    a.clock.set(live.currentPeriodEnd! + 1000)
    a.billing.sweep()
    const renewed = a.billing.subscriptions.current()!
    expect(renewed).toMatchObject({ id: live.id, status: 'active', price: { amount: 3900 } })
    expect(a.billing.subscriptions.history(live.id).at(-1)).toMatchObject({ kind: 'auto_renewed', details: expect.objectContaining({ amount: 3900 }) })
    expect(a.billing.wallet.balance().amount).toBe(balance - 3900)

    // The next version (BASIC at 45.00) and a manual renewal ahead of the period end.
    w.t.clock.set(a.clock.now())
    await publishAndReach(w, catalogV(3, a.clock.now() + HOUR, { basicMonthly: 4500 }), [a])
    await a.sync.syncNow()
    expect(a.billing.subscriptions.current()!.price.amount).toBe(3900)
    a.billing.subscriptions.renew({ key: 'renew-a', payment: 'wallet' })
    expect(a.billing.subscriptions.current()!.price.amount).toBe(4500)
    expect(a.billing.wallet.balance().amount).toBe(balance - 3900 - 4500)
    expect(a.billing.verify()).toEqual({ ok: true, problems: [] })
  })

  it('an app offline across the change keeps the catalog it has until it syncs; then the new one applies', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    a.signals.setOnline(false)
    await publishAndReach(w, catalogV(2, w.t.clock.now() + HOUR), [a])
    // In force at the relay, unknown here: the compiled defaults still price and gate.
    expect((await a.sync.syncNow()).online).toBe(false)
    expect(a.billing.subscriptions.currentCatalogVersion()).toBe(1)
    expect(basicMonthly(a)).toBe(2900)
    expect(a.sync.rechargeOptions().methods).toEqual(['alipay', 'wechat', 'stripe', 'paypal'])

    // A version published and taking effect while it is still offline: it jumps straight to it.
    await publishAndReach(w, catalogV(3, w.t.clock.now() + HOUR, { basicMonthly: 4900 }), [a])
    a.signals.setOnline(true)
    expect((await a.sync.syncNow()).lastError).toBeNull()
    expect(a.billing.subscriptions.currentCatalogVersion()).toBe(3)
    expect(basicMonthly(a)).toBe(4900)
    expect(a.sync.rechargeOptions().methods).toEqual(['alipay', 'wechat'])
    expect(a.billing.verify().ok).toBe(true)
  })

  it('a tampered catalog record is refused by the page check and the last valid catalog is kept', async () => {
    const w = await startWorld()
    const tamper = feedTamper()
    const a = await newDevice(w, 'a', undefined, { fetch: tamper.fetch })
    await publishAndReach(w, catalogV(2, w.t.clock.now() + HOUR), [a])
    await a.sync.syncNow()
    expect(a.billing.subscriptions.currentCatalogVersion()).toBe(2)

    // The next version on its way, cheapened by a man in the middle.
    await publishAndReach(w, catalogV(3, w.t.clock.now() + HOUR, { basicMonthly: 5900 }), [a])
    let edited = 0
    tamper.set((page: FeedPage) => ({
      ...page,
      records: page.records.map((r) => {
        if (!r.payload.includes('"type":"catalog"')) return r
        edited++
        return { ...r, payload: r.payload.replace('"price":5900', '"price":1') }
      })
    }))
    const state = await a.sync.syncNow()
    expect(edited).toBe(1)
    expect(state.lastError).toMatch(/rejected: not the record the relay signed/)
    expect(a.billing.subscriptions.currentCatalogVersion()).toBe(2)
    expect(basicMonthly(a)).toBe(3900)
    expect(await gatePrice(a, 'ai-kept')).toBe(20)
    expect(a.billing.db.sqlite.prepare("SELECT count(*) AS n FROM sync_inbox WHERE type = 'catalog'").get()).toEqual({ n: 1 })

    // The untouched record arrives on the next sync.
    tamper.set(null)
    expect((await a.sync.syncNow()).lastError).toBeNull()
    expect(a.billing.subscriptions.currentCatalogVersion()).toBe(3)
    expect(basicMonthly(a)).toBe(5900)
    expect(a.billing.verify().ok).toBe(true)
  })

  it('an authentic catalog record this version cannot read is skipped, the feed goes on, the last valid catalog stays', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await publishAndReach(w, catalogV(2, w.t.clock.now() + HOUR), [a])
    await a.sync.syncNow()
    // A newer relay's document this app cannot validate (here: no plans at all), signed as usual.
    const unreadable = { publishedAt: w.t.clock.now(), document: { ...catalogV(3, w.t.clock.now()), plans: [] } }
    await w.t.relay.db.unit(async (tx) => w.t.relay.core.feed.append(tx, a.accountId, 'catalog', unreadable as never))
    await topUp(w, a, 1000, 'alipay')
    const state = a.sync.state()
    expect(state.lastError).toBeNull()
    expect(state).toMatchObject({ skippedCount: 1, lastSkipped: { type: 'catalog', reason: expect.stringContaining('data.document.plans') } })
    expect(a.billing.subscriptions.currentCatalogVersion()).toBe(2)
    expect(state.catalogVersion).toBe(2)
    // The records after it were applied.
    expect(a.billing.wallet.balance().amount).toBe(1000)
  })

  it('an older or equal version arriving after a newer one changes nothing', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await publishAndReach(w, catalogV(2, w.t.clock.now() + HOUR), [a])
    await a.sync.syncNow()
    expect(a.billing.subscriptions.applyCatalog(catalogV(2, 0))).toBe(false)
    expect(a.billing.subscriptions.applyCatalog(BUILT_IN_CATALOG)).toBe(false)
    expect(a.billing.subscriptions.currentCatalogVersion()).toBe(2)
    expect(a.billing.verify().ok).toBe(true)
  })
})
