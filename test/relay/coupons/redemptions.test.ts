import { describe, expect, it } from 'vitest'
import type { ProviderEvent } from '../../../src/relay/providers/types'
import { refunded } from '../support/flows'
import { forEachStore } from '../support/pg'
import { checkoutRaw, couponWithCode, enrolDevice, expectBooksBalance, notify, paid, plan, quote, redemptionStates, startCouponRelay, TTL } from './support'

// Redemptions exactly once: reserved with the order against the limits (200 clients at once for
// 10 left give exactly 10), consumed when paid, released when the order expires or the payer
// closes it, given back on a full refund.

forEachStore('coupon redemptions race', () => {
  it('200 concurrent checkouts for a coupon with 10 redemptions left: exactly 10 succeed, the rest are used_up', async () => {
    const t = await startCouponRelay()
    const couponId = await couponWithCode(t, 'RACE10', { off: { kind: 'amount', amount: { amount: 500, currency: 'CNY' } }, totalLimit: 10 })
    const devices = []
    for (let i = 0; i < 200; i++) devices.push(await enrolDevice(t.api, undefined, `pc-${i}`))
    const results = await Promise.all(devices.map((d) => checkoutRaw(t, d.token, { item: plan(), code: 'race10' })))
    const ok = results.filter((r) => r.status === 200)
    expect(ok).toHaveLength(10)
    for (const r of ok) expect(r.body.order.amount.amount).toBe(2400)
    const refused = results.filter((r) => r.status !== 200)
    expect(refused).toHaveLength(190)
    for (const r of refused) expect(r.body.error).toMatchObject({ code: 'COUPON_REFUSED', details: { refusal: 'used_up' } })
    expect(await t.sql('SELECT state FROM coupon_redemptions WHERE coupon_id = ?', couponId)).toEqual(Array(10).fill({ state: 'reserved' }))
    expect(await t.sql('SELECT redeemed FROM coupons WHERE id = ?', couponId)).toEqual([{ redeemed: 10 }])
    expect(await t.sql('SELECT count(*) AS n FROM orders WHERE discount_amount = 500')).toEqual([{ n: 10 }])
    await expectBooksBalance(t)
  }, 180_000)
})

describe('coupon redemptions', () => {
  it('releases the reservation when the order expires (sweeper) or the payer closes it; a late payment takes it again', async () => {
    const t = await startCouponRelay()
    const [a, b, c] = [await enrolDevice(t.api), await enrolDevice(t.api), await enrolDevice(t.api)]
    const couponId = await couponWithCode(t, 'ONLY1', { off: { kind: 'amount', amount: { amount: 900, currency: 'CNY' } }, totalLimit: 1 })
    const first = await checkoutRaw(t, a.token, { item: plan(), code: 'ONLY1' })
    expect(first.status).toBe(200)
    expect((await quote(t, b.token, { item: plan(), code: 'ONLY1' })).refusal?.code).toBe('used_up')

    t.clock.advance(TTL)
    expect((await t.relay.core.sweeper.sweep()).expired).toEqual([first.body.order.orderNo])
    expect(redemptionStates(t, couponId)).toEqual(['released'])
    expect((await quote(t, b.token, { item: plan(), code: 'ONLY1' })).refusal).toBeUndefined()

    // B takes it; B's payer closes the checkout at the provider (a failure): released again.
    const second = await checkoutRaw(t, b.token, { item: plan(), code: 'ONLY1' })
    expect(second.status).toBe(200)
    const failed: ProviderEvent = { type: 'payment.failed', eventId: 'evt_fail_b', orderNo: second.body.order.orderNo, reason: 'closed by the payer', occurredAt: 0 }
    expect((await notify(t, t.provider, [failed])).status).toBe(200)
    expect(redemptionStates(t, couponId)).toEqual(['released', 'released'])
    // A provider's close (checkout.expired) releases the same way.
    const third = await checkoutRaw(t, c.token, { item: plan(), code: 'ONLY1' })
    const closed: ProviderEvent = { type: 'checkout.expired', eventId: 'evt_close_c', orderNo: third.body.order.orderNo, occurredAt: 0 }
    expect((await notify(t, t.provider, [closed])).status).toBe(200)
    expect(redemptionStates(t, couponId)).toEqual(['released', 'released', 'released'])
    expect(t.relay.db.sqlite.prepare('SELECT redeemed FROM coupons WHERE id = ?').get(couponId)).toEqual({ redeemed: 0 })

    // A's money still arrives for the expired order: it paid the discounted price, so the
    // discount stands and the redemption counts again.
    expect((await notify(t, t.provider, [paid(first.body.order.orderNo, 2000)])).status).toBe(200)
    expect(redemptionStates(t, couponId)).toEqual(['consumed', 'released', 'released'])
    expect((await quote(t, c.token, { item: plan(), code: 'ONLY1' })).refusal?.code).toBe('used_up')
    await expectBooksBalance(t)
  })

  it('gives the redemption back on a full refund; a partial refund keeps it', async () => {
    const t = await startCouponRelay()
    const dev = await enrolDevice(t.api)
    const couponId = await couponWithCode(t, 'PERACCT', { off: { kind: 'percent', percent: '10' }, perAccountLimit: 1 })
    const buy = async () => {
      const r = await checkoutRaw(t, dev.token, { item: plan(), code: 'PERACCT' })
      expect(r.status, r.text).toBe(200)
      expect((await notify(t, t.provider, [paid(r.body.order.orderNo, 2610)])).status).toBe(200)
      return r.body.order.orderNo as string
    }
    const first = await buy()
    expect(redemptionStates(t, couponId)).toEqual(['consumed'])
    expect((await quote(t, dev.token, { item: plan(), code: 'PERACCT' })).refusal?.code).toBe('already_used')

    expect((await notify(t, t.provider, [refunded(first, 1000, 're_part_1')])).status).toBe(200)
    expect(redemptionStates(t, couponId)).toEqual(['consumed'])
    expect((await quote(t, dev.token, { item: plan(), code: 'PERACCT' })).refusal?.code).toBe('already_used')

    expect((await notify(t, t.provider, [refunded(first, 1610, 're_rest_1')])).status).toBe(200)
    expect(redemptionStates(t, couponId)).toEqual(['returned'])
    expect((await quote(t, dev.token, { item: plan(), code: 'PERACCT' })).refusal).toBeUndefined()
    // A replayed refund changes nothing.
    expect((await notify(t, t.provider, [refunded(first, 1610, 're_rest_1')])).status).toBe(200)
    expect(t.relay.db.sqlite.prepare('SELECT redeemed FROM coupons WHERE id = ?').get(couponId)).toEqual({ redeemed: 0 })
    await buy()
    expect(redemptionStates(t, couponId)).toEqual(['returned', 'consumed'])
    await expectBooksBalance(t)
  })
})
