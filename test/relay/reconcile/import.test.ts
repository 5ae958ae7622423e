import { expect, it } from 'vitest'
import { createTestProvider } from '../support/hmac-provider'
import { forEachStore } from '../support/pg'
import { startTestRelay } from '../support/relay'
import { addOperator, signIn } from '../console/support'

// A bill imported over HTTP against real books on both stores: the planted differences are
// listed, each resolved once with a reason, and the import and resolutions are audited.

const HEADER =
  '支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注'
const line = (trade: string, orderNo: string, kind: '交易' | '退款', yuan: string, request = '') =>
  `${trade},${orderNo},${kind},充值,2025-01-15 12:00:00,2025-01-15 12:00:09,,,,,b@example.com,${yuan},${yuan},0.00,0.00,0.00,0.00,0.00,,0.00,0.00,${request},0.00,0.00,`

forEachStore('bill reconciliation', () => {
  it('lists each difference between an Alipay bill and the books, and resolves them one by one', async () => {
    const t = await startTestRelay({ providers: [createTestProvider('alipay')] })
    const { core } = t.relay
    const { accountId, code } = await core.accounts.createEnrolment(undefined, 'rec')
    const device = { accountId, deviceId: (await core.accounts.enrol(code, 'a')).deviceId }
    const from = t.clock.now()
    const orders: string[] = []
    for (let i = 0; i < 3; i++) {
      const { order } = await core.checkouts.create(device, `rec-order-${i}`, { provider: 'alipay', item: { kind: 'recharge', amount: { amount: 10_000 * (i + 1), currency: 'CNY' } } })
      await core.store.unit((tx) => core.applier.apply(tx, 'alipay', { type: 'payment.succeeded', eventId: `n${i}`, orderNo: order.orderNo, providerPaymentId: `T${i}`, amount: order.amount, occurredAt: 0 }))
      orders.push(order.orderNo)
    }
    await core.store.unit((tx) =>
      core.applier.apply(tx, 'alipay', { type: 'refund.succeeded', eventId: 'n-r', orderNo: orders[0]!, refundId: 'T0:refund-1', amount: { amount: 2000, currency: 'CNY' }, occurredAt: 0 })
    )
    t.clock.advance(60_000)
    // The bill: order 0 and its refund agree; order 1 at another amount; order 2 missing; a payment the relay never saw.
    const csv = ['#支付宝业务明细查询', HEADER, line('T0', orders[0]!, '交易', '100.00'), line('T0', orders[0]!, '退款', '-20.00', 'refund-1'), line('T1', orders[1]!, '交易', '200.01'), line('T9', 'R-UNKNOWN', '交易', '5.00')].join('\r\n')
    await addOperator(t, 'finance@example.com', 'finance')
    await addOperator(t, 'viewer@example.com', 'viewer')
    const finance = await signIn(t, 'finance@example.com')
    const viewer = await signIn(t, 'viewer@example.com')
    expect((await viewer.call('POST', '/v1/console/reconciliation/alipay', { body: { csv, from, to: t.clock.now() } })).status).toBe(403)
    const r = await finance.call('POST', '/v1/console/reconciliation/alipay', { body: { csv, from, to: t.clock.now() } })
    expect(r.status).toBe(200)
    expect(r.body.run).toMatchObject({ provider: 'alipay', lines: 4, differences: 3, importedBy: 'finance@example.com' })
    const kinds = r.body.differences.map((d: { kind: string; orderNo: string; billAmount: number | null; relayAmount: number | null }) => [d.kind, d.orderNo, d.billAmount, d.relayAmount])
    expect(kinds).toEqual([
      ['amount_differs', orders[1], 20001, 20000],
      ['missing_here', 'R-UNKNOWN', 500, null],
      ['missing_there', orders[2], null, 30000]
    ])
    const listed = await viewer.call('GET', `/v1/console/reconciliation/runs/${r.body.run.id}`)
    expect(listed.body.differences).toHaveLength(3)
    const id = r.body.differences[0].id as string
    expect((await finance.call('POST', `/v1/console/reconciliation/differences/${id}/resolve`, { body: { reason: 'no' } })).status).toBe(400)
    const resolved = await finance.call('POST', `/v1/console/reconciliation/differences/${id}/resolve`, { body: { reason: 'Alipay rounding; ticket 42' } })
    expect(resolved.body.difference).toMatchObject({ resolvedBy: 'finance@example.com', resolution: 'Alipay rounding; ticket 42' })
    // Resolved once: a second resolution keeps the first.
    const again = await finance.call('POST', `/v1/console/reconciliation/differences/${id}/resolve`, { body: { reason: 'something else' } })
    expect(again.body.difference.resolution).toBe('Alipay rounding; ticket 42')
    expect((await viewer.call('GET', '/v1/console/reconciliation')).body.runs).toHaveLength(1)
    const audit = await t.sql<{ action: string }>("SELECT action FROM audit_log WHERE action LIKE 'reconciliation.%' ORDER BY seq")
    expect(audit.map((a) => a.action)).toEqual(['reconciliation.import', 'reconciliation.resolve'])
    expect((await finance.call('POST', '/v1/console/reconciliation/stripe', { body: { csv, from, to: t.clock.now() } })).status).toBe(400)
    expect((await finance.call('POST', '/v1/console/reconciliation/alipay', { body: { csv: 'not,a,bill', from, to: t.clock.now() } })).body.error.message).toMatch(/not an Alipay trade bill/)
  })
})
