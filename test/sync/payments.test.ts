import { describe, expect, it } from 'vitest'
import { PROVIDERS } from '../../src/main/wallet'
import { BillingError } from '../../src/shared/errors'
import { checkoutSchema, paymentsHistoryOutput } from '../../src/shared/ipc/contract'
import { net, newDevice, orderNoOf, providerPays, providerRefunds, relayWallet, startWorld, topUp, type Device, type World } from './support'

const cny = (amount: number) => ({ amount, currency: 'CNY' as const })

let planBuys = 0
/** The device buys a plan (29.00, the relay's price) by `method`; the provider pays; the device syncs. */
async function buysPlan(w: World, a: Device, method: (typeof PROVIDERS)[number], planId: string): Promise<{ orderNo: string }> {
  const c = await a.sync.createCheckout({ idempotencyKey: `plan-buy-${++planBuys}`, method, purpose: { kind: 'plan', planId } })
  expect(c.amount).toEqual(cny(2900))
  const orderNo = orderNoOf(a, c.orderId)
  await providerPays(w, method, orderNo, 2900)
  await a.sync.syncNow()
  return { orderNo }
}

describe('payment flow end to end', () => {
  it('pays by each real provider while the device is offline; notifications arrive twice; on reconnect the wallet is credited once', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    a.sync.start()
    const confirmed: string[] = []
    a.sync.on('payment.confirmed', (p) => confirmed.push(p.orderId))
    const orders: { orderId: string; orderNo: string; amount: number; provider: (typeof PROVIDERS)[number] }[] = []
    for (const [i, provider] of PROVIDERS.entries()) {
      const c = await a.sync.createCheckout({ idempotencyKey: `pay-${provider}-1`, method: provider, purpose: { kind: 'recharge', amount: cny(1000 * (i + 1)) } })
      expect(checkoutSchema.parse(c)).toEqual(c)
      expect(c.status).toBe('pending')
      orders.push({ orderId: c.orderId, orderNo: orderNoOf(a, c.orderId), amount: 1000 * (i + 1), provider })
    }
    // Each checkout came from the provider's own API (through the fakes), at the relay's price.
    const shown = orders.map((o) => a.sync.checkoutStatus({ orderId: o.orderId }).display)
    expect(shown.map((d) => d.kind)).toEqual(['qr', 'qr', 'url', 'url'])
    expect(shown[0]).toMatchObject({ content: expect.stringMatching(/^https:\/\/qr\.alipay\.com\//) })
    expect(shown[1]).toMatchObject({ content: expect.stringMatching(/^weixin:\/\/wxpay\//) })
    expect(a.sync.checkoutUrl(orders[2]!.orderId)).toMatch(/^https:\/\/checkout\.stripe\.test\//)
    expect(a.sync.checkoutUrl(orders[3]!.orderId)).toMatch(/^https:\/\/www\.sandbox\.paypal\.com\/checkoutnow\?token=/)
    expect(a.sync.state().pendingCheckouts).toBe(4)
    await a.sync.syncNow() // the runs the checkouts triggered are over before the network goes
    a.signals.setOnline(false)
    const deliveries = []
    for (const o of orders) {
      const d = await providerPays(w, o.provider, o.orderNo, o.amount)
      await d.redeliver() // providers deliver at least once: the same notification again
      deliveries.push(d)
    }
    expect((await a.sync.syncNow()).online).toBe(false)
    expect(a.billing.wallet.balance().amount).toBe(0)

    a.signals.setOnline(true) // the 'online' trigger runs a sync
    const state = await a.sync.syncNow()
    expect(state).toMatchObject({ online: true, lastError: null, pendingCheckouts: 0 })
    expect(a.billing.wallet.balance().amount).toBe(10_000)
    expect(a.sync.scheduler.history).toContain('online')
    // Late redeliveries and more syncs change nothing.
    for (const d of deliveries) await d.redeliver()
    await a.sync.syncNow()
    await a.sync.syncNow()
    expect(a.billing.wallet.balance().amount).toBe(10_000)
    expect(relayWallet(w, a.accountId).balance).toBe(10_000)
    expect(new Set(confirmed)).toEqual(new Set(orders.map((o) => o.orderId)))
    expect(confirmed).toHaveLength(4)
    for (const o of orders) expect(a.sync.checkoutStatus({ orderId: o.orderId }).status).toBe('paid')
    expect(a.sync.checkIntegrity().problems).toEqual([])
    const history = paymentsHistoryOutput.parse(a.sync.paymentsHistory({ limit: 50 }))
    const payments = history.items.filter((p) => p.kind === 'payment' && p.status === 'succeeded')
    expect(payments.map((p) => p.method).sort()).toEqual([...PROVIDERS].sort())
    // The relay's audit: each provider's real adapter verified and applied one notification;
    // every other delivery was recognised as the same payment.
    const audit = w.t.relay.db.sqlite
      .prepare("SELECT provider, outcome, count(*) AS n FROM notification_log GROUP BY provider, outcome ORDER BY provider, outcome")
      .all() as { provider: string; outcome: string; n: number }[]
    for (const provider of PROVIDERS) {
      const rows = audit.filter((r) => r.provider === provider)
      expect(rows.find((r) => r.outcome === 'applied')?.n, provider).toBe(1)
      expect(rows.find((r) => r.outcome === 'duplicate')?.n ?? 0, provider).toBeGreaterThanOrEqual(2)
      expect(rows.filter((r) => r.outcome !== 'applied' && r.outcome !== 'duplicate'), provider).toEqual([])
    }
  })

  it('a plan bought by provider starts the subscription; a full refund revokes it', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const { orderNo } = await buysPlan(w, a, 'wechat', 'BASIC:monthly')
    expect(a.billing.subscriptions.current()).toMatchObject({ planCode: 'BASIC', status: 'active' })
    expect(a.billing.quotas.check('ai_request').limit).toBe(1000)
    expect(a.billing.wallet.balance().amount).toBe(0)
    await providerRefunds(w, 'wechat', orderNo, 2900, 'rf-plan-1')
    await a.sync.syncNow()
    expect(a.billing.subscriptions.current()?.status ?? 'none').not.toBe('active')
    expect(a.billing.quotas.check('ai_request').limit).toBe(50)
  })

  it('the FREE plan, or a plan taken off sale, cannot be bought: refused before any order is recorded', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    a.billing.subscriptions.setPlanActive('BASIC', 'yearly', false)
    for (const planId of ['FREE:monthly', 'BASIC:yearly']) {
      await expect(a.sync.createCheckout({ idempotencyKey: `plan-${planId}`, method: 'alipay', purpose: { kind: 'plan', planId } })).rejects.toMatchObject({
        code: 'INVALID_INPUT',
        message: 'this plan cannot be bought'
      })
    }
    expect(a.billing.db.sqlite.prepare('SELECT count(*) AS n FROM sync_orders').get()).toEqual({ n: 0 })
    expect(a.sync.paymentsHistory({ limit: 10 }).items).toEqual([])
  })

  it('cancelling here a plan the relay still leases does not start a fresh quota in the same cycle', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await buysPlan(w, a, 'alipay', 'BASIC:monthly')
    const q = a.billing.quotas
    const before = q.usage()
    expect(q.check('ai_request').limit).toBe(1000)
    q.consume('ai_request', 1000, 'use-all')
    expect(q.check('ai_request').allowed).toBe(false)
    a.billing.subscriptions.cancel({ key: 'cancel-now', atPeriodEnd: false, reason: 'changed my mind' })
    // The relay's lease still says BASIC: the same plan, counted in the same cycle.
    expect(q.usage()).toMatchObject({ planCode: 'BASIC', periodStart: before.periodStart })
    expect(q.check('ai_request')).toMatchObject({ allowed: false, limit: 1000 })
    expect(() => q.consume('ai_request', 1, 'one-more')).toThrow(expect.objectContaining({ code: 'QUOTA_EXCEEDED' }))
  })

  it('a full refund of a plan the user already cancelled at its period end ends access now', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const { orderNo } = await buysPlan(w, a, 'stripe', 'BASIC:monthly')
    const paid = a.billing.subscriptions.cancel({ key: 'user-cancel', atPeriodEnd: true, reason: 'not next month' })
    expect(paid).toMatchObject({ status: 'cancelled', cancelAtPeriodEnd: true })
    expect(a.billing.quotas.check('ai_request').limit).toBe(1000)
    await providerRefunds(w, 'stripe', orderNo, 2900, 'rf-plan-2')
    await a.sync.syncNow()
    expect(a.billing.subscriptions.current()).toMatchObject({ status: 'cancelled', cancelAtPeriodEnd: false, currentPeriodEnd: paid.currentPeriodEnd })
    expect(a.billing.quotas.check('ai_request').limit).toBe(50)
  })

  it('a refund beyond the balance leaves debt; paid use stops until a recharge repays it', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const orderNo = await topUp(w, a, 5000, 'stripe')
    a.billing.wallet.consume({ key: 'use-debt-1', amount: 4000, feature: 'live_room', reason: 'stream' })
    await a.sync.syncNow()
    await providerRefunds(w, 'stripe', orderNo, 5000, 'rf-debt-1')
    const s = await a.sync.syncNow()
    expect(a.billing.wallet.balance().amount).toBe(0)
    expect(a.billing.wallet.debt().amount).toBe(4000)
    expect(s.warnings).toContain('debt_outstanding')
    expect(relayWallet(w, a.accountId).balance).toBe(-4000)
    const out = a.billing.wallet.chargeOrFree({ key: 'gate-debt-1', price: 100, feature: 'ai_request', reason: 'x' })
    // First-free is still unused, so the rule gives it; after that, nothing is paid until repaid.
    expect(out.outcome).toBe('first_free')
    const again = a.billing.wallet.chargeOrFree({ key: 'gate-debt-2', price: 100, feature: 'ai_request', reason: 'x' })
    expect(again.outcome).toBe('needs_recharge')
    expect(() => a.billing.wallet.consume({ key: 'use-debt-2', amount: 1, feature: 'x', reason: 'x' })).toThrow(BillingError)
    await topUp(w, a, 10_000, 'paypal')
    expect(a.billing.wallet.debt().amount).toBe(0)
    expect(a.billing.wallet.balance().amount).toBe(6000)
    expect(net(a)).toBe(relayWallet(w, a.accountId).balance)
    expect(a.sync.state().warnings).not.toContain('debt_outstanding')
    expect(a.sync.checkIntegrity().problems).toEqual([])
  })

  it('expired and cancelled checkouts are cleaned up; bad input and key reuse are refused', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const c1 = await a.sync.createCheckout({ idempotencyKey: 'exp-1-key', method: 'alipay', purpose: { kind: 'recharge', amount: cny(1000) } })
    const again = await a.sync.createCheckout({ idempotencyKey: 'exp-1-key', method: 'alipay', purpose: { kind: 'recharge', amount: cny(1000) } })
    expect(again.orderId).toBe(c1.orderId)
    await expect(
      a.sync.createCheckout({ idempotencyKey: 'exp-1-key', method: 'alipay', purpose: { kind: 'recharge', amount: cny(2000) } })
    ).rejects.toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' })
    const before = a.sync.paymentsHistory({ limit: 50 }).items.length
    await expect(
      a.sync.createCheckout({ idempotencyKey: 'bad-1-key', method: 'alipay', purpose: { kind: 'recharge', amount: cny(-5) } } as never)
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    await expect(
      a.sync.createCheckout({ idempotencyKey: 'bad-2-key', method: 'alipay', purpose: { kind: 'plan', planId: 'gold-weekly' } })
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    // Beyond the relay's recharge rules: the relay refuses, nothing credited, and no payment was
    // tried: History does not list it as a failed payment.
    await expect(
      a.sync.createCheckout({ idempotencyKey: 'bad-3-key', method: 'alipay', purpose: { kind: 'recharge', amount: cny(99_000_000) } })
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    expect(a.sync.paymentsHistory({ limit: 50 }).items.length).toBe(before)

    const c2 = await a.sync.createCheckout({ idempotencyKey: 'exp-2-key', method: 'wechat', purpose: { kind: 'recharge', amount: cny(1000) } })
    expect((await a.sync.cancelCheckout({ orderId: c2.orderId })).status).toBe('cancelled')
    await expect(a.sync.cancelCheckout({ orderId: c2.orderId })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' })
    // The relay expires c1 (provider says so); the next sync cleans it up.
    await w.providers.expire('alipay', orderNoOf(a, c1.orderId))
    const s = await a.sync.syncNow()
    expect(a.sync.checkoutStatus({ orderId: c1.orderId }).status).toBe('expired')
    expect(s.pendingCheckouts).toBe(0)
    expect(() => a.sync.checkoutStatus({ orderId: 'nope' })).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }))
    expect(a.billing.wallet.balance().amount).toBe(0)
  })

  it('a refunded checkout says so: partially refunded, then refunded, in its status, its event and the payments history', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const c = await a.sync.createCheckout({ idempotencyKey: 'topup-refund-status', method: 'alipay', purpose: { kind: 'recharge', amount: cny(10_000) } })
    const orderNo = orderNoOf(a, c.orderId)
    await providerPays(w, 'alipay', orderNo, 10_000)
    await a.sync.syncNow()
    expect(a.sync.checkoutStatus({ orderId: c.orderId }).status).toBe('paid')
    const updates: string[] = []
    a.sync.on('checkout.updated', (u) => {
      if (u.orderId === c.orderId) updates.push(u.status)
    })
    const paymentRow = () => {
      const h = paymentsHistoryOutput.parse(a.sync.paymentsHistory({ limit: 50 }))
      return h.items.filter((i) => i.orderId === c.orderId).map((i) => `${i.kind}:${i.status}:${i.amount.amount}`)
    }

    await providerRefunds(w, 'alipay', orderNo, 3000, 'rf-status-1')
    await a.sync.syncNow()
    const partial = a.sync.checkoutStatus({ orderId: c.orderId })
    expect(checkoutSchema.parse(partial).status).toBe('partially_refunded')
    expect(paymentRow()).toEqual(['refund:succeeded:3000', 'payment:partially_refunded:10000'])

    await providerRefunds(w, 'alipay', orderNo, 7000, 'rf-status-2')
    await a.sync.syncNow()
    expect(checkoutSchema.parse(a.sync.checkoutStatus({ orderId: c.orderId })).status).toBe('refunded')
    expect(paymentRow()).toEqual(['refund:succeeded:7000', 'refund:succeeded:3000', 'payment:refunded:10000'])
    expect(updates).toEqual(['partially_refunded', 'refunded'])
    // A refunded checkout cannot be cancelled, and a restart keeps the state.
    await expect(a.sync.cancelCheckout({ orderId: c.orderId })).rejects.toMatchObject({ code: 'INVALID_TRANSITION' })
    const b = a.reopen()
    expect(b.sync.checkoutStatus({ orderId: c.orderId }).status).toBe('refunded')
    expect(b.billing.wallet.balance().amount).toBe(0)
  })
})
