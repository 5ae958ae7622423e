import { expect, it } from 'vitest'
import { generateAlipayKeys, signAlipayNotification, startFakeAlipayGateway, type FakeAlipayGateway } from '../fakes/alipay'
import { effects } from '../support/flows'
import { deviceCheckout, recharge } from '../support/paths'
import { forEachStore } from '../support/pg'
import { enrolDevice, startTestRelay, type TestRelay } from '../support/relay'
import { addOperator, signIn, type ConsoleSession } from './support'

// Refunds from the console through Alipay's alipay.trade.refund (the real alipay-sdk against
// the fake gateway, RSA2 both ways): out_request_no is the refund key, so a key is one refund;
// the answer's refundId is the one the refund notification maps to, so answer and notification
// record a refund once in either order; refusals and failures leave the request failed and the
// same key retries. On both stores.

const APP_ID = '2021000000000077'
const keys = generateAlipayKeys()
const cny = (amount: number) => ({ amount, currency: 'CNY' })

interface Paid {
  t: TestRelay
  fake: FakeAlipayGateway
  orderNo: string
  tradeNo: string
  finance: ConsoleSession
  path: string
}

async function paidOrder(): Promise<Paid> {
  const fake = await startFakeAlipayGateway({ appId: APP_ID, appPublicKey: keys.appPublicKey, alipayPrivateKey: keys.alipayPrivateKey })
  const t = await startTestRelay({
    config: {
      providerSources: {
        env: {
          ALIPAY_APP_ID: APP_ID,
          ALIPAY_PRIVATE_KEY: keys.appPrivateKey,
          ALIPAY_PUBLIC_KEY: keys.alipayPublicKey,
          ALIPAY_GATEWAY: fake.gateway,
          ALIPAY_NOTIFY_URL: 'https://relay.example.com/v1/notify/alipay'
        },
        file: {}
      }
    }
  })
  const dev = await enrolDevice(t.api)
  const { orderNo } = await deviceCheckout(t, dev.token, recharge('alipay', 10_000))
  const tradeNo = fake.trades.get(orderNo)!.tradeNo
  const paid = await send(t, {
    app_id: APP_ID,
    out_trade_no: orderNo,
    trade_no: tradeNo,
    trade_status: 'TRADE_SUCCESS',
    total_amount: '100.00',
    gmt_payment: '2024-05-01 12:00:05'
  })
  expect(paid.text).toBe('success')
  await addOperator(t, 'finance@example.com', 'finance')
  return { t, fake, orderNo, tradeNo, finance: await signIn(t, 'finance@example.com'), path: `/v1/console/orders/${orderNo}/refunds` }
}

let seq = 0
function send(t: TestRelay, params: Record<string, string>) {
  return t.api('POST', '/v1/notify/alipay', {
    raw: signAlipayNotification({ notify_id: `ntf-refund-${++seq}`, ...params }, keys.alipayPrivateKey),
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }
  })
}

/** The refunds the relay recorded for the order: [refundId, amount], by refund id. */
async function recorded(t: TestRelay, orderNo: string): Promise<[string, number][]> {
  const rows = await t.sql<{ refund_id: string; amount: number }>(
    'SELECT refund_id, amount FROM refunds WHERE order_id = (SELECT id FROM orders WHERE order_no = ?) ORDER BY refund_id',
    orderNo
  )
  return rows.map((r) => [r.refund_id, Number(r.amount)])
}

const refundCalls = (fake: FakeAlipayGateway) => fake.requests.filter((r) => r.method === 'alipay.trade.refund')

forEachStore('refunds from the console through Alipay', () => {
  it('refunds part then the rest, once per refund key, and the notification after the answer changes nothing', async () => {
    const { t, fake, orderNo, tradeNo, finance, path } = await paidOrder()
    try {
      const first = await finance.call('POST', path, { body: { amount: cny(3000), reason: 'stream dropped', refundKey: 'refund-0001' } })
      expect(first.status, first.text).toBe(200)
      expect(first.body.refund).toMatchObject({ state: 'succeeded', amount: cny(3000), providerRefundId: `${tradeNo}:refund-0001` })
      expect(refundCalls(fake)).toHaveLength(1)
      const sent = refundCalls(fake)[0]!
      expect(sent.signatureValid).toBe(true)
      expect(sent.biz).toEqual({ out_trade_no: orderNo, trade_no: tradeNo, refund_amount: '30.00', out_request_no: 'refund-0001', refund_reason: 'stream dropped' })
      expect(await effects(t, orderNo)).toMatchObject({ state: 'partially_refunded', refunded: 3000, refundRecords: 1 })

      // The same key: no second call.
      const again = await finance.call('POST', path, { body: { amount: cny(3000), reason: 'stream dropped', refundKey: 'refund-0001' } })
      expect(again.body.refund.providerRefundId).toBe(`${tradeNo}:refund-0001`)
      expect(refundCalls(fake)).toHaveLength(1)
      // Alipay's notification of that refund (out_biz_no = the key, refund_fee 30.00): nothing new.
      expect((await send(t, fake.refundNotification(orderNo, 'refund-0001'))).text).toBe('success')
      expect(await effects(t, orderNo)).toMatchObject({ refunded: 3000, refundRecords: 1 })

      const rest = await finance.call('POST', path, { body: { reason: 'customer asked', refundKey: 'refund-0002' } })
      expect(rest.body.refund).toMatchObject({ state: 'succeeded', amount: cny(7000), providerRefundId: `${tradeNo}:refund-0002` })
      expect(refundCalls(fake).at(-1)!.biz.refund_amount).toBe('70.00')
      // refund_fee answered 100.00 (the total): recorded as the 70.00 not counted yet.
      expect(await effects(t, orderNo)).toMatchObject({ state: 'refunded', refunded: 10_000, refundRecords: 2 })
      expect((await send(t, fake.refundNotification(orderNo, 'refund-0002'))).text).toBe('success')
      expect((await send(t, fake.refundNotification(orderNo, 'refund-0001'))).text).toBe('success')
      expect(await effects(t, orderNo)).toMatchObject({ state: 'refunded', refunded: 10_000, refundRecords: 2 })
      expect(await recorded(t, orderNo)).toEqual([
        [`${tradeNo}:refund-0001`, 3000],
        [`${tradeNo}:refund-0002`, 7000]
      ])
      expect(fake.trades.get(orderNo)!.refunds.map((r) => [r.outRequestNo, r.amount])).toEqual([
        ['refund-0001', 3000],
        ['refund-0002', 7000]
      ])
    } finally {
      await fake.close()
    }
  })

  it('records a refund once when its notification comes before the answer', async () => {
    const { t, fake, orderNo, tradeNo, finance, path } = await paidOrder()
    try {
      const held = fake.holdNextRefund()
      const call = finance.call('POST', path, { body: { amount: cny(2500), reason: 'slow answer', refundKey: 'refund-slow-1' } })
      await held.taken
      expect((await send(t, fake.refundNotification(orderNo, 'refund-slow-1'))).text).toBe('success')
      expect(await effects(t, orderNo)).toMatchObject({ state: 'partially_refunded', refunded: 2500, refundRecords: 1 })
      held.release()
      const answered = await call
      expect(answered.status, answered.text).toBe(200)
      expect(answered.body.refund).toMatchObject({ state: 'succeeded', providerRefundId: `${tradeNo}:refund-slow-1` })
      expect(await effects(t, orderNo)).toMatchObject({ refunded: 2500, refundRecords: 1 })
      expect(await recorded(t, orderNo)).toEqual([[`${tradeNo}:refund-slow-1`, 2500]])
    } finally {
      await fake.close()
    }
  })

  it('refuses an answer whose signature does not verify; the notification records the refund and a retry by the key refunds nothing more', async () => {
    const { t, fake, orderNo, tradeNo, finance, path } = await paidOrder()
    try {
      fake.nextRefundAnswer('forged')
      const lost = await finance.call('POST', path, { body: { amount: cny(4000), reason: 'forged answer', refundKey: 'refund-lost-1' } })
      expect(lost.status).toBe(503)
      expect(lost.body.error.code).toBe('UNAVAILABLE')
      expect((await finance.call('GET', path)).body.refunds[0]).toMatchObject({ state: 'failed', error: 'Alipay: refund failed: the answer signature does not verify (验签失败)' })
      expect(await effects(t, orderNo)).toMatchObject({ state: 'paid', refunded: 0, refundRecords: 0 })
      // Alipay did refund; its notification says so.
      expect((await send(t, fake.refundNotification(orderNo, 'refund-lost-1'))).text).toBe('success')
      expect(await effects(t, orderNo)).toMatchObject({ state: 'partially_refunded', refunded: 4000, refundRecords: 1 })
      // The retry is a repeat of out_request_no: fund_change N, no money moved, nothing recorded again.
      const retried = await finance.call('POST', path, { body: { amount: cny(4000), reason: 'forged answer', refundKey: 'refund-lost-1' } })
      expect(retried.status, retried.text).toBe(200)
      // fund_change N cannot tell a repeat from a refund still being made: pending, and as its
      // refundId is recorded already, nothing is held for it.
      expect(retried.body.refund).toMatchObject({ state: 'pending', providerRefundId: `${tradeNo}:refund-lost-1` })
      expect(fake.trades.get(orderNo)!.refunds).toHaveLength(1)
      expect(await effects(t, orderNo)).toMatchObject({ refunded: 4000, refundRecords: 1 })
      expect(await recorded(t, orderNo)).toEqual([[`${tradeNo}:refund-lost-1`, 4000]])
      // Recorded, so not held from what is left: 6,000.
      expect((await finance.call('POST', path, { body: { amount: cny(6001), reason: 'over', refundKey: 'refund-over-9' } })).body.error.details.left).toBe(6000)
    } finally {
      await fake.close()
    }
  })

  it('keeps a failed or refused call as failed and retries it by the same key; a refund Alipay is still making is recorded by its notification', async () => {
    const { t, fake, orderNo, tradeNo, finance, path } = await paidOrder()
    try {
      fake.failNextRefund({ code: '20000', msg: 'Service Currently Unavailable', sub_code: 'ACQ.SYSTEM_ERROR', sub_msg: '系统错误' })
      const failed = await finance.call('POST', path, { body: { amount: cny(2000), reason: 'duplicate charge', refundKey: 'refund-fail-1' } })
      expect(failed.status).toBe(503)
      expect(failed.body.error.code).toBe('UNAVAILABLE')
      const listed = (await finance.call('GET', path)).body.refunds[0]
      expect(listed).toMatchObject({ state: 'failed', error: 'Alipay: refund refused: 20000 ACQ.SYSTEM_ERROR' })
      expect(listed.error).not.toContain(keys.appPrivateKey.slice(40, 80))
      expect(await effects(t, orderNo)).toMatchObject({ state: 'paid', refunded: 0 })
      const retried = await finance.call('POST', path, { body: { amount: cny(2000), reason: 'duplicate charge', refundKey: 'refund-fail-1' } })
      expect(retried.body.refund).toMatchObject({ state: 'succeeded', providerRefundId: `${tradeNo}:refund-fail-1` })
      expect(refundCalls(fake).map((r) => r.biz.out_request_no)).toEqual(['refund-fail-1', 'refund-fail-1'])
      expect(await effects(t, orderNo)).toMatchObject({ refunded: 2000, refundRecords: 1 })

      // Alipay answers fund_change N while still at work: pending, not recorded, held from what is left.
      fake.nextRefundAnswer('processing')
      const pending = await finance.call('POST', path, { body: { amount: cny(5000), reason: 'bank card refund', refundKey: 'refund-pend-1' } })
      expect(pending.body.refund).toMatchObject({ state: 'pending', providerRefundId: `${tradeNo}:refund-pend-1` })
      expect(await effects(t, orderNo)).toMatchObject({ refunded: 2000, refundRecords: 1 })
      expect((await finance.call('POST', path, { body: { amount: cny(3001), reason: 'over', refundKey: 'refund-over-1' } })).body.error.details.left).toBe(3000)
      const note = fake.refundNotification(orderNo, 'refund-pend-1')
      expect(note.refund_fee).toBe('70.00')
      expect((await send(t, note)).text).toBe('success')
      expect((await send(t, note)).text).toBe('success')
      expect(await effects(t, orderNo)).toMatchObject({ state: 'partially_refunded', refunded: 7000, refundRecords: 2 })

      // Refunded in Alipay's own dashboard meanwhile (its notification not here yet): Alipay
      // refuses more than is left there, and the request is failed, not recorded.
      fake.trades.get(orderNo)!.refunds.push({ outRequestNo: 'dashboard-1', amount: 1000, cumulative: 8000, gmtRefund: '2024-05-01 13:00:00' })
      const refused = await finance.call('POST', path, { body: { amount: cny(3000), reason: 'the rest', refundKey: 'refund-rest-1' } })
      expect(refused.status).toBe(503)
      expect(refused.body.error.message).toContain('ACQ.REASON_TRADE_REFUND_FEE_ERR')
      expect((await finance.call('GET', path)).body.refunds.at(-1)).toMatchObject({ refundKey: 'refund-rest-1', state: 'failed' })
      expect(await effects(t, orderNo)).toMatchObject({ refunded: 7000, refundRecords: 2 })
      expect(fake.trades.get(orderNo)!.refunds).toHaveLength(3)
      // The dashboard refund's notification (refund_fee 80.00) records its 10.00.
      expect((await send(t, fake.refundNotification(orderNo, 'dashboard-1'))).text).toBe('success')
      expect(await effects(t, orderNo)).toMatchObject({ refunded: 8000, refundRecords: 3 })
      expect(await recorded(t, orderNo)).toEqual([
        [`${tradeNo}:dashboard-1`, 1000],
        [`${tradeNo}:refund-fail-1`, 2000],
        [`${tradeNo}:refund-pend-1`, 5000]
      ])
    } finally {
      await fake.close()
    }
  })
})
