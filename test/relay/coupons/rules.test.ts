import { describe, expect, it } from 'vitest'
import { CouponRefused } from '../../../src/relay/coupons/coupons'
import { judgeCoupon, REFUSAL_MESSAGES } from '../../../src/relay/coupons/rules'
import { BillingError } from '../../../src/shared/errors'
import { COUPON_REFUSALS } from '../../../src/shared/billing/coupons'
import { includedTax, money } from '../../../src/shared/money'
import {
  admin,
  balance,
  checkoutRaw,
  cny,
  couponWithCode,
  enrolDevice,
  expectBooksBalance,
  fund,
  notify,
  paid,
  plan,
  quote,
  recharge,
  records,
  startCouponRelay
} from './support'

// Every coupon rule and refusal over HTTP (POST /v1/quotes and POST /v1/checkouts), and the
// checkout charging exactly what its quote said.

const DAY = 86_400_000

describe('coupon quotes and checkouts', () => {
  it('prices a percent coupon with a cap, includes VAT at 6 %, and the checkout charges the quote; the discount is a ledger transfer', async () => {
    const t = await startCouponRelay()
    const dev = await enrolDevice(t.api)
    await couponWithCode(t, 'third', { off: { kind: 'percent', percent: '33.33' } })
    await couponWithCode(t, 'capped', { off: { kind: 'percent', percent: '50' }, maxDiscount: cny(500) })

    const q = await quote(t, dev.token, { item: plan(), code: 'Third' })
    // 33.33 % of ¥29.00 = 966.57 fen → 967; VAT included in 1933 at 6 %: 1933 − 1933/1.06 (1823.58 → 1824) = 109.
    expect(q).toMatchObject({ listPrice: cny(2900), discount: cny(967), total: cny(1933), tax: cny(109), taxRate: '0.06', catalogVersion: 1 })
    expect(q.tax).toEqual(includedTax(money(1933, 'CNY'), '0.06'))
    expect(q.coupon).toMatchObject({ code: 'THIRD', off: { kind: 'percent', percent: '33.33' }, duration: { kind: 'once' } })
    expect(q.refusal).toBeUndefined()
    expect((await quote(t, dev.token, { item: plan(), code: 'capped' })).discount).toEqual(cny(500))
    // No code: the list price.
    expect(await quote(t, dev.token, { item: plan() })).toMatchObject({ discount: cny(0), total: cny(2900) })

    const r = await checkoutRaw(t, dev.token, { item: plan(), code: 'third' })
    expect(r.status, r.text).toBe(200)
    expect(r.body.order).toMatchObject({ amount: cny(1933), discount: cny(967), state: 'pending' })
    expect(t.provider.checkouts.at(-1)!.amount).toEqual(cny(1933))
    expect((await notify(t, t.provider, [paid(r.body.order.orderNo, 1933)])).status).toBe(200)
    const [confirmed] = await records(t, dev, 'payment_confirmed')
    expect(confirmed).toMatchObject({ amount: cny(1933), discount: cny(967) })
    // Revenue gross less the invoice's VAT on what was paid (1933 × 0.06 ÷ 1.06 = 109), the
    // discount beside it: net 1933 − 109.
    const b = balance(t, dev.accountId)
    expect(b.ledger('revenue:plan:BASIC:monthly:CNY')).toBe(2900 - 109)
    expect(b.ledger('tax_payable:CNY')).toBe(109)
    expect(b.ledger('discounts:CNY')).toBe(967)
    expect(b.ledger('clearing:stripe:CNY')).toBe(1933)
    await expectBooksBalance(t)
  })

  it('gives each refusal with its reason, and a checkout with a refused code is 409 COUPON_REFUSED with nothing written', async () => {
    const t = await startCouponRelay()
    const dev = await enrolDevice(t.api)
    const other = await enrolDevice(t.api)
    const now = t.clock.now()
    const off = { kind: 'amount', amount: cny(500) }
    await couponWithCode(t, 'LATER', { off, validFrom: now + DAY })
    await couponWithCode(t, 'GONE', { off, validUntil: now + DAY })
    await couponWithCode(t, 'CODEGONE', { off }, { validUntil: now + DAY })
    await couponWithCode(t, 'PREMIUMONLY', { off, appliesTo: { plans: [{ planCode: 'PREMIUM' }] } })
    await couponWithCode(t, 'YEARLY', { off, appliesTo: { plans: [{ planCode: 'BASIC', period: 'yearly' }] } })
    await couponWithCode(t, 'BIG', { off, minimum: cny(5000) })
    await couponWithCode(t, 'ONCE', { off, perAccountLimit: 1 })
    await couponWithCode(t, 'ONLYONE', { off, totalLimit: 1 })
    await couponWithCode(t, 'CODEONE', { off }, { totalLimit: 1 })
    await couponWithCode(t, 'FIRST', { off, firstPurchaseOnly: true })
    await couponWithCode(t, 'OFF', { off }, { active: false })
    const dead = await couponWithCode(t, 'DEAD', { off })
    expect((await admin(t, 'POST', `/v1/admin/coupons/${dead}/deactivate`)).status).toBe(200)

    const refusal = async (code: string, item: unknown = plan(), token = dev.token) => (await quote(t, token, { item, code })).refusal?.code
    expect(await refusal('NOSUCH')).toBe('unknown')
    expect(await refusal('LATER')).toBe('not_yet_valid')
    expect(await refusal('PREMIUMONLY')).toBe('not_applicable')
    expect(await refusal('PREMIUMONLY', plan('PREMIUM'))).toBeUndefined()
    expect(await refusal('YEARLY')).toBe('not_applicable')
    expect(await refusal('YEARLY', plan('BASIC', 'yearly'))).toBeUndefined()
    expect(await refusal('BIG')).toBe('below_minimum')
    expect(await refusal('BIG', plan('PREMIUM'))).toBeUndefined()
    expect(await refusal('OFF')).toBe('inactive')
    expect(await refusal('DEAD')).toBe('inactive')
    // Plan coupons do not apply to recharges unless they say so.
    expect(await refusal('ONCE', recharge(1000))).toBe('not_applicable')
    const refused = await quote(t, dev.token, { item: plan(), code: 'nosuch' })
    expect(refused).toMatchObject({ discount: cny(0), total: cny(2900), refusal: { code: 'unknown', message: expect.any(String) } })

    // Used once per account; then already_used for it, still fine for another account.
    const pay = async (code: string, token = dev.token) => {
      const r = await checkoutRaw(t, token, { item: plan(), code })
      expect(r.status, r.text).toBe(200)
      expect((await notify(t, t.provider, [paid(r.body.order.orderNo, 2400)])).status).toBe(200)
    }
    await pay('ONCE')
    expect(await refusal('ONCE')).toBe('already_used')
    expect(await refusal('ONCE', plan(), other.token)).toBeUndefined()
    await pay('ONLYONE', other.token)
    expect(await refusal('ONLYONE')).toBe('used_up')
    await pay('CODEONE', other.token)
    expect(await refusal('CODEONE')).toBe('used_up')
    // The account has paid now: first purchase only refuses it, not a new account.
    expect(await refusal('FIRST')).toBe('first_purchase_only')
    expect(await refusal('FIRST', plan(), (await enrolDevice(t.api)).token)).toBeUndefined()

    t.clock.advance(DAY)
    expect(await refusal('GONE')).toBe('expired')
    expect(await refusal('CODEGONE')).toBe('expired')

    const orders = () => (t.relay.db.sqlite.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n
    const before = orders()
    for (const [code, reason] of [['GONE', 'expired'], ['ONLYONE', 'used_up'], ['ONCE', 'already_used'], ['NOSUCH', 'unknown']] as const) {
      const r = await checkoutRaw(t, dev.token, { item: plan(), code })
      expect(r.status).toBe(409)
      expect(r.body.error).toMatchObject({ code: 'COUPON_REFUSED', details: { refusal: reason, code } })
    }
    expect(orders()).toBe(before)
    await expectBooksBalance(t)
  })

  it('refuses a coupon in another currency than the price (not reachable over HTTP: coupons are validated as CNY)', () => {
    const usd = { kind: 'amount' as const, amount: money(100, 'USD') }
    const coupon = { id: 'x', name: 'x', off: usd, minimum: undefined, maxDiscount: undefined, totalLimit: null, perAccountLimit: null, firstPurchaseOnly: false, validFrom: null, validUntil: null, active: true, appliesTo: { plans: 'all' as const, recharge: false }, duration: { kind: 'once' as const }, redeemed: 0 }
    const v = judgeCoupon(coupon, undefined, { now: 0, item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' }, list: money(2900, 'CNY'), hasPurchased: false, couponUses: 0, codeUses: 0 })
    expect(v).toEqual({ ok: false, refusal: 'currency' })
    expect(COUPON_REFUSALS).toContain('currency')
  })

  it('completes a checkout a coupon makes free without the provider: paid at once, the same feed records as a paid order', async () => {
    const t = await startCouponRelay()
    const dev = await enrolDevice(t.api)
    await couponWithCode(t, 'FREEMONTH', { off: { kind: 'percent', percent: '100' } })
    expect(await quote(t, dev.token, { item: plan(), code: 'FREEMONTH' })).toMatchObject({ total: cny(0), tax: cny(0), discount: cny(2900) })
    const r = await checkoutRaw(t, dev.token, { item: plan(), code: 'FREEMONTH' }, 'free-month-key-1')
    expect(r.status, r.text).toBe(200)
    expect(r.body.order).toMatchObject({ amount: cny(0), discount: cny(2900), state: 'paid' })
    expect(t.provider.checkouts).toHaveLength(0)
    expect(await records(t, dev, 'payment_confirmed')).toEqual([expect.objectContaining({ orderNo: r.body.order.orderNo, amount: cny(0), discount: cny(2900) })])
    expect(await records(t, dev, 'subscription_grant')).toHaveLength(1)
    // The same key again is the same order, not a second one.
    const again = await checkoutRaw(t, dev.token, { item: plan(), code: 'FREEMONTH' }, 'free-month-key-1')
    expect(again.status).toBe(200)
    expect(again.body.order.orderNo).toBe(r.body.order.orderNo)
    expect(balance(t, dev.accountId).ledger('discounts:CNY')).toBe(2900)
    await expectBooksBalance(t)
    await fund(t, dev.token, 1000)
    await expectBooksBalance(t)
  })
})

describe('CouponRefused', () => {
  it('is a BillingError with its refusal, made without a stack trace, and leaves the stack limit of later errors as it was', () => {
    const limit = Error.stackTraceLimit
    const e = new CouponRefused('used_up', 'RACE')
    expect(e).toBeInstanceOf(BillingError)
    expect(e.toInfo()).toEqual({ code: 'COUPON_REFUSED', message: `RACE: ${REFUSAL_MESSAGES.used_up}`, details: { refusal: 'used_up', code: 'RACE' } })
    expect(e.stack?.split('\n').length).toBe(1)
    expect(Error.stackTraceLimit).toBe(limit)
    expect(new Error('later').stack!.split('\n').length).toBeGreaterThan(1)
  })
})
