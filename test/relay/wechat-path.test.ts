import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditReasons, effects } from './support/flows'
import { deviceCheckout, feedFor, plan, recharge } from './support/paths'
import { enrolDevice, startTestRelay, type TestRelay } from './support/relay'
import {
  buildWechatNotification,
  generateCertKey,
  generateWechatKeys,
  startFakeWechatPay,
  type FakeWechatPay,
  type WechatNotificationOptions,
  type WechatTestKeys
} from './fakes/wechat'

// The real WeChat Pay adapter (wechatpay-node-v3's transactions_native through the injected
// http service, against a fake API v3 on 127.0.0.1; merchant and platform certificates made
// here) through the running relay: Native code_url for a device's checkout, then v3
// notifications (SHA256withRSA over the raw body, AEAD_AES_256_GCM resource) POSTed to
// /v1/notify/wechat: 204 once durable, otherwise an error status with {"code":"FAIL"}.

let keys: WechatTestKeys
let fake: FakeWechatPay
// openssl makes certificates valid from their real creation time: the relay clock starts then.
let NOW_S = 0
let relayClock: (() => number) | undefined

beforeAll(async () => {
  keys = generateWechatKeys()
  NOW_S = Math.ceil(Date.now() / 1000) + 1
  fake = await startFakeWechatPay({
    mchId: keys.mchId,
    appId: keys.appId,
    merchantCertificate: keys.merchant.certificate,
    merchantSerial: keys.merchant.serial,
    platformPrivateKey: keys.platform.privateKey,
    platformSerial: keys.platform.serial,
    now: () => relayClock?.() ?? NOW_S * 1000
  })
})
afterAll(() => fake.close())

async function setup(): Promise<{ t: TestRelay; token: string }> {
  // The refund test lists the feed's records: invoices (with credit notes) are off here.
  const t = await startTestRelay({
    config: {
      invoicing: { enabled: false, timeZone: 'Asia/Shanghai', seller: { name: 'x' } },
      providerSources: {
        env: {
          WECHATPAY_APP_ID: keys.appId,
          WECHATPAY_MCH_ID: keys.mchId,
          WECHATPAY_PRIVATE_KEY: keys.merchant.privateKey,
          WECHATPAY_CERTIFICATE: keys.merchant.certificate,
          WECHATPAY_API_V3_KEY: keys.apiV3Key,
          WECHATPAY_PLATFORM_CERTIFICATE: keys.platform.certificate,
          WECHATPAY_NOTIFY_URL: 'https://relay.example.com/v1/notify/wechat',
          WECHATPAY_BASE_URL: fake.baseUrl
        },
        file: {}
      }
    }
  })
  t.clock.set(NOW_S * 1000)
  relayClock = () => t.clock.now()
  const dev = await enrolDevice(t.api)
  return { t, token: dev.token }
}

const transaction = (orderNo: string, total: number, over: Record<string, unknown> = {}) => ({
  mchid: keys.mchId,
  appid: keys.appId,
  out_trade_no: orderNo,
  transaction_id: `42000000002025011500${orderNo.slice(-8)}`,
  trade_type: 'NATIVE',
  trade_state: 'SUCCESS',
  trade_state_desc: '支付成功',
  success_time: '2025-01-15T12:00:05+08:00',
  payer: { openid: 'o-test' },
  amount: { total, payer_total: total, currency: 'CNY', payer_currency: 'CNY' },
  ...over
})

const refundResource = (orderNo: string, refundId: string, refund: number, total: number) => ({
  mchid: keys.mchId,
  out_trade_no: orderNo,
  transaction_id: `42000000002025011500${orderNo.slice(-8)}`,
  out_refund_no: `out-${refundId}`,
  refund_id: refundId,
  refund_status: 'SUCCESS',
  success_time: '2025-01-16T10:00:00+08:00',
  amount: { total, refund, payer_total: total, payer_refund: refund }
})

let seq = 0
function notification(t: TestRelay, resource: Record<string, unknown>, over: Partial<WechatNotificationOptions> = {}) {
  return buildWechatNotification({
    eventType: 'TRANSACTION.SUCCESS',
    resource,
    apiV3Key: keys.apiV3Key,
    platformPrivateKey: keys.platform.privateKey,
    platformSerial: keys.platform.serial,
    timestamp: Math.floor(t.clock.now() / 1000),
    id: `EV-${++seq}`,
    ...over
  })
}

function post(t: TestRelay, n: { rawBody: Buffer; headers: Record<string, string> }, body: string = n.rawBody.toString('utf8')) {
  return t.api('POST', '/v1/notify/wechat', { raw: body, headers: n.headers })
}

function expectFail(r: { status: number; body: unknown }, status: number) {
  expect(r.status).toBe(status)
  expect(r.body).toMatchObject({ code: 'FAIL', message: expect.any(String) })
}

describe('WeChat Pay through the relay', () => {
  it('Native code_url at the relay price; a v3 notification is applied once; forged, tampered, stale, wrong amount and forbidden ones are refused', async () => {
    const { t, token } = await setup()
    const { orderNo, amount, checkout } = await deviceCheckout(t, token, plan('wechat', 'PREMIUM', 'monthly'))
    expect(amount).toBe(5900)
    expect(checkout.kind).toBe('qr')
    expect(checkout.content).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/)
    const sent = fake.requests.find((r) => r.body.out_trade_no === orderNo)!
    expect(sent).toMatchObject({ authorized: true, path: '/v3/pay/transactions/native' })
    expect(sent.body).toMatchObject({ amount: { total: 5900, currency: 'CNY' }, notify_url: 'https://relay.example.com/v1/notify/wechat' })

    const good = notification(t, transaction(orderNo, 5900))
    const first = await post(t, good)
    expect([first.status, first.text]).toEqual([204, ''])
    const afterPay = await effects(t, orderNo)
    expect(afterPay).toMatchObject({ state: 'paid', paymentRecords: 1, grants: 1 })
    expect((await post(t, good)).status).toBe(204) // redelivered: no second effect

    // Signed by a key that is not the platform's, under the platform serial.
    const impostor = generateCertKey('impostor')
    expectFail(await post(t, notification(t, transaction(orderNo, 5900), { platformPrivateKey: impostor.privateKey })), 400)
    // Body edited after signing.
    const edited = good.rawBody.toString('utf8').replace('"event_type":"TRANSACTION.SUCCESS"', '"event_type":"TRANSACTION.SUCCESS" ')
    expectFail(await post(t, good, edited), 400)
    // A signed envelope whose ciphertext does not authenticate: one flipped byte, or another APIv3 key.
    const flipped = notification(t, transaction(orderNo, 5900), {
      beforeSign: (e) => {
        const buf = Buffer.from(e.resource.ciphertext, 'base64')
        buf[3] = buf[3]! ^ 0x01
        e.resource.ciphertext = buf.toString('base64')
      }
    })
    expectFail(await post(t, flipped), 400)
    expectFail(await post(t, notification(t, transaction(orderNo, 5900), { apiV3Key: randomBytes(16).toString('hex') })), 400)
    // Outside the timestamp window (signed 10 minutes ago), and a serial the relay does not trust.
    expectFail(await post(t, notification(t, transaction(orderNo, 5900), { timestamp: Math.floor(t.clock.now() / 1000) - 600 })), 400)
    expectFail(await post(t, notification(t, transaction(orderNo, 5900), { platformSerial: 'ABCDEF0123' })), 400)
    // Authentic, but for another merchant.
    expectFail(await post(t, notification(t, transaction(orderNo, 5900, { mchid: '1900000999' }))), 400)
    // Authentic, but wrong amount / unknown order / a second, different payment.
    const other = await deviceCheckout(t, token, recharge('wechat', 1000))
    expectFail(await post(t, notification(t, transaction(other.orderNo, 100))), 400)
    expectFail(await post(t, notification(t, transaction('R202501150000999999', 1000))), 404)
    expectFail(await post(t, notification(t, transaction(orderNo, 5900, { transaction_id: '4200000000202501159999999999' }))), 409)

    expect(await effects(t, orderNo)).toEqual(afterPay)
    expect(await effects(t, other.orderNo)).toMatchObject({ state: 'pending', paymentRecords: 0, wallet: 0 })
    expect((await auditReasons(t)).map((r) => `${r.outcome}:${r.reason ?? ''}`)).toEqual([
      'applied:',
      'duplicate:replayed_event_id',
      'rejected:bad_signature',
      'rejected:bad_signature',
      'rejected:decryption_failed',
      'rejected:decryption_failed',
      'rejected:timestamp_out_of_window',
      'rejected:untrusted_certificate',
      'rejected:wrong_merchant',
      'rejected:amount_mismatch',
      'rejected:unknown_order',
      'rejected:forbidden_transition'
    ])
  })

  it('refunds: each REFUND.SUCCESS carries its own amount; partial then full, redeliveries change nothing', async () => {
    const { t, token } = await setup()
    const { orderNo } = await deviceCheckout(t, token, recharge('wechat', 8000))
    expect((await post(t, notification(t, transaction(orderNo, 8000)))).status).toBe(204)
    const r1 = notification(t, refundResource(orderNo, '50300000001', 3000, 8000), { eventType: 'REFUND.SUCCESS' })
    expect((await post(t, r1)).status).toBe(204)
    expect((await post(t, r1)).status).toBe(204)
    expect(await effects(t, orderNo)).toMatchObject({ state: 'partially_refunded', refunded: 3000, refundRecords: 1, wallet: 5000 })
    // The same refund again under a new notification id: recognised by refund_id.
    expect((await post(t, notification(t, refundResource(orderNo, '50300000001', 3000, 8000), { eventType: 'REFUND.SUCCESS' }))).status).toBe(204)
    expect((await post(t, notification(t, refundResource(orderNo, '50300000002', 5000, 8000), { eventType: 'REFUND.SUCCESS' }))).status).toBe(204)
    expect(await effects(t, orderNo)).toMatchObject({ state: 'refunded', refunded: 8000, refundRecords: 2, wallet: 0 })
    // More than was paid: refused.
    expectFail(await post(t, notification(t, refundResource(orderNo, '50300000003', 1, 8000), { eventType: 'REFUND.SUCCESS' })), 400)
    expect(feedFor(t, orderNo).map((r) => r.type).filter((type) => type !== 'notice')).toEqual(['payment_confirmed', 'refund', 'refund'])
  })

  it('CLOSED expires a pending order, PAYERROR fails it; a payment arriving afterwards is still recorded', async () => {
    const { t, token } = await setup()
    const a = await deviceCheckout(t, token, recharge('wechat', 1000))
    expect((await post(t, notification(t, transaction(a.orderNo, 1000, { trade_state: 'CLOSED' }), { eventType: 'TRANSACTION.CLOSED' }))).status).toBe(204)
    expect((await effects(t, a.orderNo)).state).toBe('expired')
    const b = await deviceCheckout(t, token, recharge('wechat', 2000))
    expect((await post(t, notification(t, transaction(b.orderNo, 2000, { trade_state: 'PAYERROR' })))).status).toBe(204)
    expect((await effects(t, b.orderNo)).state).toBe('failed')
    expect((await post(t, notification(t, transaction(b.orderNo, 2000)))).status).toBe(204)
    expect(await effects(t, b.orderNo)).toMatchObject({ state: 'paid', wallet: 2000 })
  })
})
