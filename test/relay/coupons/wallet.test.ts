import { describe, expect, it } from 'vitest'
import { relayNetWallet } from '../../support/relay-ledger'
import { admin, balance, checkoutRaw, cny, couponWithCode, enrolDevice, expectBooksBalance, fund, notify, paid, plan, planPurchase, quote, records, startCouponRelay, type CouponRelay } from './support'

// Wallet-paid plans with coupons: account-bound grants (signed coupon_grant records) used
// offline and confirmed once on sync; a use the relay refuses is charged at the list price
// (the rest from the wallet, or debt), as a lost first-free claim is. And a promotion code for
// a wallet purchase, claimed by the wallet quote as a grant.

const DAY = 86_400_000

function purchase(t: CouponRelay, coupon: { grantId: string; discount: number } | undefined, price: number, over: Record<string, unknown> = {}) {
  return planPurchase(t.clock.now(), price, coupon, over)
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
    // Less the VAT of the invoice on the 1,900 paid (1900 × 0.06 ÷ 1.06 = 108).
    expect(balance(t, dev.accountId).ledger('revenue:plan:BASIC:monthly:CNY')).toBe(2900 - 108)
    expect(balance(t, dev.accountId).ledger('tax_payable:CNY')).toBe(108)
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

describe('renewals of a plan bought with a repeating or forever coupon', () => {
  it('a repeating coupon discounts N periods in all: each wallet renewal quote gives one grant, then the list price', async () => {
    const t = await startCouponRelay()
    const dev = await enrolDevice(t.api)
    await couponWithCode(t, 'THREE', { off: { kind: 'percent', percent: '50' }, duration: { kind: 'repeating', periods: 3 } })
    await couponWithCode(t, 'ONCEONLY', { off: { kind: 'percent', percent: '50' } })
    await fund(t, dev.token, 20_000)
    const renewalQuote = () => quote(t, dev.token, { item: plan(), payment: 'wallet' })
    expect((await renewalQuote()).discount).toEqual(cny(0))

    // Period 1: the code, claimed by the wallet quote.
    const first = await quote(t, dev.token, { item: plan(), code: 'THREE', payment: 'wallet' })
    expect(first.coupon.duration).toEqual({ kind: 'repeating', periods: 3 })
    expect((await push(t, dev.token, [purchase(t, { grantId: first.grantId, discount: 1450 }, 1450)])).accepted).toHaveLength(1)
    // Periods 2 and 3: the renewal quote (no code) gives the discount; asking twice gives the same grant.
    for (let n = 2; n <= 3; n++) {
      const q = await renewalQuote()
      expect(q).toMatchObject({ discount: cny(1450), total: cny(1450), grantId: expect.any(String) })
      expect((await renewalQuote()).grantId).toBe(q.grantId)
      expect((await push(t, dev.token, [purchase(t, { grantId: q.grantId, discount: 1450 }, 1450, { action: 'renew' })])).accepted).toHaveLength(1)
    }
    // Period 4: the list price.
    expect(await renewalQuote()).toMatchObject({ discount: cny(0), total: cny(2900) })
    expect(relayNetWallet(t.relay.db.sqlite, dev.accountId)).toBe(20_000 - 3 * 1450)
    expect((await records(t, dev, 'coupon_grant')).filter((g) => g.state === 'used')).toHaveLength(3)

    // A once coupon on another period gives no renewal.
    const yearly = await quote(t, dev.token, { item: plan('BASIC', 'yearly'), code: 'ONCEONLY', payment: 'wallet' })
    expect((await push(t, dev.token, [purchase(t, { grantId: yearly.grantId, discount: 14950 }, 14950, { period: 'yearly' })])).accepted).toHaveLength(1)
    expect((await quote(t, dev.token, { item: plan('BASIC', 'yearly'), payment: 'wallet' })).discount).toEqual(cny(0))
    await expectBooksBalance(t)
  })

  it('a forever coupon bought through a provider checkout discounts every wallet renewal', async () => {
    const t = await startCouponRelay()
    const dev = await enrolDevice(t.api)
    await couponWithCode(t, 'ALWAYS', { off: { kind: 'amount', amount: cny(900) }, duration: { kind: 'forever' } })
    const r = await checkoutRaw(t, dev.token, { item: plan(), code: 'ALWAYS' })
    expect((await notify(t, t.provider, [paid(r.body.order.orderNo, 2000)])).status).toBe(200)
    await fund(t, dev.token, 10_000)
    for (let n = 0; n < 4; n++) {
      const q = await quote(t, dev.token, { item: plan(), payment: 'wallet' })
      expect(q.discount).toEqual(cny(900))
      expect((await push(t, dev.token, [purchase(t, { grantId: q.grantId, discount: 900 }, 2000, { action: 'auto_renew' })])).accepted).toHaveLength(1)
    }
    expect(relayNetWallet(t.relay.db.sqlite, dev.accountId)).toBe(10_000 - 4 * 2000)
    await expectBooksBalance(t)
  })
})
