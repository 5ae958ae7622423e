import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, enrolDevice, newKey } from '../relay/support/relay'
import { newDevice, providerPays, relayWallet, startWorld, type World } from './support'

async function rechargeCoupon(w: World, code: string, off: Record<string, unknown>): Promise<void> {
  const made = await w.t.api('POST', '/v1/admin/coupons', { token: ADMIN_TOKEN, body: { name: code, off, appliesTo: { plans: [], recharge: true } } })
  expect(made.status, made.text).toBe(200)
  expect((await w.t.api('POST', `/v1/admin/coupons/${made.body.coupon.id}/codes`, { token: ADMIN_TOKEN, body: { code } })).status).toBe(200)
}

// A recharge bought with a recharge coupon: the payer pays less, the wallet receives the whole
// amount, on the relay and on every device of the account that syncs it.

describe('a recharge paid with a coupon', () => {
  it('credits the device wallet with the amount recharged, not the amount paid', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const made = await w.t.api('POST', '/v1/admin/coupons', { token: ADMIN_TOKEN, body: { name: 'top-up', off: { kind: 'amount', amount: { amount: 500, currency: 'CNY' } }, appliesTo: { plans: [], recharge: true } } })
    expect(made.status, made.text).toBe(200)
    expect((await w.t.api('POST', `/v1/admin/coupons/${made.body.coupon.id}/codes`, { token: ADMIN_TOKEN, body: { code: 'TOPUP5' } })).status).toBe(200)
    // Bought from another device of the account (the app's own coupon field is the app's issue).
    const other = await enrolDevice(w.t.api, a.accountId, 'phone')
    const body = { provider: 'alipay', item: { kind: 'recharge', amount: { amount: 5000, currency: 'CNY' } }, code: 'topup5' }
    const c = await w.t.api('POST', '/v1/checkouts', { token: other.token, body, headers: { 'idempotency-key': newKey() } })
    expect(c.status, c.text).toBe(200)
    expect(c.body.order.amount).toEqual({ amount: 4500, currency: 'CNY' })
    await providerPays(w, 'alipay', c.body.order.orderNo, 4500)
    await a.sync.syncNow()
    expect(a.billing.wallet.balance().amount).toBe(5000)
    expect(relayWallet(w, a.accountId).balance).toBe(5000)
    expect(a.sync.checkIntegrity().problems).toEqual([])
  })

  it('a recharge the coupon pays in full repays debt first, on the relay and on the device, and says so in a debt record', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await rechargeCoupon(w, 'GIFT50', { kind: 'percent', percent: '100' })
    // Another device of the account spent offline beyond the wallet: ¥8 of debt on the relay.
    const other = await enrolDevice(w.t.api, a.accountId, 'phone')
    const debit = { id: 'dbt-gift-000001', kind: 'wallet_debit', amount: { amount: 800, currency: 'CNY' }, feature: 'ai_request', occurredAt: w.t.clock.now() }
    expect((await w.t.api('POST', '/v1/outbox', { token: other.token, body: { records: [debit] } })).body.accepted).toEqual([debit.id])
    await a.sync.syncNow()
    expect(a.billing.wallet.debt().amount).toBe(800)
    const debt = () => w.t.sql<{ n: number }>('SELECT debits_posted - credits_posted AS n FROM ledger_accounts WHERE id = ?', `receivable:${a.accountId}:CNY`)
    expect(a.sync.state().warnings).toContain('debt_outstanding')
    expect(await debt()).toEqual([{ n: 800 }])

    const body = { provider: 'alipay', item: { kind: 'recharge', amount: { amount: 5000, currency: 'CNY' } }, code: 'GIFT50' }
    const c = await w.t.api('POST', '/v1/checkouts', { token: other.token, body, headers: { 'idempotency-key': newKey() } })
    expect(c.status, c.text).toBe(200)
    expect(c.body.order).toMatchObject({ amount: { amount: 0, currency: 'CNY' }, state: 'paid' })
    expect(await debt()).toEqual([{ n: 0 }])
    await a.sync.syncNow()
    expect(a.billing.wallet.debt().amount).toBe(0)
    expect(a.billing.wallet.balance().amount).toBe(4200)
    expect(relayWallet(w, a.accountId).balance).toBe(4200)
    // The relay's debt record said it was settled: the device no longer warns of a debt.
    expect(a.sync.state().warnings).not.toContain('debt_outstanding')
    expect(a.sync.checkIntegrity().problems).toEqual([])
  })
})
