import { expect, it } from 'vitest'
import { createTestProvider } from '../support/hmac-provider'
import { forEachStore } from '../support/pg'
import { startTestRelay, type TestRelay } from '../support/relay'
import { addOperator, signIn, type ConsoleSession } from '../console/support'
import { seededRelay } from './books'

/** A CSV route's lines, after checking it is UTF-8 with a BOM and sent as CSV. */
async function csv(t: TestRelay, s: ConsoleSession, path: string): Promise<string[]> {
  const res = await fetch(`${t.url}${path}`, { headers: { cookie: s.cookie } })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
  const raw = Buffer.from(await res.arrayBuffer())
  expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
  return raw.toString('utf8').slice(1).split('\r\n')
}

// The report routes over HTTP for any operator (read): revenue by day, month or year, the tax
// report and the monthly or annual statement, as JSON and as CSV for Excel; bad input is a
// typed 400 naming the field.
forEachStore('the report routes', () => {
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
    // Every report CSV: BOM, amounts in major units beside their currency, the header in ?lang (zh-CN by default).
    const zh = await csv(t, s, '/v1/console/reports/revenue.csv?bucket=day')
    expect(zh).toEqual(['币种,期间,收入总额,优惠券折扣,退款,促销,净收入,税额', 'CNY,2025-01-15,27.36,0.00,0.00,0.00,27.36,1.64', 'CNY,2025-01-16,0.00,0.00,8.49,0.00,-8.49,-0.51', ''])
    const en = await csv(t, s, '/v1/console/reports/revenue.csv?bucket=day&lang=en')
    expect(en).toEqual(['currency,period,gross,discounts,refunds,promotions,net,tax', ...zh.slice(1)])
    const badLang = await s.call('GET', '/v1/console/reports/revenue.csv?lang=fr')
    expect(badLang.status).toBe(400)
    expect(badLang.body.error).toMatchObject({ code: 'INVALID_INPUT', details: { issues: [{ path: 'lang' }] } })
    const tooLong = await s.call('GET', `/v1/console/reports/revenue?bucket=day&from=0&to=${t.clock.now()}`)
    expect(tooLong.status).toBe(400)
    expect(tooLong.body.error.details.field).toBe('bucket')
    expect((await t.api('GET', '/v1/console/reports/revenue')).status).toBe(401)
  })

  it('answers the tax report and the statement, as JSON and CSV, and refuses a bad period or bucket', async () => {
    const t = await seededRelay()
    await addOperator(t, 'viewer@example.com', 'viewer')
    const s = await signIn(t, 'viewer@example.com')
    const march = await s.call('GET', '/v1/console/reports/statement?bucket=month&period=2028-03')
    expect(march.status).toBe(200)
    expect(march.body.report).toMatchObject({ bucket: 'month', period: '2028-03', timeZone: 'Asia/Shanghai', currencies: { CNY: { gross: 8291, tax: 909, mrrAtEnd: 2633 } } })
    expect(await csv(t, s, '/v1/console/reports/statement.csv?bucket=month&period=2028-03')).toEqual([
      '币种,期间,收入总额,优惠券折扣,退款,促销,净收入,税额,收款-支付宝,收款-微信支付,收款-Stripe,收款-PayPal,期末钱包余额,期末赠送余额,期末月经常性收入',
      'CNY,2028-03,82.91,0.00,0.00,3.00,79.91,9.09,0.00,0.00,129.00,0.00,40.00,0.00,26.33',
      ''
    ])
    const year = await csv(t, s, '/v1/console/reports/statement.csv?bucket=year&period=2028&lang=en')
    expect(year[0]).toBe('currency,period,gross,discounts,refunds,promotions,net,tax,money in: alipay,money in: wechat,money in: stripe,money in: paypal,wallets at end,promotion credit at end,MRR at end')
    expect(year.slice(1)).toEqual(['CNY,2028,958.38,0.00,9.43,3.00,945.95,61.05,0.00,0.00,1047.00,0.00,40.00,0.00,26.33', 'USD,2028,9.42,0.00,9.42,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00', ''])

    const tax = await s.call('GET', `/v1/console/reports/tax?from=${Date.parse('2028-03-31T16:00:00Z')}&to=${Date.parse('2028-04-30T16:00:00Z')}`)
    expect(tax.status).toBe(200)
    expect(tax.body.report.payable).toEqual({ CNY: -57 })
    expect(await csv(t, s, '/v1/console/reports/tax.csv?lang=en')).toEqual([
      'currency,rate,booked,invoices,gross,tax,net,credit notes,credited,credited tax,payable',
      'CNY,0.06,yes,2,928.00,52.53,875.47,1,10.00,0.57,51.96',
      'CNY,0.06,no,1,50.00,2.83,47.17,0,0.00,0.00,2.83',
      'CNY,0.13,yes,1,79.00,9.09,69.91,0,0.00,0.00,9.09',
      'USD,0.06,yes,1,9.99,0.57,9.42,1,9.99,0.57,0.00',
      ''
    ])
    expect((await csv(t, s, '/v1/console/reports/tax.csv'))[0]).toBe('币种,税率,计入应交税费,发票数,价税合计,税额,不含税金额,红字发票数,冲红金额,冲红税额,应交税额')

    const refused = async (path: string) => {
      const r = await s.call('GET', path)
      expect(r.status, path).toBe(400)
      expect(r.body.error.code, path).toBe('INVALID_INPUT')
      return r.body.error
    }
    for (const period of ['2028-13', '2028', '28-03', '2028-3', 'x']) {
      expect((await refused(`/v1/console/reports/statement?bucket=month&period=${period}`)).details.field).toBe('period')
    }
    expect((await refused('/v1/console/reports/statement?bucket=year&period=2028-03')).details.field).toBe('period')
    expect((await refused('/v1/console/reports/statement.csv?bucket=month&period=2028-07')).message).toContain('has not begun')
    expect((await refused('/v1/console/reports/statement?bucket=week&period=2028-03')).details.issues[0].path).toBe('bucket')
    expect((await refused('/v1/console/reports/statement?bucket=month')).details.issues[0].path).toBe('period')
    expect((await refused('/v1/console/reports/statement.csv?bucket=month&period=2028-03&lang=de')).details.issues[0].path).toBe('lang')
    expect((await refused('/v1/console/reports/tax?from=10&to=5')).details.field).toBe('from')
    expect((await refused('/v1/console/reports/tax?from=abc')).details.issues[0].path).toBe('from')
    expect((await t.api('GET', '/v1/console/reports/statement?bucket=month&period=2028-03')).status).toBe(401)
    expect((await t.api('GET', '/v1/console/reports/tax.csv')).status).toBe(401)
  })
})
