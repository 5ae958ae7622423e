import { expect, it } from 'vitest'
import { createTestProvider } from '../support/hmac-provider'
import { forEachStore } from '../support/pg'
import { startTestRelay } from '../support/relay'
import { addOperator, signIn } from '../console/support'

// The revenue report over HTTP for any operator (read), by day, month or year, as JSON and as
// CSV for Excel; a range too long for its bucket is refused with what to do.
forEachStore('the revenue report routes', () => {
  it('answers the ledger by month and day, and as CSV with a BOM', async () => {
    const provider = createTestProvider('stripe')
    const t = await startTestRelay({ providers: [provider] })
    const { core } = t.relay
    const { accountId, code } = await core.accounts.createEnrolment(undefined, 'r')
    const device = { accountId, deviceId: (await core.accounts.enrol(code, 'a')).deviceId }
    const { order } = await core.checkouts.create(device, 'report-route-1', { provider: 'stripe', item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' } })
    await core.store.unit((tx) => core.applier.apply(tx, 'stripe', { type: 'payment.succeeded', eventId: 'evt_1', orderNo: order.orderNo, providerPaymentId: 'pi_1', amount: order.amount, occurredAt: 0 }))
    t.clock.advance(86_400_000)
    await core.store.unit((tx) => core.applier.apply(tx, 'stripe', { type: 'refund.succeeded', eventId: 'evt_2', orderNo: order.orderNo, refundId: 're_1', amount: { amount: 900, currency: 'CNY' }, occurredAt: 0 }))
    await addOperator(t, 'viewer@example.com', 'viewer')
    const s = await signIn(t, 'viewer@example.com')
    const month = await s.call('GET', '/v1/console/reports/revenue?bucket=month')
    expect(month.status).toBe(200)
    // Prices include VAT (6 %): revenue is booked without it, the refund gives back its share.
    expect(order.amount.amount).toBe(2900)
    expect(month.body.report.totals.CNY).toEqual({ gross: 2736, discounts: 0, refunds: 849, promotions: 0, net: 1887, tax: 113 })
    expect(Object.keys(month.body.report.periods.CNY)).toEqual(['2025-01'])
    expect(month.body.report.plans.CNY).toEqual({ 'BASIC:monthly': 2736 })
    expect(month.body.report.arpu.CNY).toEqual({ accounts: 1, arpu: 1887 })
    const day = await s.call('GET', '/v1/console/reports/revenue?bucket=day')
    expect(Object.keys(day.body.report.periods.CNY).sort()).toEqual(['2025-01-15', '2025-01-16'])
    const raw = Buffer.from(await (await fetch(`${t.url}/v1/console/reports/revenue.csv?bucket=day`, { headers: { cookie: s.cookie } })).arrayBuffer())
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect(raw.toString('utf8').slice(1).split('\r\n')).toEqual([
      'currency,period,gross,discounts,refunds,promotions,net,tax',
      'CNY,2025-01-15,2736,0,0,0,2736,164',
      'CNY,2025-01-16,0,0,849,0,-849,-51',
      ''
    ])
    const tooLong = await s.call('GET', `/v1/console/reports/revenue?bucket=day&from=0&to=${t.clock.now()}`)
    expect(tooLong.status).toBe(400)
    expect(tooLong.body.error.details.field).toBe('bucket')
    expect((await t.api('GET', '/v1/console/reports/revenue')).status).toBe(401)
  })
})
