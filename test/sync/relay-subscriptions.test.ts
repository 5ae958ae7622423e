import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN } from '../relay/support/relay'
import { newDevice, orderNoOf, providerPays, providerRefunds, relayWallet, startWorld, topUp, type Device, type World } from './support'

// Every subscription lives on the relay (issue 12, items 3 and 5): a plan bought from the wallet
// travels as a subscription_purchase record, the relay checks its price, books the plan's
// revenue and answers with its grant; switches and refunds are decided there and the devices
// apply the dates they are sent.

const DAY = 86_400_000
const BASIC_MONTH = 2900
const PREMIUM_MONTH = 5900

type Row = Record<string, unknown>
const relayRows = (w: World, sql: string, ...args: unknown[]): Row[] => w.t.relay.db.sqlite.prepare(sql).all(...args) as Row[]

async function advance(w: World, devices: Device[], ms: number): Promise<void> {
  w.t.clock.advance(ms)
  for (const d of devices) d.clock.advance(ms)
}

let orders = 0
async function buysByProvider(w: World, d: Device, planId: string, amount: number): Promise<string> {
  const c = await d.sync.createCheckout({ idempotencyKey: `plan-order-${++orders}`, method: 'alipay', purpose: { kind: 'plan', planId } })
  const orderNo = orderNoOf(d, c.orderId)
  await providerPays(w, 'alipay', orderNo, amount)
  await d.sync.syncNow()
  return orderNo
}

describe('a plan bought from the wallet', () => {
  it('reaches the relay as a purchase: plan revenue booked once, the buying device keeps its one period, the other device mirrors it', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const b = await newDevice(w, 'b', a.accountId)
    await topUp(w, a, 10_000)
    await b.sync.syncNow()
    const sub = a.billing.subscriptions.subscribe({ key: 'buy-basic', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    const outbox = a.billing.db.sqlite.prepare('SELECT id, kind FROM sync_outbox WHERE kind <> ? ORDER BY seq').all('usage') as Row[]
    // No wallet_debit for it: the purchase record carries the money.
    expect(outbox.map((r) => r.kind)).toEqual(['subscription_purchase'])
    await a.sync.syncNow()
    await a.sync.syncNow()

    // The relay: one transfer wallet → BASIC monthly revenue, its grant, the wallet down by the price.
    const transfers = relayRows(w, "SELECT kind, debit_account_id, credit_account_id, amount FROM ledger_transfers WHERE kind = 'subscription_purchase'")
    expect(transfers).toEqual([
      { kind: "subscription_purchase", debit_account_id: `wallet:${a.accountId}:CNY`, credit_account_id: "revenue:plan:BASIC:monthly:CNY", amount: BASIC_MONTH }
    ])
    expect(relayWallet(w, a.accountId).balance).toBe(10_000 - BASIC_MONTH)
    const grants = relayRows(w, 'SELECT plan_code, period, purchase_id, device_id, starts_at, ends_at, status FROM grants WHERE account_id = ?', a.accountId)
    expect(grants).toEqual([
      { plan_code: 'BASIC', period: 'monthly', purchase_id: outbox[0]!.id, device_id: a.deviceId, starts_at: sub.currentPeriodStart, ends_at: sub.currentPeriodEnd, status: 'active' }
    ])

    // The buyer's subscription is not renewed by the answer (one period, one charge), its wallet debited once.
    const mine = a.billing.subscriptions.current()!
    expect(mine).toMatchObject({ id: sub.id, currentPeriodEnd: sub.currentPeriodEnd })
    expect(a.billing.subscriptions.history(sub.id).map((e) => e.kind)).toEqual(['subscribed'])
    expect(a.billing.wallet.balance().amount).toBe(10_000 - BASIC_MONTH)

    // The other device: the same plan to the same instant, its wallet down by the same price (once).
    await b.sync.syncNow()
    expect(b.billing.subscriptions.current()).toMatchObject({ planCode: 'BASIC', period: 'monthly', status: 'active', currentPeriodEnd: sub.currentPeriodEnd })
    expect(b.billing.wallet.balance().amount).toBe(10_000 - BASIC_MONTH)
    await b.sync.syncNow()
    expect(b.billing.wallet.balance().amount).toBe(10_000 - BASIC_MONTH)
    expect(a.billing.verify()).toEqual({ ok: true, problems: [] })
    expect(b.billing.verify()).toEqual({ ok: true, problems: [] })
  })

  it('bought offline and renewed offline: the relay counts each period from when it was bought', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await topUp(w, a, 10_000)
    a.signals.setOnline(false)
    const sub = a.billing.subscriptions.subscribe({ key: 'offline-buy', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    await advance(w, [a], 3 * DAY)
    const renewed = a.billing.subscriptions.renew({ key: 'offline-renew', payment: 'wallet' })
    await advance(w, [a], 2 * DAY)
    a.signals.setOnline(true)
    await a.sync.syncNow()
    await a.sync.syncNow()
    const grants = relayRows(w, 'SELECT starts_at, ends_at FROM grants WHERE account_id = ? ORDER BY starts_at', a.accountId)
    expect(grants).toEqual([
      { starts_at: sub.currentPeriodStart, ends_at: sub.currentPeriodEnd },
      { starts_at: sub.currentPeriodEnd, ends_at: renewed.currentPeriodEnd }
    ])
    expect(a.billing.subscriptions.current()!.currentPeriodEnd).toBe(renewed.currentPeriodEnd)
    expect(relayWallet(w, a.accountId).balance).toBe(10_000 - 2 * BASIC_MONTH)
  })

  it('a purchase whose price is not its catalog version price is refused; nothing moves on the relay', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await topUp(w, a, 10_000)
    a.billing.subscriptions.subscribe({ key: 'buy', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    // A tampered file: the purchase claims a lower price, or a catalog version that never existed.
    const row = a.billing.db.sqlite.prepare("SELECT id, body FROM sync_outbox WHERE kind = 'subscription_purchase'").get() as { id: string; body: string }
    const body = JSON.parse(row.body) as { price: { amount: number } }
    body.price.amount = 100
    a.billing.db.sqlite.prepare('UPDATE sync_outbox SET body = ? WHERE id = ?').run(JSON.stringify(body), row.id)
    await a.sync.syncNow()
    expect(a.billing.db.sqlite.prepare('SELECT rejected_code FROM sync_outbox WHERE id = ?').get(row.id)).toEqual({ rejected_code: 'PRICE_MISMATCH' })
    expect(relayRows(w, 'SELECT count(*) AS n FROM grants')).toEqual([{ n: 0 }])
    expect(relayRows(w, "SELECT count(*) AS n FROM ledger_transfers WHERE kind = 'subscription_purchase'")).toEqual([{ n: 0 }])
    expect(relayWallet(w, a.accountId).balance).toBe(10_000)

    const b = await newDevice(w, 'b')
    await topUp(w, b, 10_000)
    b.billing.subscriptions.subscribe({ key: 'buy', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    const r2 = b.billing.db.sqlite.prepare("SELECT id, body FROM sync_outbox WHERE kind = 'subscription_purchase'").get() as { id: string; body: string }
    b.billing.db.sqlite.prepare('UPDATE sync_outbox SET body = ? WHERE id = ?').run(r2.body.replace('"catalogVersion":1', '"catalogVersion":99'), r2.id)
    await b.sync.syncNow()
    expect(b.billing.db.sqlite.prepare('SELECT rejected_code FROM sync_outbox WHERE id = ?').get(r2.id)).toEqual({ rejected_code: 'CATALOG_VERSION' })
  })
})

describe('a plan switch, decided on the relay', () => {
  it('carries the unused paid time of the old plan over at the two prices; every device gets the same end', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const b = await newDevice(w, 'b', a.accountId)
    await topUp(w, a, 20_000)
    const basic = a.billing.subscriptions.subscribe({ key: 'basic', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    await a.sync.syncNow()
    await advance(w, [a, b], 10 * DAY)
    // The device switches as it can offline (cancel, then buy): the remaining BASIC days are not lost.
    a.billing.subscriptions.cancel({ key: 'switch-cancel', atPeriodEnd: false, reason: 'upgrade' })
    const premium = a.billing.subscriptions.subscribe({ key: 'premium', planCode: 'PREMIUM', period: 'monthly', payment: 'wallet' })
    await a.sync.syncNow()
    await a.sync.syncNow()
    const left = basic.currentPeriodEnd! - w.t.clock.now()
    // BASIC time left, worth 29/59 of PREMIUM time (per month), rounded up to whole days.
    const days = Math.ceil((left * BASIC_MONTH) / PREMIUM_MONTH / DAY)
    const grants = relayRows(w, 'SELECT plan_code, ends_at, status, carried_ms FROM grants WHERE account_id = ? ORDER BY starts_at', a.accountId)
    expect(grants).toEqual([
      { plan_code: 'BASIC', ends_at: w.t.clock.now(), status: 'replaced', carried_ms: 0 },
      { plan_code: 'PREMIUM', ends_at: premium.currentPeriodEnd! + days * DAY, status: 'active', carried_ms: days * DAY }
    ])
    expect(a.billing.subscriptions.current()).toMatchObject({ planCode: 'PREMIUM', currentPeriodEnd: premium.currentPeriodEnd! + days * DAY })
    await b.sync.syncNow()
    expect(b.billing.subscriptions.current()).toMatchObject({ planCode: 'PREMIUM', status: 'active', currentPeriodEnd: premium.currentPeriodEnd! + days * DAY })
    expect(a.billing.verify().ok).toBe(true)
    expect(b.billing.verify().ok).toBe(true)
  })
})

describe('refunds, decided on the relay', () => {
  it('a renewal paid by order B refunded: B\'s month is taken back, A\'s kept, no renewal after', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await buysByProvider(w, a, 'BASIC:monthly', BASIC_MONTH)
    const endA = a.billing.subscriptions.current()!.currentPeriodEnd!
    const orderB = await buysByProvider(w, a, 'BASIC:monthly', BASIC_MONTH)
    expect(a.billing.subscriptions.current()!.currentPeriodEnd!).toBeGreaterThan(endA)
    await advance(w, [a], 5 * DAY)
    await providerRefunds(w, 'alipay', orderB, BASIC_MONTH, 'rf-b')
    await a.sync.syncNow()
    expect(a.billing.subscriptions.current()).toMatchObject({ status: 'cancelled', cancelAtPeriodEnd: true, currentPeriodEnd: endA })
    const revoked = relayRows(w, "SELECT ends_at, status FROM grants WHERE account_id = ? AND status = 'revoked'", a.accountId)
    expect(revoked).toEqual([{ ends_at: endA, status: 'revoked' }])
  })

  it('the first order of a run refunded: the later month moves earlier, access ends one month sooner', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const orderA = await buysByProvider(w, a, 'BASIC:monthly', BASIC_MONTH)
    await buysByProvider(w, a, 'BASIC:monthly', BASIC_MONTH)
    const end = a.billing.subscriptions.current()!.currentPeriodEnd!
    await advance(w, [a], 10 * DAY)
    const startA = relayRows(w, 'SELECT starts_at FROM grants WHERE account_id = ? ORDER BY starts_at', a.accountId)[0]!.starts_at as number
    const endA = relayRows(w, 'SELECT ends_at FROM grants WHERE account_id = ? ORDER BY starts_at', a.accountId)[0]!.ends_at as number
    await providerRefunds(w, 'alipay', orderA, BASIC_MONTH, 'rf-a')
    await a.sync.syncNow()
    // What A paid that is still ahead: the rest of its month (from now to its end).
    const ahead = endA - w.t.clock.now()
    expect(startA).toBeLessThan(w.t.clock.now())
    expect(a.billing.subscriptions.current()).toMatchObject({ status: 'cancelled', cancelAtPeriodEnd: true, currentPeriodEnd: end - ahead })
    expect(relayRows(w, 'SELECT status, ends_at FROM grants WHERE account_id = ? ORDER BY starts_at', a.accountId)).toEqual([
      { status: 'revoked', ends_at: w.t.clock.now() },
      { status: 'active', ends_at: end - ahead }
    ])
  })

  it('a refund of a wallet-switched plan\'s source order takes back the time carried from it; a lone order refunded ends access now', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const orderBasic = await buysByProvider(w, a, 'BASIC:monthly', BASIC_MONTH)
    await topUp(w, a, 10_000)
    await advance(w, [a], 10 * DAY)
    a.billing.subscriptions.cancel({ key: 'switch', atPeriodEnd: false, reason: 'upgrade' })
    const premium = a.billing.subscriptions.subscribe({ key: 'premium', planCode: 'PREMIUM', period: 'monthly', payment: 'wallet' })
    await a.sync.syncNow()
    await a.sync.syncNow()
    const carried = a.billing.subscriptions.current()!.currentPeriodEnd! - premium.currentPeriodEnd!
    expect(carried).toBeGreaterThan(0)
    await providerRefunds(w, 'alipay', orderBasic, BASIC_MONTH, 'rf-basic')
    await a.sync.syncNow()
    // The wallet paid PREMIUM's month: it stays, renewing as before; the carried days are gone.
    expect(a.billing.subscriptions.current()).toMatchObject({ planCode: 'PREMIUM', status: 'active', currentPeriodEnd: premium.currentPeriodEnd })

    const c = await newDevice(w, 'c')
    c.clock.set(w.t.clock.now())
    const lone = await buysByProvider(w, c, 'PREMIUM:monthly', PREMIUM_MONTH)
    await advance(w, [c], DAY)
    await providerRefunds(w, 'alipay', lone, PREMIUM_MONTH, 'rf-lone')
    await c.sync.syncNow()
    expect(c.billing.subscriptions.current()).toMatchObject({ status: 'cancelled', cancelAtPeriodEnd: false })
    expect(c.billing.quotas.check('ai_request').limit).toBe(50)
  })

  it('a refund of an order whose month is over changes nothing now', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const orderA = await buysByProvider(w, a, 'BASIC:monthly', BASIC_MONTH)
    const endA = a.billing.subscriptions.current()!.currentPeriodEnd!
    await topUp(w, a, 10_000)
    await advance(w, [a], endA - w.t.clock.now() - DAY)
    a.billing.subscriptions.renew({ key: 'wallet-renew', payment: 'wallet' })
    await a.sync.syncNow()
    await advance(w, [a], 2 * DAY)
    const before = a.billing.subscriptions.current()!
    await providerRefunds(w, 'alipay', orderA, BASIC_MONTH, 'rf-old')
    await a.sync.syncNow()
    expect(a.billing.subscriptions.current()).toMatchObject({ id: before.id, status: 'active', currentPeriodEnd: before.currentPeriodEnd })
  })
})

describe('trials and operator grants are relay subscriptions too', () => {
  it('a confirmed trial is recorded on the relay (the device gates by its own trial, not the lease); a paid switch replaces it and carries nothing', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const trial = a.billing.subscriptions.subscribe({ key: 'trial-basic', planCode: 'BASIC', period: 'monthly', trial: true })
    await a.sync.syncNow()
    expect(relayRows(w, 'SELECT source, plan_code, starts_at, ends_at, status, price_minor FROM grants WHERE account_id = ?', a.accountId)).toEqual([
      { source: 'trial', plan_code: 'BASIC', starts_at: trial.startedAt, ends_at: trial.trialEndsAt, status: 'active', price_minor: 0 }
    ])
    expect(relayRows(w, "SELECT json_extract(payload, '$.data.planCode') AS plan FROM feed WHERE account_id = ? AND type = 'entitlement_lease' ORDER BY seq DESC LIMIT 1", a.accountId)).toEqual([{ plan: 'FREE' }])
    expect(a.billing.quotas.check('ai_request').limit).toBe(1000)

    await topUp(w, a, 10_000)
    await advance(w, [a], 2 * DAY)
    a.billing.subscriptions.cancel({ key: 'end-trial', atPeriodEnd: false, reason: 'upgrade' })
    const premium = a.billing.subscriptions.subscribe({ key: 'premium', planCode: 'PREMIUM', period: 'monthly', payment: 'wallet' })
    await a.sync.syncNow()
    await a.sync.syncNow()
    expect(relayRows(w, 'SELECT source, status, carried_ms FROM grants WHERE account_id = ? ORDER BY starts_at', a.accountId)).toEqual([
      { source: 'trial', status: 'replaced', carried_ms: 0 },
      { source: 'wallet', status: 'active', carried_ms: 0 }
    ])
    expect(a.billing.subscriptions.current()).toMatchObject({ planCode: 'PREMIUM', currentPeriodEnd: premium.currentPeriodEnd })
  })

  it('an operator grants a plan period through the admin route; every device mirrors it; bad input is refused naming the field', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const grant = (accountId: string, body: unknown, token: string | undefined = ADMIN_TOKEN) =>
      w.t.api('POST', `/v1/admin/accounts/${accountId}/grants`, { ...(token ? { token } : {}), body })
    const ok = await grant(a.accountId, { planCode: 'PREMIUM', period: 'monthly', reason: 'partner programme' })
    expect(ok.status).toBe(200)
    await a.sync.syncNow()
    expect(a.billing.subscriptions.current()).toMatchObject({ planCode: 'PREMIUM', period: 'monthly', status: 'active', currentPeriodEnd: ok.body.endsAt })
    expect(a.billing.quotas.check('ai_request').limit).toBe(5000)
    expect(relayRows(w, 'SELECT source, price_minor FROM grants WHERE account_id = ?', a.accountId)).toEqual([{ source: 'operator', price_minor: 0 }])
    // No money moved for it.
    expect(relayRows(w, 'SELECT count(*) AS n FROM ledger_transfers WHERE customer_account_id = ?', a.accountId)).toEqual([{ n: 0 }])

    const bad = await grant(a.accountId, { planCode: 'FREE', period: 'monthly', reason: 'x' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toMatch(/^planCode: /)
    expect((await grant(a.accountId, { planCode: 'BASIC', period: 'monthly' })).body.error.message).toMatch(/^reason: /)
    expect((await grant('acc_nobody', { planCode: 'BASIC', period: 'monthly', reason: 'support case' })).status).toBe(404)
    expect((await grant(a.accountId, { planCode: 'BASIC', period: 'monthly', reason: 'support case' }, 'x'.repeat(40))).status).toBe(401)
  })
})
