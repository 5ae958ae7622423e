import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  buildWechatNotification,
  generateWechatKeys,
  startFakeWechatPay,
  type FakeWechatPay,
  type FakeWechatRefund,
  type WechatTestKeys
} from '../fakes/wechat'
import { effects } from '../support/flows'
import { forEachStore } from '../support/pg'
import { enrolDevice, newKey, startTestRelay, type TestRelay } from '../support/relay'
import { addOperator, signIn, type ConsoleSession } from './support'

// Refunds from the console through WeChat Pay's 申请退款 (wechatpay-node-v3's refunds() against
// the fake API v3, signed both ways): out_refund_no is the refund key, never more than is left,
// recorded once whether the answer or the REFUND.SUCCESS notification comes first, a failed
// call retried by the same key, PROCESSING then its notification. On both stores.

const cny = (amount: number) => ({ amount, currency: 'CNY' })
const REFUNDS = '/v3/refund/domestic/refunds'

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

let seq = 0
function notify(t: TestRelay, eventType: string, resource: Record<string, unknown>) {
  const n = buildWechatNotification({
    eventType,
    resource,
    apiV3Key: keys.apiV3Key,
    platformPrivateKey: keys.platform.privateKey,
    platformSerial: keys.platform.serial,
    timestamp: Math.floor(t.clock.now() / 1000),
    id: `EV-R-${++seq}`
  })
  return t.api('POST', '/v1/notify/wechat', { raw: n.rawBody.toString('utf8'), headers: n.headers })
}

/** REFUND.SUCCESS as WeChat sends it for a refund the fake made. */
function refundSucceeded(t: TestRelay, r: FakeWechatRefund) {
  return notify(t, 'REFUND.SUCCESS', {
    mchid: keys.mchId,
    out_trade_no: r.out_trade_no,
    transaction_id: r.transaction_id,
    out_refund_no: r.out_refund_no,
    refund_id: r.refund_id,
    refund_status: 'SUCCESS',
    success_time: r.create_time,
    user_received_account: r.user_received_account,
    amount: { total: r.amount.total, refund: r.amount.refund, payer_total: r.amount.total, payer_refund: r.amount.refund }
  })
}

async function paidOrder(): Promise<{ t: TestRelay; orderNo: string; finance: ConsoleSession }> {
  fake.refundsAnswer('SUCCESS')
  const t = await startTestRelay({
    config: {
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
  const co = await t.api('POST', '/v1/checkouts', {
    token: dev.token,
    body: { provider: 'wechat', item: { kind: 'recharge', amount: cny(10_000) } },
    headers: { 'idempotency-key': newKey() }
  })
  expect(co.status, co.text).toBe(200)
  const orderNo = co.body.order.orderNo as string
  const paid = await notify(t, 'TRANSACTION.SUCCESS', {
    mchid: keys.mchId,
    appid: keys.appId,
    out_trade_no: orderNo,
    transaction_id: `4200000000${orderNo.slice(-12)}`,
    trade_type: 'NATIVE',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    success_time: '2025-01-15T12:00:05+08:00',
    payer: { openid: 'o-test' },
    amount: { total: 10_000, payer_total: 10_000, currency: 'CNY', payer_currency: 'CNY' }
  })
  expect(paid.status, paid.text).toBe(204)
  expect(await effects(t, orderNo)).toMatchObject({ state: 'paid' })
  await addOperator(t, 'finance@example.com', 'finance')
  return { t, orderNo, finance: await signIn(t, 'finance@example.com') }
}

const refundCalls = () => fake.requests.filter((r) => r.method === 'POST' && r.path === REFUNDS)

forEachStore('refunds from the console through WeChat Pay', (store) => {
  // One fake for both stores: out_refund_no is unique per merchant, so keys differ per store.
  const k = (name: string) => `${store}-${name}`
  it('refunds part then the rest, once per refund key (out_refund_no), never more than is left; the notification after the answer changes nothing', async () => {
    const { t, orderNo, finance } = await paidOrder()
    const before = refundCalls().length
    const path = `/v1/console/orders/${orderNo}/refunds`
    const first = await finance.call('POST', path, { body: { amount: cny(3000), reason: '直播中断 stream dropped', refundKey: k('wx-refund-0001') } })
    expect(first.status, first.text).toBe(200)
    expect(first.body.refund).toMatchObject({ state: 'succeeded', amount: cny(3000), requestedBy: 'finance@example.com' })
    const sent = refundCalls().slice(before)
    expect(sent).toHaveLength(1)
    expect(sent[0]!.authorized).toBe(true)
    expect(sent[0]!.body).toMatchObject({ out_trade_no: orderNo, out_refund_no: k('wx-refund-0001'), amount: { refund: 3000, total: 10_000, currency: 'CNY' } })
    const made = fake.refunds.get(k('wx-refund-0001'))!
    expect(first.body.refund.providerRefundId).toBe(made.refund_id)
    expect(await effects(t, orderNo)).toMatchObject({ state: 'partially_refunded', refunded: 3000, refundRecords: 1 })

    // Same key: the desk answers it without a second call.
    const again = await finance.call('POST', path, { body: { amount: cny(3000), reason: '直播中断 stream dropped', refundKey: k('wx-refund-0001') } })
    expect(again.body.refund.providerRefundId).toBe(made.refund_id)
    expect(refundCalls().length - before).toBe(1)
    // WeChat's REFUND.SUCCESS of that refund, after the answer: still one refund.
    expect((await refundSucceeded(t, made)).status).toBe(204)
    expect(await effects(t, orderNo)).toMatchObject({ refunded: 3000, refundRecords: 1 })

    const rest = await finance.call('POST', path, { body: { reason: '用户申请 customer asked', refundKey: k('wx-refund-0002') } })
    expect(rest.body.refund).toMatchObject({ state: 'succeeded', amount: cny(7000) })
    expect(await effects(t, orderNo)).toMatchObject({ state: 'refunded', refunded: 10_000, refundRecords: 2 })
    expect((await finance.call('POST', path, { body: { amount: cny(1), reason: 'again', refundKey: k('wx-refund-0003') } })).body.error.code).toBe('INVALID_TRANSITION')
    expect(refundCalls().length - before).toBe(2)
  })

  it('a refund the provider refuses (more than is left there) or fails is kept failed, no money moves, and is retried by the same key', async () => {
    const { t, orderNo, finance } = await paidOrder()
    const path = `/v1/console/orders/${orderNo}/refunds`
    fake.failNext(500, 'SYSTEM_ERROR', '系统错误')
    const failed = await finance.call('POST', path, { body: { amount: cny(2000), reason: 'duplicate charge', refundKey: k('wx-fail-1') } })
    expect(failed.status).toBe(503)
    const listed = (await finance.call('GET', path)).body.refunds[0]
    expect(listed).toMatchObject({ state: 'failed', error: expect.stringContaining('WeChat Pay: refund refused (500 SYSTEM_ERROR)') })
    expect(listed.error).not.toContain(keys.apiV3Key)
    expect(await effects(t, orderNo)).toMatchObject({ state: 'paid', refunded: 0 })
    const retried = await finance.call('POST', path, { body: { amount: cny(2000), reason: 'duplicate charge', refundKey: k('wx-fail-1') } })
    expect(retried.body.refund.state).toBe('succeeded')
    expect(fake.refunds.get(k('wx-fail-1'))!.amount.refund).toBe(2000)
    expect(await effects(t, orderNo)).toMatchObject({ refunded: 2000, refundRecords: 1 })

    // An answer not signed by the platform key is not trusted: failed, nothing recorded, though
    // WeChat made the refund; the same key then answers that very refund, recorded once.
    fake.signNextWith(keys.merchant.privateKey)
    const forged = await finance.call('POST', path, { body: { amount: cny(1000), reason: 'forged answer', refundKey: k('wx-forged-1') } })
    expect(forged.status).toBe(503)
    expect(await effects(t, orderNo)).toMatchObject({ refunded: 2000, refundRecords: 1 })
    const trusted = await finance.call('POST', path, { body: { amount: cny(1000), reason: 'forged answer', refundKey: k('wx-forged-1') } })
    expect(trusted.body.refund).toMatchObject({ state: 'succeeded', providerRefundId: fake.refunds.get(k('wx-forged-1'))!.refund_id })
    expect(await effects(t, orderNo)).toMatchObject({ refunded: 3000, refundRecords: 2 })

    // WeChat itself refuses beyond what is left (here: a refund made outside the relay first).
    const outside = await fetchRefundOutside(orderNo, k('outside-1'), 6000)
    expect(outside.status).toBe('SUCCESS')
    const refused = await finance.call('POST', path, { body: { amount: cny(2000), reason: 'too much there', refundKey: k('wx-over-1') } })
    expect(refused.status).toBe(503)
    expect((await finance.call('GET', path)).body.refunds.find((r: { refundKey: string }) => r.refundKey === k('wx-over-1'))).toMatchObject({
      state: 'failed',
      error: expect.stringContaining('INVALID_REQUEST')
    })
    expect(await effects(t, orderNo)).toMatchObject({ refunded: 3000, refundRecords: 2 })

    // ABNORMAL (the buyer's account cannot take it): an error, nothing recorded.
    fake.refundsAnswer('ABNORMAL')
    const abnormal = await finance.call('POST', path, { body: { amount: cny(500), reason: 'abnormal', refundKey: k('wx-abn-1') } })
    expect(abnormal.status).toBe(503)
    expect(await effects(t, orderNo)).toMatchObject({ refunded: 3000, refundRecords: 2 })
  })

  it('PROCESSING is pending until REFUND.SUCCESS; notification before the answer is recorded once too', async () => {
    const { t, orderNo, finance } = await paidOrder()
    const path = `/v1/console/orders/${orderNo}/refunds`
    fake.refundsAnswer('PROCESSING')
    const pending = await finance.call('POST', path, { body: { amount: cny(5000), reason: '退回银行卡 back to card', refundKey: k('wx-pend-1') } })
    expect(pending.body.refund.state).toBe('pending')
    expect(await effects(t, orderNo)).toMatchObject({ state: 'paid', refunded: 0 })
    expect((await finance.call('POST', path, { body: { amount: cny(5001), reason: 'over', refundKey: k('wx-over-1') } })).body.error.details.left).toBe(5000)
    const made = fake.refunds.get(k('wx-pend-1'))!
    expect(pending.body.refund.providerRefundId).toBe(made.refund_id)
    expect((await refundSucceeded(t, made)).status).toBe(204)
    expect((await refundSucceeded(t, made)).status).toBe(204)
    expect(await effects(t, orderNo)).toMatchObject({ state: 'partially_refunded', refunded: 5000, refundRecords: 1 })

    // Notification first: WeChat's REFUND.SUCCESS arrives, then the same key is asked again
    // (the desk's retry of a call whose answer was lost): WeChat answers the same refund.
    fake.refundsAnswer('SUCCESS')
    const early = await fetchRefundOutside(orderNo, k('wx-early-1'), 1000)
    expect((await refundSucceeded(t, early)).status).toBe(204)
    expect(await effects(t, orderNo)).toMatchObject({ refunded: 6000, refundRecords: 2 })
    const late = await finance.call('POST', path, { body: { amount: cny(1000), reason: 'answer after notification', refundKey: k('wx-early-1') } })
    expect(late.status, late.text).toBe(200)
    expect(late.body.refund).toMatchObject({ state: 'succeeded', providerRefundId: early.refund_id })
    expect(await effects(t, orderNo)).toMatchObject({ refunded: 6000, refundRecords: 2 })
  })
})

/**
 * A refund made at WeChat without the relay's desk (as the merchant platform would), through
 * the fake's real API with the SDK: signs like the adapter does.
 */
async function fetchRefundOutside(orderNo: string, outRefundNo: string, refund: number): Promise<FakeWechatRefund> {
  const { default: Pay } = await import('wechatpay-node-v3')
  const { WechatPayHttp } = await import('../../../src/relay/providers/wechat/http')
  const pay = new Pay({
    appid: keys.appId,
    mchid: keys.mchId,
    serial_no: keys.merchant.serial,
    publicKey: Buffer.from(keys.merchant.certificate),
    privateKey: Buffer.from(keys.merchant.privateKey)
  })
  // No platform key here: the answer is not verified (it throws); the fake's record is read.
  pay.createHttp(new WechatPayHttp({ baseUrl: fake.baseUrl, timeoutMs: 5000, platformKeys: [], toleranceSeconds: 300, now: () => relayClock!() }))
  await pay.refunds({ out_trade_no: orderNo, out_refund_no: outRefundNo, amount: { refund, total: 10_000, currency: 'CNY' } }).catch(() => undefined)
  const made = fake.refunds.get(outRefundNo)
  if (!made) throw new Error(`no refund ${outRefundNo}`)
  return made
}
