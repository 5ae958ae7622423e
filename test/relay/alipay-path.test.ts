import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseReturnUrlRule } from '../../src/relay/orders/return-urls'
import { auditReasons, effects } from './support/flows'
import { deviceCheckout, feedFor, plan, recharge } from './support/paths'
import { enrolDevice, startTestRelay, type TestRelay } from './support/relay'
import {
  generateAlipayKeys,
  signAlipayNotification,
  startFakeAlipayGateway,
  type AlipayTestKeys,
  type FakeAlipayGateway
} from './fakes/alipay'

// The real Alipay adapter (alipay-sdk against a fake OpenAPI gateway on 127.0.0.1; RSA2 keys
// generated here) through the running relay: a device's checkout (precreate QR, page pay
// URL), then form-encoded notifications POSTed to /v1/notify/alipay, answered exactly
// "success" only once the effect is durable.

const APP_ID = '2021000000000042'
let keys: AlipayTestKeys
let fake: FakeAlipayGateway

beforeAll(async () => {
  keys = generateAlipayKeys()
  fake = await startFakeAlipayGateway({ appId: APP_ID, appPublicKey: keys.appPublicKey, alipayPrivateKey: keys.alipayPrivateKey })
})
afterAll(() => fake.close())

async function setup(): Promise<{ t: TestRelay; token: string }> {
  const t = await startTestRelay({
    config: {
      // The page pay test sends the payer back to the app's own page.
      returnUrlAllowlist: [parseReturnUrlRule('https://app.example')],
      providerSources: {
        env: {
          ALIPAY_APP_ID: APP_ID,
          // As an operator pastes a PEM into one env line.
          ALIPAY_PRIVATE_KEY: keys.appPrivateKey.replace(/\n/g, '\\n'),
          ALIPAY_PUBLIC_KEY: keys.alipayPublicKey,
          ALIPAY_GATEWAY: fake.gateway,
          ALIPAY_NOTIFY_URL: 'https://relay.example.com/v1/notify/alipay'
        },
        file: {}
      }
    }
  })
  const dev = await enrolDevice(t.api)
  return { t, token: dev.token }
}

let seq = 0
function send(t: TestRelay, params: Record<string, string>, privateKey = keys.alipayPrivateKey) {
  const body = signAlipayNotification({ notify_id: `ntf-${++seq}`, ...params }, privateKey)
  return sendRaw(t, body)
}
function sendRaw(t: TestRelay, body: string) {
  return t.api('POST', '/v1/notify/alipay', {
    raw: body,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }
  })
}

const paidParams = (orderNo: string, totalAmount: string, over: Record<string, string> = {}) => ({
  app_id: APP_ID,
  out_trade_no: orderNo,
  trade_no: `2025011522001${orderNo.slice(-8)}`,
  trade_status: 'TRADE_SUCCESS',
  total_amount: totalAmount,
  receipt_amount: totalAmount,
  // A '%' in a signed value: checkNotifySign would decode it again and fail; V2 does not.
  subject: '基础版 季付 100%',
  gmt_payment: '2025-01-15 12:00:05',
  ...over
})

describe('Alipay through the relay', () => {
  it('precreates a QR at the relay price and fulfils a signed notification exactly once; forged, tampered, wrong amount, unknown order and a second payment are refused', async () => {
    const { t, token } = await setup()
    const { orderNo, amount, checkout } = await deviceCheckout(t, token, plan('alipay'))
    expect(amount).toBe(7900)
    expect(checkout.kind).toBe('qr')
    expect(checkout.content).toMatch(/^https:\/\/qr\.alipay\.com\//)
    const sent = fake.requests.find((r) => r.method === 'alipay.trade.precreate' && r.biz.out_trade_no === orderNo)!
    expect(sent.signatureValid).toBe(true)
    expect(sent.biz).toMatchObject({ total_amount: '79.00', out_trade_no: orderNo })
    expect(sent.params.notify_url).toBe('https://relay.example.com/v1/notify/alipay')

    const good = signAlipayNotification({ notify_id: 'ntf-pay-1', ...paidParams(orderNo, '79.00') }, keys.alipayPrivateKey)
    const first = await sendRaw(t, good)
    expect(first.status).toBe(200)
    expect(first.text).toBe('success') // exactly, nothing else
    expect(first.headers.get('content-type')).toMatch(/^text\/plain/)
    const afterPay = await effects(t, orderNo)
    expect(afterPay).toMatchObject({ state: 'paid', paymentRecords: 1, grants: 1 })

    // Alipay redelivers the same notification until it reads "success": one effect.
    expect((await sendRaw(t, good)).text).toBe('success')
    // TRADE_FINISHED later (the refund window closed) names the same trade_no: nothing new.
    expect((await send(t, paidParams(orderNo, '79.00', { trade_status: 'TRADE_FINISHED' }))).text).toBe('success')

    const forged = await send(t, paidParams(orderNo, '79.00'), generateAlipayKeys().alipayPrivateKey)
    expect([forged.status, forged.text]).toEqual([400, 'fail'])
    const tampered = signAlipayNotification({ notify_id: 'ntf-t', ...paidParams(orderNo, '79.00') }, keys.alipayPrivateKey).replace(
      'total_amount=79.00',
      'total_amount=7.90'
    )
    expect(tampered).toContain('total_amount=7.90')
    expect((await sendRaw(t, tampered)).status).toBe(400)
    const otherApp = await send(t, paidParams(orderNo, '79.00', { app_id: '2021000000000999' }))
    expect(otherApp.status).toBe(400)
    const wrongAmount = await send(t, paidParams(orderNo, '0.79'))
    expect([wrongAmount.status, wrongAmount.text]).toEqual([400, 'fail'])
    const unknown = await send(t, paidParams('R202501150009999999', '79.00'))
    expect(unknown.status).toBe(404)
    const secondPayment = await send(t, paidParams(orderNo, '79.00', { trade_no: '2025011522001499999999' }))
    expect([secondPayment.status, secondPayment.text]).toEqual([409, 'fail'])

    expect(await effects(t, orderNo)).toEqual(afterPay)
    expect((await auditReasons(t)).map((r) => `${r.outcome}:${r.reason ?? ''}`)).toEqual([
      'applied:',
      'duplicate:replayed_event_id',
      'duplicate:payment_already_recorded',
      'rejected:bad_signature',
      'rejected:bad_signature',
      'rejected:wrong_merchant',
      'rejected:amount_mismatch',
      'rejected:unknown_order',
      'rejected:forbidden_transition'
    ])
  })

  it('builds a signed page pay URL the gateway accepts', async () => {
    const { t, token } = await setup()
    const { orderNo, checkout } = await deviceCheckout(
      t,
      token,
      recharge('alipay', 3000, { mode: 'page', returnUrl: 'https://app.example/return' })
    )
    expect(checkout.kind).toBe('url')
    expect(checkout.content.startsWith(fake.gateway)).toBe(true)
    const page = await fetch(checkout.content)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain(orderNo)
    const seen = fake.requests.at(-1)!
    expect(seen).toMatchObject({ method: 'alipay.trade.page.pay', signatureValid: true })
    expect(seen.biz).toMatchObject({ out_trade_no: orderNo, total_amount: '30.00', product_code: 'FAST_INSTANT_TRADE_PAY' })
  })

  it('refund_fee is the running total: two partial refunds are not double counted, a redelivery adds nothing', async () => {
    const { t, token } = await setup()
    const { orderNo } = await deviceCheckout(t, token, recharge('alipay', 10_000))
    expect((await send(t, paidParams(orderNo, '100.00'))).text).toBe('success')
    expect(await effects(t, orderNo)).toMatchObject({ state: 'paid', wallet: 10_000 })

    const refund = (notifyId: string, refundFee: string, outBizNo: string, over: Record<string, string> = {}) =>
      signAlipayNotification(
        {
          notify_id: notifyId,
          ...paidParams(orderNo, '100.00'),
          refund_fee: refundFee,
          gmt_refund: '2025-01-16 10:00:00.123',
          out_biz_no: outBizNo,
          ...over
        },
        keys.alipayPrivateKey
      )
    // 20.00 refunded, then another 30.00: Alipay reports 20.00, then 50.00.
    const r1 = refund('ntf-r1', '20.00', 'RF1')
    expect((await sendRaw(t, r1)).text).toBe('success')
    expect((await sendRaw(t, refund('ntf-r2', '50.00', 'RF2'))).text).toBe('success')
    expect((await sendRaw(t, r1)).text).toBe('success') // redelivered late
    expect(await effects(t, orderNo)).toMatchObject({ state: 'partially_refunded', refunded: 5000, refundRecords: 2, wallet: 5000 })
    const refunds = feedFor(t, orderNo).filter((r) => r.type === 'refund').map((r) => r.data)
    const tradeNo = paidParams(orderNo, '100.00').trade_no
    expect(refunds.map((d) => [d.refundId, (d.amount as { amount: number }).amount, (d.totalRefunded as { amount: number }).amount])).toEqual([
      [`${tradeNo}:RF1`, 2000, 2000],
      [`${tradeNo}:RF2`, 3000, 5000]
    ])

    // The rest: TRADE_CLOSED with the full total.
    expect((await sendRaw(t, refund('ntf-r3', '100.00', 'RF3', { trade_status: 'TRADE_CLOSED' }))).text).toBe('success')
    expect(await effects(t, orderNo)).toMatchObject({ state: 'refunded', refunded: 10_000, refundRecords: 3, wallet: 0 })
    // A running total above the order amount is refused.
    const over = await sendRaw(t, refund('ntf-r4', '100.01', 'RF4'))
    expect([over.status, over.text]).toEqual([400, 'fail'])
  })

  it('two orders refunded with the same out_biz_no (unique only within a trade) are both recorded', async () => {
    const { t, token } = await setup()
    const a = await deviceCheckout(t, token, recharge('alipay', 10_000))
    const b = await deviceCheckout(t, token, recharge('alipay', 10_000))
    for (const o of [a, b]) expect((await send(t, paidParams(o.orderNo, '100.00'))).text).toBe('success')
    for (const o of [a, b]) {
      const r = await send(t, { ...paidParams(o.orderNo, '100.00'), refund_fee: '30.00', gmt_refund: '2025-01-16 10:00:00', out_biz_no: '1' })
      expect(r.text).toBe('success')
    }
    for (const o of [a, b]) expect(await effects(t, o.orderNo)).toMatchObject({ state: 'partially_refunded', refunded: 3000, refundRecords: 1 })
    expect((await effects(t, a.orderNo)).wallet).toBe(14_000)
  })

  it('TRADE_CLOSED of an unpaid order expires it; a refund before the payment is deferred for redelivery', async () => {
    const { t, token } = await setup()
    const a = await deviceCheckout(t, token, recharge('alipay', 1000))
    expect((await send(t, { app_id: APP_ID, out_trade_no: a.orderNo, trade_no: '2025011522001400000000000777', trade_status: 'TRADE_CLOSED' })).text).toBe(
      'success'
    )
    expect((await effects(t, a.orderNo)).state).toBe('expired')

    const b = await deviceCheckout(t, token, recharge('alipay', 2000))
    const early = signAlipayNotification(
      { notify_id: 'ntf-early', ...paidParams(b.orderNo, '20.00'), refund_fee: '5.00', gmt_refund: '2025-01-16 10:00:00', out_biz_no: 'RFE' },
      keys.alipayPrivateKey
    )
    const deferred = await sendRaw(t, early)
    expect([deferred.status, deferred.text]).toEqual([503, 'fail'])
    expect((await send(t, paidParams(b.orderNo, '20.00'))).text).toBe('success')
    expect((await sendRaw(t, early)).text).toBe('success')
    expect(await effects(t, b.orderNo)).toMatchObject({ state: 'partially_refunded', refunded: 500, wallet: 1500 })
  })
})

describe('Alipay notification logs', () => {
  it('name the field and the reason of a malformed or refused notification, never the value Alipay sent', async () => {
    const { t, token } = await setup()
    const { orderNo } = await deviceCheckout(t, token, plan('alipay'))
    // Each value carries a marker that must not reach a log line (nor the audit reason).
    const marker = 'ECHO<x>'
    const cases: [Record<string, string>, string][] = [
      [paidParams(orderNo, `12.34${marker}`), 'malformed'],
      [paidParams(orderNo, `-1${marker}`), 'malformed'],
      [paidParams(orderNo, '79.00', { refund_fee: `1${marker}`, out_biz_no: 'RF1' }), 'malformed'],
      [paidParams(orderNo, '79.00', { app_id: `2021${marker}` }), 'wrong_merchant'],
      [paidParams(orderNo, '79.00', { charset: `gbk${marker}` }), 'malformed']
    ]
    for (const [params, reason] of cases) {
      const res = await send(t, params)
      expect(res.status).toBe(400)
      const line = t.logs.filter((l) => l['msg'] === 'notification rejected').at(-1)!
      expect(line['reason']).toBe(reason)
    }
    // A trade status we do not know is ignored; its log line and audit row name no value either.
    expect((await send(t, paidParams(orderNo, '79.00', { trade_status: `ODD${marker}` }))).text).toBe('success')
    const sign = await send(t, paidParams(orderNo, '79.00', { sign_type: `RSA${marker}` }))
    expect(sign.status).toBe(400)

    const amountLine = t.logs.find((l) => l['msg'] === 'notification rejected' && String(l['detail']).includes('total_amount'))
    expect(amountLine?.['detail']).toMatch(/total_amount/)
    const leaked = t.logs.filter((l) => JSON.stringify(l).includes('ECHO'))
    expect(leaked).toEqual([])
    expect((await auditReasons(t)).filter((r) => (r.reason ?? '').includes('ECHO'))).toEqual([])
  })
})
