import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN } from '../relay/support/relay'
import { newDevice, orderNoOf, providerPays, startWorld, type Device, type World } from './support'

// The streamer's 取消订单: the relay closes the provider's QR code or page (the real adapter
// against its fake) and cancels the order too, its coupon free again at once; with the relay out
// of reach, or a provider that cannot close yet, the app cancels at once and asks again later.

const cny = (amount: number) => ({ amount, currency: 'CNY' as const })

async function onceCoupon(w: World, code: string): Promise<void> {
  const made = await w.t.api('POST', '/v1/admin/coupons', {
    token: ADMIN_TOKEN,
    body: { name: code, off: { kind: 'amount', amount: cny(500) }, perAccountLimit: 1, appliesTo: { plans: [], recharge: true } }
  })
  expect(made.status, made.text).toBe(200)
  expect((await w.t.api('POST', `/v1/admin/coupons/${made.body.coupon.id}/codes`, { token: ADMIN_TOKEN, body: { code } })).status).toBe(200)
}

/** sync_orders.failure_reason: 'checkout_cancelled' once the relay has the cancel, null before. */
const marker = (d: Device, orderId: string) =>
  (d.billing.db.sqlite.prepare('SELECT failure_reason FROM sync_orders WHERE id = ?').get(orderId) as { failure_reason: string | null }).failure_reason

const relayState = async (w: World, orderNo: string) => (await w.t.sql<{ state: string }>('SELECT state FROM orders WHERE order_no = ?', orderNo))[0]!.state

describe('cancelling a checkout', () => {
  it('cancels on the relay and at the provider, so the same once-per-account code works for another method at once', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await onceCoupon(w, 'ONCE5')
    const purpose = { kind: 'recharge' as const, amount: cny(5000) }
    const first = await a.sync.createCheckout({ idempotencyKey: 'cancel-first', method: 'alipay', purpose, code: 'ONCE5' })
    const orderNo = orderNoOf(a, first.orderId)
    // While it is open, the code is taken (one use per account).
    await expect(a.sync.createCheckout({ idempotencyKey: 'cancel-blocked', method: 'wechat', purpose, code: 'ONCE5' })).rejects.toMatchObject({ code: 'COUPON_REFUSED' })

    expect((await a.sync.cancelCheckout({ orderId: first.orderId })).status).toBe('cancelled')
    expect(await relayState(w, orderNo)).toBe('cancelled')
    expect(w.providers.closed('alipay', orderNo)).toBe(true)

    const second = await a.sync.createCheckout({ idempotencyKey: 'cancel-second', method: 'wechat', purpose, code: 'ONCE5' })
    expect(second.amount).toEqual(cny(4500))
    expect((await a.sync.cancelCheckout({ orderId: second.orderId })).status).toBe('cancelled')
    expect(w.providers.closed('wechat', orderNoOf(a, second.orderId))).toBe(true)
    // The relay's order_closed record changes nothing more here.
    await a.sync.syncNow()
    expect(a.sync.checkoutStatus({ orderId: first.orderId }).status).toBe('cancelled')
    expect(a.sync.checkIntegrity().problems).toEqual([])
  })

  it('with the relay out of reach: cancelled here at once, and the relay is told on the next sync', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const c = await a.sync.createCheckout({ idempotencyKey: 'cancel-offline', method: 'stripe', purpose: { kind: 'recharge', amount: cny(3000) } })
    const orderNo = orderNoOf(a, c.orderId)
    await w.t.relay.stop()
    expect((await a.sync.cancelCheckout({ orderId: c.orderId })).status).toBe('cancelled')
    await w.restartRelay('back', true)
    expect(await relayState(w, orderNo)).toBe('pending')
    await a.sync.syncNow()
    expect(await relayState(w, orderNo)).toBe('cancelled')
    expect(w.providers.closed('stripe', orderNo)).toBe(true)
    // Told: the marker says the relay has it, so poll() no longer lists it.
    expect(marker(a, c.orderId)).toBe('checkout_cancelled')
  })

  it('PayPal: an order the buyer has not approved is cancelled on the relay through the real adapter (it reads the order)', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const c = await a.sync.createCheckout({ idempotencyKey: 'cancel-paypal', method: 'paypal', purpose: { kind: 'recharge', amount: cny(3000) } })
    expect((await a.sync.cancelCheckout({ orderId: c.orderId })).status).toBe('cancelled')
    expect(await relayState(w, orderNoOf(a, c.orderId))).toBe('cancelled')
    expect(marker(a, c.orderId)).toBe('checkout_cancelled')
  })

  it('cancelled while the relay was still opening it: the order number arrives after, and the next sync tells the relay', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await onceCoupon(w, 'EARLY5')
    const purpose = { kind: 'recharge' as const, amount: cny(5000) }
    // The local order is written before the relay is asked; cancel it while the request is out.
    const opening = a.sync.createCheckout({ idempotencyKey: 'cancel-early', method: 'alipay', purpose, code: 'EARLY5' })
    const { id } = a.billing.db.sqlite.prepare('SELECT id FROM sync_orders WHERE request_key = ?').get('cancel-early') as { id: string }
    expect((await a.sync.cancelCheckout({ orderId: id })).status).toBe('cancelled')
    expect((await opening).status).toBe('cancelled')
    const orderNo = orderNoOf(a, id)
    expect(await relayState(w, orderNo)).toBe('pending')
    expect(marker(a, id)).toBeNull()
    await a.sync.syncNow()
    expect(await relayState(w, orderNo)).toBe('cancelled')
    expect(w.providers.closed('alipay', orderNo)).toBe(true)
    expect(marker(a, id)).toBe('checkout_cancelled')
    // Its coupon is free again for the next checkout.
    expect((await a.sync.createCheckout({ idempotencyKey: 'cancel-early-2', method: 'wechat', purpose, code: 'EARLY5' })).amount).toEqual(cny(4500))
  })

  it('while the provider cannot close its checkout the relay keeps the order open, and the app asks again on each sync', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const c = await a.sync.createCheckout({ idempotencyKey: 'cancel-refused', method: 'stripe', purpose: { kind: 'recharge', amount: cny(3000) } })
    const orderNo = orderNoOf(a, c.orderId)
    w.providers.stripeFailsNext(500)
    expect((await a.sync.cancelCheckout({ orderId: c.orderId })).status).toBe('cancelled')
    expect(await relayState(w, orderNo)).toBe('pending')
    expect(marker(a, c.orderId)).toBeNull()
    await a.sync.syncNow()
    expect(await relayState(w, orderNo)).toBe('cancelled')
    expect(w.providers.closed('stripe', orderNo)).toBe(true)
    expect(marker(a, c.orderId)).toBe('checkout_cancelled')
  })

  it('an order the relay has already paid is not cancelled: the error says so and the payment arrives with the sync', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const c = await a.sync.createCheckout({ idempotencyKey: 'cancel-paid', method: 'alipay', purpose: { kind: 'recharge', amount: cny(2000) } })
    await providerPays(w, 'alipay', orderNoOf(a, c.orderId), 2000)
    await expect(a.sync.cancelCheckout({ orderId: c.orderId })).rejects.toMatchObject({ code: 'INVALID_TRANSITION', details: { entity: 'checkout', from: 'paid', to: 'cancelled' } })
    expect(a.sync.checkoutStatus({ orderId: c.orderId }).status).toBe('pending')
    await a.sync.syncNow()
    expect(a.sync.checkoutStatus({ orderId: c.orderId }).status).toBe('paid')
    expect(a.billing.wallet.balance().amount).toBe(2000)
  })
})
