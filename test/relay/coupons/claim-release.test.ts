import { expect, it } from 'vitest'
import { tick } from '../../../src/relay/jobs/schedule'
import { forEachStore } from '../support/pg'
import { admin, cny, couponWithCode, enrolDevice, expectBooksBalance, fund, plan, planPurchase, quote, records, startCouponRelay, TTL, type CouponRelay } from './support'

// A grant that took a redemption is released at its end if still unused: a promotion code
// claimed by a wallet quote after the checkout TTL (as a checkout's reservation), an operator's
// grant at its validUntil. Released, it is withdrawn on every device and its redemption given
// back to the limits; a purchase bought with it before the end and heard after is honoured, the
// redemption taken again (beyond the limit if need be).

const DAY = 86_400_000

const redeemed = async (t: CouponRelay, id: string) => (await t.sql<{ redeemed: number }>('SELECT redeemed FROM coupons WHERE id = ?', id))[0]!.redeemed
const grantState = async (t: CouponRelay, id: string) => (await t.sql<{ state: string }>('SELECT state FROM coupon_grants WHERE id = ?', id))[0]!.state

const purchase = (grantId: string, discount: number, price: number, at: number) => planPurchase(at, price, { grantId, discount })

async function push(t: CouponRelay, token: string, rec: unknown) {
  const r = await t.api('POST', '/v1/outbox', { token, body: { records: [rec] } })
  expect(r.status, r.text).toBe(200)
  return r.body as { accepted: string[]; rejected: { id: string; code: string }[] }
}

const outcome = async (t: CouponRelay, id: string) => (await t.sql<{ outcome: string }>('SELECT outcome FROM outbox_records WHERE id = ?', id))[0]?.outcome

forEachStore('coupon grants released at their end', () => {
  it('a code claimed by a wallet quote and not used is released after the checkout TTL; the last redemption goes to the next account', async () => {
    const t = await startCouponRelay()
    const first = await enrolDevice(t.api)
    const second = await enrolDevice(t.api)
    const couponId = await couponWithCode(t, 'LAST1', { off: { kind: 'percent', percent: '10' }, totalLimit: 1 })
    const claimedAt = t.clock.now()
    const q = await quote(t, first.token, { item: plan(), code: 'LAST1', payment: 'wallet' })
    expect(q).toMatchObject({ discount: cny(290), grantId: expect.any(String) })
    expect(await records(t, first, 'coupon_grant')).toEqual([expect.objectContaining({ grantId: q.grantId, state: 'available', validUntil: claimedAt + TTL })])
    expect((await quote(t, second.token, { item: plan(), code: 'LAST1', payment: 'wallet' })).refusal?.code).toBe('used_up')

    // Not due yet: nothing moves.
    t.clock.advance(TTL - 1)
    await t.relay.core.jobs.runDue()
    expect(await grantState(t, q.grantId)).toBe('available')
    t.clock.advance(1)
    expect((await t.relay.core.jobs.runDue()).done).toBeGreaterThanOrEqual(1)
    expect(await grantState(t, q.grantId)).toBe('expired')
    expect((await records(t, first, 'coupon_grant')).map((g) => g.state)).toEqual(['available', 'revoked'])
    expect(await redeemed(t, couponId)).toBe(0)
    const next = await quote(t, second.token, { item: plan(), code: 'LAST1', payment: 'wallet' })
    expect(next).toMatchObject({ discount: cny(290), grantId: expect.any(String) })
    expect(await redeemed(t, couponId)).toBe(1)
    // Run again: a job has one effect.
    await t.relay.core.jobs.runDue()
    expect(await redeemed(t, couponId)).toBe(1)
    // The first account may claim it again once it is free (it is not).
    expect((await quote(t, first.token, { item: plan(), code: 'LAST1', payment: 'wallet' })).refusal?.code).toBe('used_up')
  })

  it('quoted again past its end before the job ran: released then and claimed afresh, not refused as expired', async () => {
    const t = await startCouponRelay()
    const dev = await enrolDevice(t.api)
    const couponId = await couponWithCode(t, 'AGAIN', { off: { kind: 'percent', percent: '10' }, totalLimit: 1 })
    const q = await quote(t, dev.token, { item: plan(), code: 'AGAIN', payment: 'wallet' })
    t.clock.advance(TTL)
    const again = await quote(t, dev.token, { item: plan(), code: 'AGAIN', payment: 'wallet' })
    expect(again).toMatchObject({ discount: cny(290), grantId: expect.any(String) })
    expect(again.refusal).toBeUndefined()
    expect(again.grantId).not.toBe(q.grantId)
    expect(await grantState(t, q.grantId)).toBe('expired')
    expect(await redeemed(t, couponId)).toBe(1)
    // The job finds nothing left to do.
    await t.relay.core.jobs.runDue()
    expect([await grantState(t, q.grantId), await grantState(t, again.grantId)]).toEqual(['expired', 'available'])
    expect(await redeemed(t, couponId)).toBe(1)
  })

  it('bought offline before the end and heard after the release: honoured, the redemption taken again; bought after the end: the list price', async () => {
    const t = await startCouponRelay()
    const dev = await enrolDevice(t.api)
    const other = await enrolDevice(t.api)
    const couponId = await couponWithCode(t, 'HOLD', { off: { kind: 'percent', percent: '10' }, totalLimit: 1 })
    await fund(t, dev.token, 10_000)
    await fund(t, other.token, 10_000)
    const q = await quote(t, dev.token, { item: plan(), code: 'HOLD', payment: 'wallet' })
    const boughtAt = t.clock.now() + TTL - 60_000
    t.clock.advance(TTL + 60_000)
    await t.relay.core.jobs.runDue()
    expect(await grantState(t, q.grantId)).toBe('expired')
    const taken = await quote(t, other.token, { item: plan(), code: 'HOLD', payment: 'wallet' })
    expect(await redeemed(t, couponId)).toBe(1)

    const honoured = purchase(q.grantId, 290, 2610, boughtAt)
    expect((await push(t, dev.token, honoured)).accepted).toEqual([honoured.id])
    expect(await outcome(t, honoured.id)).not.toContain('coupon_refused')
    expect(await grantState(t, q.grantId)).toBe('used')
    expect((await records(t, dev, 'coupon_grant')).map((g) => g.state)).toEqual(['available', 'revoked', 'used'])
    // Both discounts stand: one beyond the total limit, as for a payment after a release.
    expect(await redeemed(t, couponId)).toBe(2)
    const redemptions = await t.sql<{ state: string; grant_id: string }>('SELECT state, grant_id FROM coupon_redemptions WHERE coupon_id = ?', couponId)
    expect(redemptions).toEqual([{ state: 'consumed', grant_id: q.grantId }])

    // The other account's claim, used only after its end: charged at the list price.
    t.clock.advance(TTL)
    await t.relay.core.jobs.runDue()
    const late = purchase(taken.grantId, 290, 2610, t.clock.now())
    expect((await push(t, other.token, late)).accepted).toEqual([late.id])
    expect(await outcome(t, late.id)).toContain('coupon_refused')
    expect(await grantState(t, taken.grantId)).toBe('expired')
    expect(await redeemed(t, couponId)).toBe(1)
    await expectBooksBalance(t)
  })

  it('one account, two claims of a once-per-account code: the late purchase with the first takes the use back from an unused second, never both', async () => {
    const t = await startCouponRelay()
    const phone = await enrolDevice(t.api)
    const laptop = await enrolDevice(t.api, phone.accountId, 'laptop')
    const couponId = await couponWithCode(t, 'ONCE', { off: { kind: 'percent', percent: '10' }, perAccountLimit: 1 })
    await fund(t, phone.token, 20_000)
    const uses = async () => (await t.sql<{ used: number }>("SELECT used FROM coupon_uses WHERE scope = 'coupon:' || ? AND account_id = ?", couponId, phone.accountId))[0]!.used
    // The phone claims and buys offline before the end; unheard, the claim is released.
    const first = await quote(t, phone.token, { item: plan(), code: 'ONCE', payment: 'wallet' })
    const boughtAt = t.clock.now() + 60_000
    t.clock.advance(TTL)
    await t.relay.core.jobs.runDue()
    // The laptop claims the code again (the use was given back) but has not bought.
    const second = await quote(t, laptop.token, { item: plan(), code: 'ONCE', payment: 'wallet' })
    expect(second.grantId).not.toBe(first.grantId)
    expect(await uses()).toBe(1)
    const late = purchase(first.grantId, 290, 2610, boughtAt)
    await push(t, phone.token, late)
    expect(await outcome(t, late.id)).not.toContain('coupon_refused')
    expect([await grantState(t, first.grantId), await grantState(t, second.grantId)]).toEqual(['used', 'expired'])
    expect(await uses()).toBe(1)
    expect(await redeemed(t, couponId)).toBe(1)
    // The laptop's purchase with its withdrawn claim pays the list price.
    const laptopBuy = purchase(second.grantId, 290, 2610, t.clock.now())
    await push(t, laptop.token, laptopBuy)
    expect(await outcome(t, laptopBuy.id)).toContain('coupon_refused')
    await expectBooksBalance(t)
  })

  it('one account, two claims: when the second was used, a late purchase with the first is charged the list price', async () => {
    const t = await startCouponRelay()
    const phone = await enrolDevice(t.api)
    const laptop = await enrolDevice(t.api, phone.accountId, 'laptop')
    // First purchase only: no recharge first (a paid order is a purchase); the plans go into debt.
    const couponId = await couponWithCode(t, 'FIRST', { off: { kind: 'percent', percent: '10' }, firstPurchaseOnly: true })
    const first = await quote(t, phone.token, { item: plan(), code: 'FIRST', payment: 'wallet' })
    const boughtAt = t.clock.now() + 60_000
    t.clock.advance(TTL)
    await t.relay.core.jobs.runDue()
    const second = await quote(t, laptop.token, { item: plan(), code: 'FIRST', payment: 'wallet' })
    const used = purchase(second.grantId, 290, 2610, t.clock.now())
    await push(t, laptop.token, used)
    expect(await outcome(t, used.id)).not.toContain('coupon_refused')
    const late = purchase(first.grantId, 290, 2610, boughtAt)
    await push(t, phone.token, late)
    expect(await outcome(t, late.id)).toContain('coupon_refused')
    expect([await grantState(t, first.grantId), await grantState(t, second.grantId)]).toEqual(['expired', 'used'])
    expect(await redeemed(t, couponId)).toBe(1)
    await expectBooksBalance(t)
  })

  it("an operator's grant with an end is released at it unused, its redemption given back; one used before stays used", async () => {
    const t = await startCouponRelay()
    const dev = await enrolDevice(t.api)
    const made = await admin(t, 'POST', '/v1/admin/coupons', { name: '新人券', off: { kind: 'amount', amount: cny(1000) }, appliesTo: { plans: [{ planCode: 'BASIC' }] }, totalLimit: 5 })
    const couponId = made.body.coupon.id as string
    const g1 = (await admin(t, 'POST', `/v1/admin/coupons/${couponId}/grants`, { accountId: dev.accountId, validUntil: t.clock.now() + DAY })).body.grant.grantId as string
    const g2 = (await admin(t, 'POST', `/v1/admin/coupons/${couponId}/grants`, { accountId: dev.accountId, validUntil: t.clock.now() + DAY })).body.grant.grantId as string
    const forever = (await admin(t, 'POST', `/v1/admin/coupons/${couponId}/grants`, { accountId: dev.accountId })).body.grant.grantId as string
    await fund(t, dev.token, 5000)
    expect((await push(t, dev.token, purchase(g2, 1000, 1900, t.clock.now()))).accepted).toHaveLength(1)
    expect(await redeemed(t, couponId)).toBe(3)
    t.clock.advance(DAY)
    await t.relay.core.jobs.runDue()
    expect([await grantState(t, g1), await grantState(t, g2), await grantState(t, forever)]).toEqual(['expired', 'used', 'available'])
    expect(await redeemed(t, couponId)).toBe(2)
    await expectBooksBalance(t)
  })

  it('a grant made before releases existed gets its release job from the weekly scan, and is released when past its end', async () => {
    const t = await startCouponRelay()
    const dev = await enrolDevice(t.api)
    const made = await admin(t, 'POST', '/v1/admin/coupons', { name: '老用户券', off: { kind: 'amount', amount: cny(500) }, totalLimit: 3 })
    const couponId = made.body.coupon.id as string
    const old = (await admin(t, 'POST', `/v1/admin/coupons/${couponId}/grants`, { accountId: dev.accountId, validUntil: t.clock.now() + DAY })).body.grant.grantId as string
    // As an older relay left it: no release job.
    await t.sql("DELETE FROM jobs WHERE kind = 'coupon_grant_release'")
    t.clock.advance(DAY)
    await tick(t.relay.core, 60_000)
    await t.relay.core.jobs.runDue()
    expect(await grantState(t, old)).toBe('expired')
    expect(await redeemed(t, couponId)).toBe(0)
    // The scan again: nothing left to give a job, nothing given back twice.
    await t.sql("DELETE FROM jobs WHERE kind = 'coupon_grant_release_scan'")
    await tick(t.relay.core, 60_000)
    await t.relay.core.jobs.runDue()
    expect(await redeemed(t, couponId)).toBe(0)
  })
})
