import { describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, enrolDevice, newKey } from '../relay/support/relay'
import { newDevice, providerPays, relayWallet, startWorld } from './support'

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
})
