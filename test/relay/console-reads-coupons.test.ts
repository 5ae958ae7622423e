import { expect, it } from 'vitest'
import type { ConsoleRedemptions } from '../../src/shared/console/api'
import { addOperator, signIn } from './console/support'
import { admin, checkoutRaw, couponWithCode, enrolDevice, notify, paid, plan, startCouponRelay } from './coupons/support'
import { forEachStore } from './support/pg'

// A coupon's redemptions on the console, and its limits changed by an operator with
// coupons.manage (or the admin token): audited with before and after, refused below what is
// redeemed, and never letting checkouts past the new limit, even while they race it.

const LIMITS = '/v1/admin/coupons/spring/limits'

async function fixture() {
  const t = await startCouponRelay()
  await couponWithCode(t, 'SPRING', { id: 'spring', off: { kind: 'amount', amount: { amount: 500, currency: 'CNY' } }, totalLimit: 5 })
  const devices = [await enrolDevice(t.api), await enrolDevice(t.api), await enrolDevice(t.api)]
  const orders: string[] = []
  for (const d of devices) {
    t.clock.advance(1000)
    const r = await checkoutRaw(t, d.token, { item: plan(), code: 'spring' })
    expect(r.status, r.text).toBe(200)
    orders.push(r.body.order.orderNo)
  }
  expect((await notify(t, t.provider, [paid(orders[0]!, 2400)])).status).toBe(200)
  await addOperator(t, 'admin@example.com', 'admin')
  await addOperator(t, 'viewer@example.com', 'viewer')
  return { t, devices, orders, boss: await signIn(t, 'admin@example.com'), viewer: await signIn(t, 'viewer@example.com') }
}

const limitAudits = async (t: Awaited<ReturnType<typeof fixture>>['t']) =>
  (await t.sql<{ actor: string; target: string; before: string; after: string }>("SELECT actor, target, before, after FROM audit_log WHERE action = 'coupon.limits' ORDER BY seq")).map((e) => ({
    ...e,
    before: JSON.parse(e.before),
    after: JSON.parse(e.after)
  }))

forEachStore('console coupon reads and limits', () => {
  it('lists a coupon’s redemptions newest first with their orders, codes and states; an unknown coupon is 404', async () => {
    const { devices, orders, viewer } = await fixture()
    const r = await viewer.call('GET', '/v1/console/coupons/spring/redemptions')
    expect(r.status, r.text).toBe(200)
    const { redemptions } = r.body as ConsoleRedemptions
    expect(redemptions.map((x) => [x.accountId, x.orderNo, x.code, x.state])).toEqual([
      [devices[2]!.accountId, orders[2], 'SPRING', 'reserved'],
      [devices[1]!.accountId, orders[1], 'SPRING', 'reserved'],
      [devices[0]!.accountId, orders[0], 'SPRING', 'consumed']
    ])
    expect(redemptions[0]).toMatchObject({ redemptionId: expect.any(String), discount: { amount: 500, currency: 'CNY' }, at: expect.any(Number) })
    expect(r.body.next).toBeNull()
    expect((await viewer.call('GET', '/v1/console/coupons/nosuch/redemptions')).status).toBe(404)

    // In pages of two: the cursor of the first brings the third, and then the end.
    const first = await viewer.call('GET', '/v1/console/coupons/spring/redemptions?limit=2')
    expect(first.body.redemptions.map((x: { orderNo: string }) => x.orderNo)).toEqual([orders[2], orders[1]])
    expect(first.body.next).toEqual(expect.any(String))
    const second = await viewer.call('GET', `/v1/console/coupons/spring/redemptions?limit=2&before=${encodeURIComponent(first.body.next)}`)
    expect(second.body).toEqual({ redemptions: [expect.objectContaining({ orderNo: orders[0], state: 'consumed' })], next: null })
    for (const q of ['before=nonsense', 'limit=0', 'limit=201', 'colour=red']) {
      const bad = await viewer.call('GET', `/v1/console/coupons/spring/redemptions?${q}`)
      expect(bad.status, q).toBe(400)
      expect(bad.body.error.code).toBe('INVALID_INPUT')
    }
  })

  it('pages redemptions made in the same millisecond by their ids, none twice, none left out', async () => {
    const t = await startCouponRelay()
    await couponWithCode(t, 'BURST', { id: 'burst', off: { kind: 'amount', amount: { amount: 100, currency: 'CNY' } } })
    const made: string[] = []
    for (let i = 0; i < 7; i++) {
      const d = await enrolDevice(t.api)
      const r = await checkoutRaw(t, d.token, { item: plan(), code: 'BURST' })
      expect(r.status, r.text).toBe(200)
      made.push(r.body.order.orderNo)
    }
    await addOperator(t, 'viewer@example.com', 'viewer')
    const viewer = await signIn(t, 'viewer@example.com')
    const seen: string[] = []
    let before: string | null = null
    do {
      const r = await viewer.call('GET', `/v1/console/coupons/burst/redemptions?limit=3${before ? `&before=${encodeURIComponent(before)}` : ''}`)
      expect(r.status, r.text).toBe(200)
      seen.push(...r.body.redemptions.map((x: { orderNo: string }) => x.orderNo))
      before = r.body.next
    } while (before)
    expect(seen.slice().sort()).toEqual(made.slice().sort())
    expect(new Set(seen).size).toBe(7)
  })

  it('changes the limits with an audit entry of before and after; refuses a total below what is redeemed, and the new limit holds', async () => {
    const { t, boss, viewer } = await fixture()
    // Who may: not a viewer, not without the CSRF header.
    const denied = await viewer.call('POST', LIMITS, { body: { totalLimit: 10 } })
    expect(denied.status).toBe(403)
    expect(denied.body.error.details).toMatchObject({ reason: 'permission', permission: 'coupons.manage' })
    const noCsrf = await boss.call('POST', LIMITS, { body: { totalLimit: 10 }, csrf: null })
    expect(noCsrf.status).toBe(403)
    expect(noCsrf.body.error.details.reason).toBe('csrf')

    // Three are redeemed (one consumed, two reserved): two is too few.
    const below = await boss.call('POST', LIMITS, { body: { totalLimit: 2 } })
    expect(below.status).toBe(400)
    expect(below.body.error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'totalLimit', reason: 'below_redeemed', redeemed: 3 } })
    for (const body of [{}, { totalLimit: 0 }, { totalLimit: 4, perAccountLimit: 5 }, { colour: 'red' }, { validUntil: 'soon' }]) {
      const bad = await boss.call('POST', LIMITS, { body })
      expect(bad.status, JSON.stringify(body)).toBe(400)
      expect(bad.body.error.code).toBe('INVALID_INPUT')
    }
    expect((await boss.call('POST', '/v1/admin/coupons/nosuch/limits', { body: { totalLimit: 3 } })).status).toBe(404)
    expect(await t.sql('SELECT total_limit, per_account_limit, redeemed FROM coupons WHERE id = ?', 'spring')).toEqual([{ total_limit: 5, per_account_limit: null, redeemed: 3 }])
    expect(await limitAudits(t)).toEqual([])

    const until = t.clock.now() + 86_400_000
    const ok = await boss.call('POST', LIMITS, { body: { totalLimit: 3, perAccountLimit: 1, validUntil: until } })
    expect(ok.status, ok.text).toBe(200)
    expect(ok.body.coupon).toMatchObject({ id: 'spring', totalLimit: 3, perAccountLimit: 1, validUntil: until, redeemed: 3 })
    expect(await limitAudits(t)).toEqual([
      { actor: 'admin@example.com', target: 'spring', before: { totalLimit: 5, perAccountLimit: null, validUntil: null }, after: { totalLimit: 3, perAccountLimit: 1, validUntil: until } }
    ])
    // Used up at 3: a fourth account is refused.
    const fourth = await enrolDevice(t.api)
    expect((await checkoutRaw(t, fourth.token, { item: plan(), code: 'spring' })).body.error).toMatchObject({ code: 'COUPON_REFUSED', details: { refusal: 'used_up' } })

    // The admin token too; null lifts the total limit, what is left out stays.
    const lifted = await admin(t, 'POST', LIMITS, { totalLimit: null })
    expect(lifted.status, lifted.text).toBe(200)
    expect(lifted.body.coupon).toMatchObject({ totalLimit: null, perAccountLimit: 1, validUntil: until })
    expect((await limitAudits(t)).at(-1)).toMatchObject({ actor: 'admin-token', after: { totalLimit: null, perAccountLimit: 1 } })
    expect((await checkoutRaw(t, fourth.token, { item: plan(), code: 'spring' })).status).toBe(200)
  })

  it('a limit set while checkouts race for the coupon is never exceeded', async () => {
    const { t, boss } = await fixture()
    expect((await boss.call('POST', LIMITS, { body: { totalLimit: null } })).status).toBe(200)
    const racers = []
    for (let i = 0; i < 30; i++) racers.push(await enrolDevice(t.api, undefined, `pc-${i}`))
    const checkouts = racers.map((d) => checkoutRaw(t, d.token, { item: plan(), code: 'spring' }))
    const limits = [8, 12, 16].map((totalLimit) => boss.call('POST', LIMITS, { body: { totalLimit } }))
    const [results, changes] = await Promise.all([Promise.all(checkouts), Promise.all(limits)])
    for (const c of changes) expect([200, 400]).toContain(c.status)
    for (const r of results) if (r.status !== 200) expect(r.body.error.details.refusal).toBe('used_up')
    const [row] = await t.sql<{ total_limit: number | null; redeemed: number }>('SELECT total_limit, redeemed FROM coupons WHERE id = ?', 'spring')
    const live = await t.sql<{ n: number }>("SELECT count(*) AS n FROM coupon_redemptions WHERE coupon_id = ? AND state IN ('reserved', 'consumed')", 'spring')
    expect(Number(live[0]!.n)).toBe(row!.redeemed)
    expect(row!.redeemed).toBe(3 + results.filter((r) => r.status === 200).length)
    if (row!.total_limit !== null) expect(row!.redeemed).toBeLessThanOrEqual(row!.total_limit)
    // Every accepted change is in the log, and the last one is what the coupon holds.
    const audits = await limitAudits(t)
    expect(audits).toHaveLength(1 + changes.filter((c) => c.status === 200).length)
    expect(audits.at(-1)!.after.totalLimit).toBe(row!.total_limit)
  }, 120_000)
})
