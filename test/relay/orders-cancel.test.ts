import { expect, it } from 'vitest'
import { refunded } from './support/flows'
import { forEachStore } from './support/pg'
import { checkoutRaw, couponWithCode, enrolDevice, expectBooksBalance, notify, paid, plan, records, startCouponRelay } from './coupons/support'
import type { TestRelay } from './support/relay'

// POST /v1/orders/:orderNo/cancel: the customer withdraws a checkout. The order is cancelled at
// once (its coupon reservation released, every device told), the provider asked to close its
// checkout, and money that still arrives is recorded (cancelled → paid), never lost.

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

  it('records money that arrives after a cancel: the order is paid, its coupon taken again, a refund waits for the payment', async () => {
    const t = await startCouponRelay()
    const dev = await enrolDevice(t.api)
    const couponId = await couponWithCode(t, 'LATE', { off: { kind: 'amount', amount: { amount: 900, currency: 'CNY' } }, totalLimit: 1 })
    const order = await checkoutRaw(t, dev.token, { item: plan(), code: 'LATE' })
    const orderNo = order.body.order.orderNo as string
    // The provider cannot close its checkout: the cancel still stands, the log says so.
    t.provider.failNextClose = true
    const cancelled = await t.api('POST', `/v1/orders/${orderNo}/cancel`, { token: dev.token })
    expect(cancelled.status).toBe(200)
    expect(cancelled.body.order.state).toBe('cancelled')
    expect((await states(t, couponId))).toEqual(['released'])

    // A refund heard before the payment is redelivered later (503), with no effect now.
    const early = await notify(t, t.provider, [refunded(orderNo, 2000, 're_early')])
    expect(early.status).toBe(503)
    expect((await notify(t, t.provider, [paid(orderNo, 2000)])).status).toBe(200)
    expect((await t.sql<{ state: string }>('SELECT state FROM orders WHERE order_no = ?', orderNo))[0]!.state).toBe('paid')
    expect((await states(t, couponId))).toEqual(['consumed'])
    expect((await records(t, dev, 'payment_confirmed')).map((p) => p.orderNo)).toEqual([orderNo])
    expect((await notify(t, t.provider, [refunded(orderNo, 2000, 're_early')])).status).toBe(200)
    expect((await t.sql<{ state: string }>('SELECT state FROM orders WHERE order_no = ?', orderNo))[0]!.state).toBe('refunded')
    await expectBooksBalance(t)
  })
})
