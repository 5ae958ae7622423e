import { describe, expect, it } from 'vitest'
import { relayNetWallet } from '../../support/relay-ledger'
import { admin, balance, cny, couponWithCode, enrolDevice, expectBooksBalance, fund, plan, quote, records, startCouponRelay, type CouponRelay } from './support'

// Wallet-paid plans with coupons: account-bound grants (signed coupon_grant records) used
// offline and confirmed once on sync; a use the relay refuses is charged at the list price
// (the rest from the wallet, or debt), as a lost first-free claim is. And a promotion code for
// a wallet purchase, claimed by the wallet quote as a grant.

const DAY = 86_400_000
let seq = 0

function purchase(t: CouponRelay, coupon: { grantId: string; discount: number } | undefined, price: number, over: Record<string, unknown> = {}) {
  const now = t.clock.now()
  return {
    id: `purchase-${++seq}-abcdef`,
    kind: 'subscription_purchase',
    planCode: 'BASIC',
    period: 'monthly',
    price: cny(price),
    catalogVersion: 1,
    action: 'subscribe',
    periodStart: now,
    periodEnd: now + 30 * DAY,
    occurredAt: now,
    ...(coupon ? { coupon: { grantId: coupon.grantId, discount: cny(coupon.discount) } } : {}),
    ...over
  }
}

async function push(t: CouponRelay, token: string, recs: unknown[]) {
  const r = await t.api('POST', '/v1/outbox', { token, body: { records: recs } })
  expect(r.status, r.text).toBe(200)
  return r.body as { accepted: string[]; rejected: { id: string; code: string }[] }
}

async function grant(t: CouponRelay, couponId: string, accountId: string, extra: Record<string, unknown> = {}) {
  const r = await admin(t, 'POST', `/v1/admin/coupons/${couponId}/grants`, { accountId, ...extra })
  expect(r.status, r.text).toBe(200)
  return r.body.grant.grantId as string
}

async function welcome(t: CouponRelay) {
  const made = await admin(t, 'POST', '/v1/admin/coupons', { name: '新人券', off: { kind: 'amount', amount: cny(1000) }, appliesTo: { plans: [{ planCode: 'BASIC' }] } })
  expect(made.status, made.text).toBe(200)
  return made.body.coupon.id as string
}

describe('account-bound coupons and wallet purchases', () => {
  it('a grant arrives signed; its offline use is confirmed once: the grant goes used on every device and the discount is a transfer', async () => {
    const t = await startCouponRelay()
    const dev = await enrolDevice(t.api)
    const second = await enrolDevice(t.api, dev.accountId, 'laptop')
    const couponId = await welcome(t)
    const grantId = await grant(t, couponId, dev.accountId)
    expect(await records(t, second, 'coupon_grant')).toEqual([
      expect.objectContaining({ grantId, couponId, state: 'available', off: { kind: 'amount', amount: cny(1000) }, appliesTo: [{ planCode: 'BASIC' }] })
    ])
    await fund(t, dev.token, 5000)

    const rec = purchase(t, { grantId, discount: 1000 }, 1900)
    expect(await push(t, dev.token, [rec])).toEqual({ accepted: [rec.id], rejected: [] })
    expect((await records(t, second, 'coupon_grant')).map((g) => g.state)).toEqual(['available', 'used'])
    expect(relayNetWallet(t.relay.db.sqlite, dev.accountId)).toBe(3100)
    expect(balance(t, dev.accountId).ledger('discounts:CNY')).toBe(1000)
    expect(balance(t, dev.accountId).ledger('revenue:plan:BASIC:monthly:CNY')).toBe(2900)
    // A resend is acknowledged, not applied again.
    expect(await push(t, dev.token, [rec])).toEqual({ accepted: [rec.id], rejected: [] })
    expect((await records(t, second, 'coupon_grant')).map((g) => g.state)).toEqual(['available', 'used'])
    expect(relayNetWallet(t.relay.db.sqlite, dev.accountId)).toBe(3100)
    await expectBooksBalance(t)
  })

  it('charges a refused use at the list price: used elsewhere, unknown, wrong discount, expired; short wallets go into debt', async () => {
    const t = await startCouponRelay()
    const dev = await enrolDevice(t.api)
    const laptop = await enrolDevice(t.api, dev.accountId, 'laptop')
    const couponId = await welcome(t)
    const grantId = await grant(t, couponId, dev.accountId)
    const shortLived = await grant(t, couponId, dev.accountId, { validUntil: t.clock.now() + DAY })
    await fund(t, dev.token, 8000)
    const wallet = () => relayNetWallet(t.relay.db.sqlite, dev.accountId)

    // Two devices used the same grant offline: the first synced wins, the second pays the list price.
    const a = purchase(t, { grantId, discount: 1000 }, 1900)
    const b = purchase(t, { grantId, discount: 1000 }, 1900)
    await push(t, dev.token, [a])
    expect((await push(t, laptop.token, [b])).accepted).toEqual([b.id])
    expect(wallet()).toBe(8000 - 1900 - 2900)
    const refusedDebit = (await records(t, dev, 'wallet_debit')).filter((d) => d.sourceId === `${b.id}:coupon_refused`)
    expect(refusedDebit).toEqual([expect.objectContaining({ amount: cny(1000), feature: 'subscription', deviceId: laptop.deviceId })])
    expect(t.relay.db.sqlite.prepare('SELECT outcome FROM outbox_records WHERE id = ?').get(b.id)).toEqual({ outcome: 'purchased:coupon_refused:coupon grant is used' })

    // Unknown grant, and a discount the coupon does not give (its grant stays available).
    const unknown = purchase(t, { grantId: 'cg_nosuch', discount: 1000 }, 1900)
    await push(t, dev.token, [unknown])
    expect(wallet()).toBe(8000 - 1900 - 2900 - 2900)
    const greedy = purchase(t, { grantId: shortLived, discount: 1500 }, 1400)
    await push(t, dev.token, [greedy])
    expect(wallet()).toBe(-2600) // 2900 charged with 300 left: 2600 of debt
    expect((await records(t, dev, 'debt')).at(-1)).toMatchObject({ outstanding: cny(2600) })
    expect((await t.relay.db.sqlite.prepare('SELECT state FROM coupon_grants WHERE id = ?').get(shortLived))).toEqual({ state: 'available' })

    // Past its validUntil the grant is refused too.
    t.clock.advance(DAY)
    await push(t, dev.token, [purchase(t, { grantId: shortLived, discount: 1000 }, 1900)])
    expect(wallet()).toBe(-2600 - 2900)
    // A price above the list price, or a discount in another currency, is refused outright.
    const above = await push(t, dev.token, [purchase(t, { grantId: shortLived, discount: 100 }, 3000)])
    expect(above.rejected).toEqual([expect.objectContaining({ code: 'PRICE_MISMATCH' })])
    await expectBooksBalance(t)
  })

  it('a wallet quote with a promotion code claims it as a grant; the purchase naming it is confirmed and a second quote reuses it', async () => {
    const t = await startCouponRelay()
    const dev = await enrolDevice(t.api)
    await couponWithCode(t, 'WALLET20', { off: { kind: 'percent', percent: '20' }, perAccountLimit: 1 })
    await fund(t, dev.token, 5000)
    const q = await quote(t, dev.token, { item: plan(), code: 'wallet20', payment: 'wallet' })
    expect(q).toMatchObject({ discount: cny(580), total: cny(2320), grantId: expect.any(String) })
    expect((await quote(t, dev.token, { item: plan(), code: 'WALLET20', payment: 'wallet' })).grantId).toBe(q.grantId)
    expect(await records(t, dev, 'coupon_grant')).toEqual([expect.objectContaining({ grantId: q.grantId, state: 'available' })])
    const rec = purchase(t, { grantId: q.grantId, discount: 580 }, 2320)
    expect((await push(t, dev.token, [rec])).accepted).toEqual([rec.id])
    expect(relayNetWallet(t.relay.db.sqlite, dev.accountId)).toBe(5000 - 2320)
    // Used: the code is spent for this account.
    expect((await quote(t, dev.token, { item: plan(), code: 'WALLET20', payment: 'wallet' })).refusal?.code).toBe('already_used')
    const recharge = await t.api('POST', '/v1/quotes', { token: dev.token, body: { item: { kind: 'recharge', amount: cny(1000) }, code: 'WALLET20', payment: 'wallet' } })
    expect(recharge.status).toBe(400)
    await expectBooksBalance(t)
  })

  it('deactivating a coupon revokes its available grants on every device and gives their redemptions back', async () => {
    const t = await startCouponRelay()
    const dev = await enrolDevice(t.api)
    const couponId = await welcome(t)
    await grant(t, couponId, dev.accountId)
    const r = await admin(t, 'POST', `/v1/admin/coupons/${couponId}/deactivate`)
    expect(r.body).toEqual({ couponId, revokedGrants: 1 })
    expect((await records(t, dev, 'coupon_grant')).map((g) => g.state)).toEqual(['available', 'revoked'])
    expect((await admin(t, 'POST', `/v1/admin/coupons/${couponId}/deactivate`)).body).toEqual({ couponId, revokedGrants: 0 })
    expect((await admin(t, 'POST', `/v1/admin/coupons/${couponId}/grants`, { accountId: dev.accountId })).status).toBe(400)
  })
})
