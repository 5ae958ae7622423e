import { expect, it } from 'vitest'
import type { FeedPayload } from '../../src/shared/relay-contract'
import { forEachStore } from './support/pg'
import { auditReasons, checkout, effects, notify, paid, refunded } from './support/flows'
import { createTestProvider } from './support/hmac-provider'
import { enrolDevice, feedPath, startTestRelay } from './support/relay'

const recharge = (amount: number) => ({ provider: 'stripe', item: { kind: 'recharge', amount: { amount, currency: 'CNY' } } })

async function setup() {
  const provider = createTestProvider('stripe')
  const t = await startTestRelay({ providers: [provider] })
  const dev = await enrolDevice(t.api)
  return { t, provider, dev }
}

forEachStore('notification pipeline', () => {
  it('applies a payment once; a replay, a second event for the same payment and a stale failure change nothing', async () => {
    const { t, provider, dev } = await setup()
    const { order } = await checkout(t.api, dev.token, recharge(5000))
    const pay = paid(order.orderNo, 5000)
    const first = await notify(t, provider, [pay])
    expect(first.status).toBe(200)
    expect(first.text).toBe('success')
    const after = await effects(t, order.orderNo)
    expect(after).toMatchObject({ state: 'paid', paymentRecords: 1, wallet: 5000 })

    // Replay of the same event id: accepted (it is durable), no second effect.
    expect((await notify(t, provider, [pay])).status).toBe(200)
    // Another event about the same payment id (e.g. completed + async succeeded).
    expect((await notify(t, provider, [paid(order.orderNo, 5000)])).status).toBe(200)
    // A failure arriving after the payment: nothing to do.
    const stale = await notify(t, provider, [
      { type: 'payment.failed', eventId: 'evt_late_fail', orderNo: order.orderNo, reason: 'x', occurredAt: 0 }
    ])
    expect(stale.status).toBe(200)
    expect(await effects(t, order.orderNo)).toEqual(after)
    expect((await auditReasons(t)).map((r) => r.reason)).toEqual([null, 'replayed_event_id', 'payment_already_recorded', 'order_is_paid'])
  })

  it('rejects a missing or bad signature and a tampered body, logging the reason', async () => {
    const { t, provider, dev } = await setup()
    const { order } = await checkout(t.api, dev.token, recharge(1000))
    const { body, headers } = provider.notification([paid(order.orderNo, 1000)])
    const noSig = await t.api('POST', '/v1/notify/stripe', { raw: body, headers: { 'content-type': 'application/json' } })
    expect(noSig.status).toBe(400)
    const tampered = body.replace('1000', '9000')
    const bad = await t.api('POST', '/v1/notify/stripe', { raw: tampered, headers })
    expect(bad.status).toBe(400)
    expect(await effects(t, order.orderNo)).toMatchObject({ state: 'pending', paymentRecords: 0, wallet: 0 })
    expect((await auditReasons(t)).map((r) => r.reason)).toEqual(['missing_signature', 'bad_signature'])
    expect(t.logs.some((l) => l['msg'] === 'notification rejected' && l['reason'] === 'bad_signature')).toBe(true)
    // Form-encoded and text bodies reach the adapter as the raw bytes too.
    const form = await t.api('POST', '/v1/notify/stripe', {
      raw: 'a=1&b=%25',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-test-signature': provider.sign('a=1&b=%25') }
    })
    expect(form.status).toBe(400) // signature fine, body is not our JSON → malformed
    expect((await auditReasons(t)).at(-1)!.reason).toBe('malformed')
    // Unknown or disabled provider.
    expect((await t.api('POST', '/v1/notify/alipay', { raw: body, headers })).status).toBe(404)
  })

  it('rejects unknown order, wrong amount and wrong currency, with no effect, each time it is redelivered', async () => {
    const { t, provider, dev } = await setup()
    const { order } = await checkout(t.api, dev.token, recharge(2000))
    const unknown = await notify(t, provider, [paid('R000000000000000000', 2000)])
    expect(unknown.status).toBe(404)
    const wrongAmount = paid(order.orderNo, 1999)
    expect((await notify(t, provider, [wrongAmount])).status).toBe(400)
    expect((await notify(t, provider, [wrongAmount])).status).toBe(400)
    const wrongCurrency = paid(order.orderNo, 2000, { amount: { amount: 2000, currency: 'USD' } })
    expect((await notify(t, provider, [wrongCurrency])).status).toBe(400)
    expect(await effects(t, order.orderNo)).toMatchObject({ state: 'pending', paymentRecords: 0, wallet: 0, transitions: 2 })
    expect((await auditReasons(t)).map((r) => `${r.outcome}:${r.reason}`)).toEqual([
      'rejected:unknown_order',
      'rejected:amount_mismatch',
      'rejected:amount_mismatch',
      'rejected:currency_mismatch'
    ])
    // The right notification still works afterwards.
    expect((await notify(t, provider, [paid(order.orderNo, 2000)])).status).toBe(200)
    expect(await effects(t, order.orderNo)).toMatchObject({ state: 'paid', paymentRecords: 1, wallet: 2000 })
  })

  it('rejects a transition the state forbids: a second, different payment of a paid order', async () => {
    const { t, provider, dev } = await setup()
    const { order } = await checkout(t.api, dev.token, recharge(3000))
    await notify(t, provider, [paid(order.orderNo, 3000)])
    const before = await effects(t, order.orderNo)
    const second = await notify(t, provider, [paid(order.orderNo, 3000, { providerPaymentId: 'pay_other' })])
    expect(second.status).toBe(409)
    expect(await effects(t, order.orderNo)).toEqual(before)
    // Fully refunded, then paid again: forbidden as well.
    await notify(t, provider, [refunded(order.orderNo, 3000, 're_1')])
    const again = await notify(t, provider, [paid(order.orderNo, 3000, { providerPaymentId: 'pay_third' })])
    expect(again.status).toBe(409)
    expect(await effects(t, order.orderNo)).toMatchObject({ state: 'refunded', paymentRecords: 1, refundRecords: 1, wallet: 0 })
    expect((await auditReasons(t)).filter((r) => r.outcome === 'rejected').map((r) => r.reason)).toEqual([
      'forbidden_transition',
      'forbidden_transition'
    ])
  })

  it('out of order: a refund before the payment is deferred (retryable), then applied once after it', async () => {
    const { t, provider, dev } = await setup()
    const { order } = await checkout(t.api, dev.token, recharge(10_000))
    const refund = refunded(order.orderNo, 4000, 're_early')
    const early = await notify(t, provider, [refund])
    expect(early.status).toBe(503)
    expect(await effects(t, order.orderNo)).toMatchObject({ state: 'pending', refundRecords: 0, wallet: 0 })
    await notify(t, provider, [paid(order.orderNo, 10_000)])
    expect((await notify(t, provider, [refund])).status).toBe(200) // the provider's redelivery
    expect((await notify(t, provider, [refund])).status).toBe(200) // and a duplicate
    // The same refund under another event id (Stripe: refund.updated and charge.refunded).
    expect((await notify(t, provider, [refunded(order.orderNo, 4000, 're_early', 'evt_other')])).status).toBe(200)
    expect(await effects(t, order.orderNo)).toMatchObject({
      state: 'partially_refunded',
      refunded: 4000,
      refundRecords: 1,
      paymentRecords: 1,
      wallet: 6000
    })
    // Over-refund is an amount mismatch; the rest completes the refund.
    expect((await notify(t, provider, [refunded(order.orderNo, 6001, 're_too_much')])).status).toBe(400)
    expect((await notify(t, provider, [refunded(order.orderNo, 6000, 're_rest')])).status).toBe(200)
    expect(await effects(t, order.orderNo)).toMatchObject({ state: 'refunded', refunded: 10_000, refundRecords: 2, wallet: 0 })
  })

  it('refunds reported as a running total (Alipay refund_fee) are applied as the difference, once', async () => {
    const { t, provider, dev } = await setup()
    const { order } = await checkout(t.api, dev.token, recharge(10_000))
    await notify(t, provider, [paid(order.orderNo, 10_000)])
    const cum = (eventId: string, refundId: string, total: number) => ({
      ...refunded(order.orderNo, total, refundId, eventId),
      cumulative: { amount: total, currency: 'CNY' as const }
    })
    expect((await notify(t, provider, [cum('n1', 'r-a', 3000)])).status).toBe(200)
    // The same refund notified again under a new refund id but the same total: nothing new.
    expect((await notify(t, provider, [cum('n2', 'r-a2', 3000)])).status).toBe(200)
    expect(await effects(t, order.orderNo)).toMatchObject({ refunded: 3000, refundRecords: 1, wallet: 7000 })
    expect((await notify(t, provider, [cum('n3', 'r-b', 10_000)])).status).toBe(200)
    expect(await effects(t, order.orderNo)).toMatchObject({ state: 'refunded', refunded: 10_000, refundRecords: 2, wallet: 0 })
  })

  it('a plan payment grants the plan; a full refund revokes it', async () => {
    const { t, provider, dev } = await setup()
    const { order } = await checkout(t.api, dev.token, { provider: 'stripe', item: { kind: 'plan', planCode: 'PREMIUM', period: 'yearly' } })
    expect(order.amount).toEqual({ amount: 59_900, currency: 'CNY' })
    await notify(t, provider, [paid(order.orderNo, 59_900)])
    expect(await effects(t, order.orderNo)).toMatchObject({ state: 'paid', grants: 1, wallet: 0 })
    const lease = await t.api('POST', '/v1/lease', { token: dev.token })
    expect(JSON.parse(lease.body.lease.payload).data.planCode).toBe('PREMIUM')
    await notify(t, provider, [refunded(order.orderNo, 59_900, 're_plan')])
    t.clock.advance(1)
    const after = await t.api('POST', '/v1/lease', { token: dev.token })
    expect(JSON.parse(after.body.lease.payload).data.planCode).toBe('FREE')
    const types = (await t.api('GET', feedPath(), { token: dev.token })).body.records.map((r: { payload: string }) => {
      const p = JSON.parse(r.payload) as FeedPayload
      const status = 'status' in p.data ? `:${p.data.status}` : ''
      return `${p.type}${status}${p.notice ? `+${p.notice.kind}` : ''}`
    })
    // Each event's notice rides in its record (issue 18).
    expect(types).toEqual([
      'payment_confirmed+payment_received',
      'subscription_grant:active+subscription_started',
      'invoice:paid+invoice_issued',
      'entitlement_lease',
      'refund+refund',
      'subscription_grant:revoked+subscription_cancelled',
      'credit_note+credit_note',
      'invoice:credited',
      'entitlement_lease'
    ])
  })

  it('PayPal-style approval: captures, then records the capture once; a failed capture is retried', async () => {
    const provider = createTestProvider('paypal')
    const t = await startTestRelay({ providers: [provider] })
    const dev = await enrolDevice(t.api)
    const { order } = await checkout(t.api, dev.token, { provider: 'paypal', item: { kind: 'recharge', amount: { amount: 1500, currency: 'CNY' } } })
    const approved = {
      type: 'payment.approved' as const,
      eventId: 'WH-approve-1',
      orderNo: order.orderNo,
      providerRef: `ref_${order.orderNo}`,
      amount: { amount: 1500, currency: 'CNY' as const },
      occurredAt: 0
    }
    provider.failNextCapture = true
    expect((await notify(t, provider, [approved])).status).toBe(503)
    expect(await effects(t, order.orderNo)).toMatchObject({ state: 'pending', paymentRecords: 0 })
    expect((await notify(t, provider, [approved])).status).toBe(200)
    expect((await notify(t, provider, [approved])).status).toBe(200)
    expect(provider.captures).toHaveLength(1)
    // The capture's own completion event later: same payment id → duplicate.
    expect((await notify(t, provider, [paid(order.orderNo, 1500, { providerPaymentId: `cap_${order.orderNo}` })])).status).toBe(200)
    expect(await effects(t, order.orderNo)).toMatchObject({ state: 'paid', paymentRecords: 1, wallet: 1500 })
  })

  it('expiry and failure move a pending order; a late payment of an expired order is still recorded', async () => {
    const { t, provider, dev } = await setup()
    const { order } = await checkout(t.api, dev.token, recharge(800))
    await notify(t, provider, [{ type: 'payment.failed', eventId: 'f1', orderNo: order.orderNo, reason: 'declined', occurredAt: 0 }])
    expect((await effects(t, order.orderNo)).state).toBe('failed')
    await notify(t, provider, [{ type: 'checkout.expired', eventId: 'x1', orderNo: order.orderNo, occurredAt: 0 }])
    expect((await effects(t, order.orderNo)).state).toBe('expired')
    await notify(t, provider, [paid(order.orderNo, 800)])
    expect(await effects(t, order.orderNo)).toMatchObject({ state: 'paid', paymentRecords: 1, wallet: 800 })
    const o = await t.api('GET', `/v1/orders/${order.orderNo}`, { token: dev.token })
    expect(o.body.order.state).toBe('paid')
  })
})
