import { describe, expect, it } from 'vitest'
import { publishCatalog } from '../../../src/relay/catalog/catalog'
import { BUILT_IN_CATALOG, parseCatalogDocument } from '../../../src/shared/catalog'
import { relayNetWallet } from '../../support/relay-ledger'
import { refunded } from '../support/flows'
import { balance, checkoutRaw, cny, couponWithCode, enrolDevice, expectBooksBalance, notify, paid, quote, recharge, records, startCouponRelay } from './support'

// Recharge bonuses (充值赠送): rules in the catalog; the bonus is promotion credit in the
// relay's ledger, spent after cash, never refunded as cash.

describe('recharge bonuses', () => {
  it('old documents stay valid; bonus rules are cross-checked', () => {
    expect(parseCatalogDocument({ ...BUILT_IN_CATALOG }).rechargeBonuses).toBeUndefined()
    expect(() => parseCatalogDocument({ ...BUILT_IN_CATALOG, rechargeBonuses: [{ min: 10_000, bonus: 1000 }, { min: 10_000, bonus: 2000 }] })).toThrow(/rechargeBonuses\.1\.min: 10000 is listed twice/)
    expect(() => parseCatalogDocument({ ...BUILT_IN_CATALOG, rechargeBonuses: [{ min: 1000, bonus: 2000 }] })).toThrow(/rechargeBonuses\.0\.bonus: must not exceed its min/)
    expect(() => parseCatalogDocument({ ...BUILT_IN_CATALOG, rechargeBonuses: [{ min: 900_000, bonus: 2000 }] })).toThrow(/above rechargeRules\.max/)
    expect(() => parseCatalogDocument({ ...BUILT_IN_CATALOG, taxRate: '1.5' })).toThrow(/taxRate/)
  })

  it('quotes the bonus, credits it as promotion credit with the payment, spends it after cash, and a refund takes it back without paying it out', async () => {
    const t = await startCouponRelay()
    await publishCatalog(t.relay.core.store, t.clock.now(), {
      ...BUILT_IN_CATALOG,
      version: 2,
      effectiveFrom: t.clock.now(),
      taxRate: '0.13',
      rechargeBonuses: [{ min: 10_000, bonus: 1000 }, { min: 50_000, bonus: 8000 }]
    })
    const dev = await enrolDevice(t.api)
    expect((await quote(t, dev.token, { item: recharge(9_999) })).bonus).toBeUndefined()
    expect(await quote(t, dev.token, { item: recharge(10_000) })).toMatchObject({ bonus: cny(1000), total: cny(10_000), taxRate: '0.13', tax: cny(1150) })
    expect((await quote(t, dev.token, { item: recharge(60_000) })).bonus).toEqual(cny(8000))

    const r = await checkoutRaw(t, dev.token, { item: recharge(10_000) })
    expect((await notify(t, t.provider, [paid(r.body.order.orderNo, 10_000)])).status).toBe(200)
    expect((await records(t, dev, 'payment_confirmed'))[0]).toMatchObject({ amount: cny(10_000), bonus: cny(1000) })
    const b = balance(t, dev.accountId)
    expect(b.ledger('wallet:$:CNY')).toBe(10_000)
    expect(b.ledger('bonus:$:CNY')).toBe(1000)

    // 10,500 spent: the cash first, then 500 of the bonus; no debt.
    const spend = { id: 'spend-000000001', kind: 'wallet_debit', amount: cny(10_500), feature: 'ai_request', occurredAt: t.clock.now() }
    expect((await t.api('POST', '/v1/outbox', { token: dev.token, body: { records: [spend] } })).body.accepted).toEqual([spend.id])
    expect(b.ledger('wallet:$:CNY')).toBe(0)
    expect(b.ledger('bonus:$:CNY')).toBe(500)
    expect(b.ledger('receivable:$:CNY')).toBe(0)

    // Half refunded: half the bonus (500) is withdrawn, all of it still unspent; the cash refund
    // itself never touches promotion credit, so the wallet goes into debt for the refund.
    expect((await notify(t, t.provider, [refunded(r.body.order.orderNo, 5000, 're_half')])).status).toBe(200)
    expect(b.ledger('bonus:$:CNY')).toBe(0)
    expect(relayNetWallet(t.relay.db.sqlite, dev.accountId)).toBe(-5000)
    // The rest: its 500 of bonus was spent, so it is charged to the wallet (more debt), not paid out.
    expect((await notify(t, t.provider, [refunded(r.body.order.orderNo, 5000, 're_rest')])).status).toBe(200)
    expect(relayNetWallet(t.relay.db.sqlite, dev.accountId)).toBe(-10_500)
    // That charge is cash leaving the wallet: every device is told, as a debit.
    expect((await records(t, dev, 'wallet_debit')).filter((d) => d.feature === 'recharge_bonus')).toEqual([
      expect.objectContaining({ sourceId: 're_rest:bonus', amount: cny(500), deviceId: 'relay', reason: 'debit' })
    ])
    expect(b.ledger('promotions:recharge_bonus:CNY')).toBe(0)
    // Devices are told the part taken from promotion credit with each refund (none for the second).
    const refunds = await records(t, dev, 'refund')
    expect(refunds.map((x) => x.bonusWithdrawn)).toEqual([cny(500), undefined])
    await expectBooksBalance(t)
  })

  it('a recharge coupon lowers what is paid; the wallet is credited the whole amount', async () => {
    const t = await startCouponRelay()
    const dev = await enrolDevice(t.api)
    await couponWithCode(t, 'TOPUP5', { off: { kind: 'amount', amount: cny(500) }, appliesTo: { plans: [], recharge: true } })
    expect((await quote(t, dev.token, { item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' }, code: 'TOPUP5' })).refusal?.code).toBe('not_applicable')
    const r = await checkoutRaw(t, dev.token, { item: recharge(5000), code: 'TOPUP5' })
    expect(r.body.order).toMatchObject({ amount: cny(4500), discount: cny(500) })
    expect((await notify(t, t.provider, [paid(r.body.order.orderNo, 4500)])).status).toBe(200)
    expect(relayNetWallet(t.relay.db.sqlite, dev.accountId)).toBe(5000)
    await expectBooksBalance(t)
  })
})
