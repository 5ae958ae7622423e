import { describe, expect, it } from 'vitest'
import type { ProviderEvent } from '../../src/relay/providers/types'
import { checkout, refunded } from './support/flows'
import { createTestProvider } from './support/hmac-provider'
import { forEachStore } from './support/pg'
import { checkoutRaw, couponWithCode, enrolDevice, expectBooksBalance, notify, paid, plan, records, startCouponRelay } from './coupons/support'
import { startTestRelay, type TestRelay } from './support/relay'

// POST /v1/orders/:orderNo/cancel: the customer withdraws a checkout. Once the provider has
// closed its checkout the order is cancelled (its coupon reservation released, every device
// told); until then it stays open with its coupon. Money that still arrives is recorded
// (cancelled → paid), never lost; PayPal's approval of a cancelled order is not captured.

async function states(t: TestRelay, couponId: string): Promise<string[]> {
  return (await t.sql<{ state: string }>('SELECT state FROM coupon_redemptions WHERE coupon_id = ? ORDER BY created_at, id', couponId)).map((r) => r.state)
}

forEachStore('order cancel', () => {
  it('cancels an open order: the per-account coupon is free again at once, the devices are told, the provider closes its checkout', async () => {
    const t = await startCouponRelay()
    const dev = await enrolDevice(t.api)
    const couponId = await couponWithCode(t, 'WELCOME', { off: { kind: 'percent', percent: '10' }, perAccountLimit: 1 })
    const first = await checkoutRaw(t, dev.token, { item: plan(), code: 'WELCOME' })
    expect(first.status, first.text).toBe(200)
    const orderNo = first.body.order.orderNo as string
    // Another method for the same plan: the code is taken by the open order.
    const blocked = await checkoutRaw(t, dev.token, { item: plan(), code: 'WELCOME' })
    expect(blocked.body.error).toMatchObject({ code: 'COUPON_REFUSED', details: { refusal: 'already_used' } })

    const cancelled = await t.api('POST', `/v1/orders/${orderNo}/cancel`, { token: dev.token })
    expect(cancelled.status, cancelled.text).toBe(200)
    expect(cancelled.body.order).toMatchObject({ orderNo, state: 'cancelled' })
    expect(t.provider.closes).toEqual([orderNo])
    expect((await states(t, couponId))).toEqual(['released'])
    const closed = await records(t, dev, 'order_closed')
    expect(closed).toEqual([expect.objectContaining({ orderNo, state: 'cancelled', reason: 'checkout_cancelled' })])
    expect(await t.sql('SELECT from_state, to_state FROM order_transitions WHERE order_id = (SELECT id FROM orders WHERE order_no = ?) ORDER BY seq', orderNo)).toEqual([
      { from_state: 'none', to_state: 'created' },
      { from_state: 'created', to_state: 'pending' },
      { from_state: 'pending', to_state: 'cancelled' }
    ])

    // Again: the same answer, nothing more told or closed.
    const again = await t.api('POST', `/v1/orders/${orderNo}/cancel`, { token: dev.token })
    expect(again.status).toBe(200)
    expect(again.body.order.state).toBe('cancelled')
    expect(t.provider.closes).toEqual([orderNo])
    expect(await records(t, dev, 'order_closed')).toHaveLength(1)

    const retry = await checkoutRaw(t, dev.token, { item: plan(), code: 'WELCOME' })
    expect(retry.status, retry.text).toBe(200)
    expect(retry.body.order.amount.amount).toBe(2610)
    expect((await states(t, couponId)).sort()).toEqual(['released', 'reserved'])
    await expectBooksBalance(t)
  })

  it("refuses another account's order, an unknown one and a paid one, with typed errors", async () => {
    const t = await startCouponRelay()
    const [a, b] = [await enrolDevice(t.api), await enrolDevice(t.api)]
    const order = await checkoutRaw(t, a.token, { item: plan() })
    const orderNo = order.body.order.orderNo as string
    const foreign = await t.api('POST', `/v1/orders/${orderNo}/cancel`, { token: b.token })
    expect(foreign.status).toBe(404)
    expect(foreign.body.error.code).toBe('NOT_FOUND')
    expect((await t.api('POST', '/v1/orders/R000/cancel', { token: a.token })).status).toBe(404)
    expect((await t.api('POST', `/v1/orders/${orderNo}/cancel`, {})).status).toBe(401)

    expect((await notify(t, t.provider, [paid(orderNo, 2900)])).status).toBe(200)
    const late = await t.api('POST', `/v1/orders/${orderNo}/cancel`, { token: a.token })
    expect(late.status).toBe(409)
    expect(late.body.error).toMatchObject({ code: 'INVALID_TRANSITION', details: { orderNo, state: 'paid' } })
    expect((await t.sql<{ state: string }>('SELECT state FROM orders WHERE order_no = ?', orderNo))[0]!.state).toBe('paid')
    expect(t.provider.closes).toEqual([])
  })

  it('keeps the order open with its coupon while the provider cannot close its checkout; asked again, it cancels', async () => {
    const t = await startCouponRelay()
    const dev = await enrolDevice(t.api)
    const couponId = await couponWithCode(t, 'KEEP', { off: { kind: 'percent', percent: '10' }, perAccountLimit: 1 })
    const order = await checkoutRaw(t, dev.token, { item: plan(), code: 'KEEP' })
    const orderNo = order.body.order.orderNo as string
    t.provider.failNextClose = true
    const refused = await t.api('POST', `/v1/orders/${orderNo}/cancel`, { token: dev.token })
    expect(refused.status).toBe(200)
    expect(refused.body.order.state).toBe('pending')
    // Its QR may still be paid: the code stays with it, so it cannot be used twice.
    expect(await states(t, couponId)).toEqual(['reserved'])
    expect((await checkoutRaw(t, dev.token, { item: plan(), code: 'KEEP' })).body.error).toMatchObject({ details: { refusal: 'already_used' } })
    expect(await records(t, dev, 'order_closed')).toEqual([])

    const again = await t.api('POST', `/v1/orders/${orderNo}/cancel`, { token: dev.token })
    expect(again.body.order.state).toBe('cancelled')
    expect(t.provider.closes).toEqual([orderNo])
    expect(await states(t, couponId)).toEqual(['released'])
  })

  it('records money that arrives after a cancel all the same: the order is paid, its coupon taken again, a refund waits for the payment', async () => {
    const t = await startCouponRelay()
    const dev = await enrolDevice(t.api)
    const couponId = await couponWithCode(t, 'LATE', { off: { kind: 'amount', amount: { amount: 900, currency: 'CNY' } }, totalLimit: 1 })
    const order = await checkoutRaw(t, dev.token, { item: plan(), code: 'LATE' })
    const orderNo = order.body.order.orderNo as string
    expect((await t.api('POST', `/v1/orders/${orderNo}/cancel`, { token: dev.token })).body.order.state).toBe('cancelled')
    expect(await states(t, couponId)).toEqual(['released'])

    // A refund heard before the payment is redelivered later (503), with no effect now.
    const early = await notify(t, t.provider, [refunded(orderNo, 2000, 're_early')])
    expect(early.status).toBe(503)
    expect((await notify(t, t.provider, [paid(orderNo, 2000)])).status).toBe(200)
    expect((await t.sql<{ state: string }>('SELECT state FROM orders WHERE order_no = ?', orderNo))[0]!.state).toBe('paid')
    expect(await states(t, couponId)).toEqual(['consumed'])
    expect((await records(t, dev, 'payment_confirmed')).map((p) => p.orderNo)).toEqual([orderNo])
    expect((await notify(t, t.provider, [refunded(orderNo, 2000, 're_early')])).status).toBe(200)
    expect((await t.sql<{ state: string }>('SELECT state FROM orders WHERE order_no = ?', orderNo))[0]!.state).toBe('refunded')
    await expectBooksBalance(t)
  })
})

describe('order cancel with PayPal', () => {
  it('captures no approval of a cancelled order: no money moves, the order stays cancelled', async () => {
    const provider = createTestProvider('paypal')
    const t = await startTestRelay({ providers: [provider] })
    const dev = await enrolDevice(t.api)
    const { order } = await checkout(t.api, dev.token, { provider: 'paypal', item: plan() })
    expect((await t.api('POST', `/v1/orders/${order.orderNo}/cancel`, { token: dev.token })).body.order.state).toBe('cancelled')
    expect(provider.closes).toEqual([order.orderNo])
    const approved: ProviderEvent = { type: 'payment.approved', eventId: 'evt_approved_late', orderNo: order.orderNo, providerRef: `ref_${order.orderNo}`, amount: { amount: order.amount.amount, currency: 'CNY' }, occurredAt: 0 }
    expect((await notify(t, provider, [approved])).status).toBe(200)
    expect(provider.captures).toEqual([])
    expect((await t.sql<{ state: string }>('SELECT state FROM orders WHERE order_no = ?', order.orderNo))[0]!.state).toBe('cancelled')
    await t.relay.stop()
  })
})
