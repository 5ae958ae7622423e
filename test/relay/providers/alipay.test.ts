import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/node/clock'
import { createAlipayProvider, alipayConfigSchema, type AlipayConfig } from '../../../src/relay/providers/alipay'
import { toBeijingTime } from '../../../src/relay/providers/alipay/time'
import { NotificationRejected, type PaymentProvider } from '../../../src/relay/providers/types'
import { BillingError } from '../../../src/shared/errors'
import { money, parseMoney } from '../../../src/shared/money'
import {
  generateAlipayKeys,
  signAlipayNotification,
  startFakeAlipayGateway,
  type AlipayTestKeys,
  type FakeAlipayGateway
} from '../fakes/alipay'

const APP_ID = '2021000000000001'
const NOW = Date.UTC(2024, 4, 1, 4, 0, 0) // 2024-05-01 12:00:00 Beijing

let keys: AlipayTestKeys
let fake: FakeAlipayGateway
let config: AlipayConfig
let provider: PaymentProvider
const clock = new ManualClock(NOW)

beforeAll(async () => {
  keys = generateAlipayKeys()
  fake = await startFakeAlipayGateway({
    appId: APP_ID,
    appPublicKey: keys.appPublicKey,
    alipayPrivateKey: keys.alipayPrivateKey
  })
  config = alipayConfigSchema.parse({
    appId: APP_ID,
    privateKey: keys.appPrivateKey,
    alipayPublicKey: keys.alipayPublicKey,
    gateway: fake.gateway,
    notifyUrl: 'https://relay.example.com/notify/alipay'
  })
  provider = createAlipayProvider(config, { clock })
})

afterAll(async () => {
  await fake.close()
})

function checkoutRequest(over: Partial<Parameters<PaymentProvider['createCheckout']>[0]> = {}) {
  return {
    orderNo: `ORD${Math.random().toString(36).slice(2, 10)}`,
    amount: money(1234, 'CNY'),
    subject: 'Wallet top-up',
    expiresAt: NOW + 15 * 60_000,
    ...over
  }
}

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (err) {
    if (err instanceof NotificationRejected) return err.reason
    throw err
  }
  throw new Error('expected the notification to be rejected')
}

function notify(body: string) {
  return provider.verifyNotification({
    rawBody: Buffer.from(body),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    receivedAt: NOW
  })
}

const paid = {
  app_id: APP_ID,
  notify_id: 'n-1',
  out_trade_no: 'ORD1',
  trade_no: '2024050122001400000000000001',
  trade_status: 'TRADE_SUCCESS',
  total_amount: '123.45',
  gmt_payment: '2024-05-01 11:59:30',
  subject: 'Wallet top-up',
  seller_id: '2088000000000001'
}

describe('alipay createCheckout through alipay-sdk against the fake gateway', () => {
  it('precreate returns the QR code; the gateway got a valid RSA2 request with the exact yuan amount', async () => {
    const req = checkoutRequest()
    const before = fake.requests.length
    const checkout = await provider.createCheckout(req)
    expect(checkout.kind).toBe('qr')
    expect(checkout.content).toMatch(/^https:\/\/qr\.alipay\.com\/bax0/)
    expect(checkout.expiresAt).toBe(req.expiresAt)
    const sent = fake.requests.slice(before)
    expect(sent).toHaveLength(1)
    expect(sent[0]!.signatureValid).toBe(true)
    expect(sent[0]!.method).toBe('alipay.trade.precreate')
    expect(sent[0]!.params.notify_url).toBe(config.notifyUrl)
    expect(sent[0]!.biz).toMatchObject({
      out_trade_no: req.orderNo,
      total_amount: '12.34',
      time_expire: '2024-05-01 12:15:00'
    })
  })

  it('sends every amount as its exact decimal string, never through a float', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 10_000_000_000 }), async (fen) => {
        const before = fake.requests.length
        await provider.createCheckout(checkoutRequest({ amount: money(fen, 'CNY') }))
        const sent = String(fake.requests[before]!.biz.total_amount)
        expect(sent).toMatch(/^\d+\.\d{2}$/)
        expect(parseMoney(sent, 'CNY').amount).toBe(fen)
      }),
      { numRuns: 25 }
    )
  })

  it("page mode returns a signed alipay.trade.page.pay URL the gateway accepts", async () => {
    const req = checkoutRequest({ mode: 'page', returnUrl: 'https://app.example.com/paid' })
    const checkout = await provider.createCheckout(req)
    expect(checkout.kind).toBe('url')
    expect(checkout.content.startsWith(fake.gateway)).toBe(true)
    const res = await fetch(checkout.content)
    expect(res.status).toBe(200)
    const seen = fake.requests.at(-1)!
    expect(seen.method).toBe('alipay.trade.page.pay')
    expect(seen.signatureValid).toBe(true)
    expect(seen.params.return_url).toBe('https://app.example.com/paid')
    expect(seen.biz).toMatchObject({
      out_trade_no: req.orderNo,
      total_amount: '12.34',
      product_code: 'FAST_INSTANT_TRADE_PAY'
    })
  })

  it('wap mode returns a signed alipay.trade.wap.pay URL with quit_url', async () => {
    const req = checkoutRequest({ mode: 'wap', cancelUrl: 'https://app.example.com/cancel' })
    const checkout = await provider.createCheckout(req)
    const res = await fetch(checkout.content)
    expect(res.status).toBe(200)
    const seen = fake.requests.at(-1)!
    expect(seen.method).toBe('alipay.trade.wap.pay')
    expect(seen.signatureValid).toBe(true)
    expect(seen.biz).toMatchObject({ product_code: 'QUICK_WAP_WAY', quit_url: 'https://app.example.com/cancel' })
  })

  it('a business error from the gateway becomes UNAVAILABLE', async () => {
    fake.failNext({ code: '40004', msg: 'Business Failed', sub_code: 'ACQ.TRADE_HAS_SUCCESS' })
    const err = await provider.createCheckout(checkoutRequest()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BillingError)
    expect((err as BillingError).code).toBe('UNAVAILABLE')
    expect((err as BillingError).message).toContain('ACQ.TRADE_HAS_SUCCESS')
  })

  it('a response not signed by the configured Alipay key is refused', async () => {
    const impostorKeys = generateAlipayKeys()
    const impostor = await startFakeAlipayGateway({
      appId: APP_ID,
      appPublicKey: keys.appPublicKey,
      alipayPrivateKey: impostorKeys.alipayPrivateKey
    })
    try {
      const p = createAlipayProvider({ ...config, gateway: impostor.gateway }, { clock })
      const err = await p.createCheckout(checkoutRequest()).catch((e: unknown) => e)
      expect((err as BillingError).code).toBe('UNAVAILABLE')
      expect(impostor.requests).toHaveLength(1)
    } finally {
      await impostor.close()
    }
  })

  it('refuses a non-CNY amount or a past expiry without calling Alipay', async () => {
    const before = fake.requests.length
    await expect(provider.createCheckout(checkoutRequest({ amount: money(100, 'USD') }))).rejects.toMatchObject({
      code: 'CURRENCY_MISMATCH'
    })
    await expect(provider.createCheckout(checkoutRequest({ expiresAt: NOW - 1 }))).rejects.toMatchObject({
      code: 'INVALID_INPUT'
    })
    expect(fake.requests.length).toBe(before)
  })

  it('formats time_expire in Beijing time', () => {
    expect(toBeijingTime(Date.UTC(2024, 11, 31, 16, 30, 5))).toBe('2025-01-01 00:30:05')
  })
})

describe('alipay closeCheckout (a cancelled order)', () => {
  it('closes the trade with alipay.trade.close; a trade Alipay does not have is refused with its code', async () => {
    const req = checkoutRequest()
    await provider.createCheckout(req)
    await provider.closeCheckout!({ orderNo: req.orderNo, providerRef: req.orderNo })
    const sent = fake.requests.at(-1)!
    expect(sent).toMatchObject({ method: 'alipay.trade.close', signatureValid: true, biz: { out_trade_no: req.orderNo } })
    expect(fake.trades.get(req.orderNo)!.closed).toBe(true)
    await expect(provider.closeCheckout!({ orderNo: 'ORDnever', providerRef: null })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { orderNo: 'ORDnever', subCode: 'ACQ.TRADE_NOT_EXIST' }
    })
    await expect(provider.closeCheckout!({ orderNo: req.orderNo, providerRef: req.orderNo })).rejects.toMatchObject({ details: { subCode: 'ACQ.TRADE_STATUS_ERROR' } })
  })
})

describe('alipay verifyNotification', () => {
  it('accepts a valid TRADE_SUCCESS and reads the amount exactly', async () => {
    const events = await notify(signAlipayNotification(paid, keys.alipayPrivateKey))
    expect(events).toEqual([
      {
        type: 'payment.succeeded',
        eventId: 'n-1',
        orderNo: 'ORD1',
        providerPaymentId: paid.trade_no,
        amount: { amount: 12345, currency: 'CNY' },
        occurredAt: Date.UTC(2024, 4, 1, 3, 59, 30)
      }
    ])
  })

  it("accepts values containing '%' (checkNotifySignV2 does not decode twice)", async () => {
    const body = signAlipayNotification(
      { ...paid, subject: '100% 充值 %E4 50%off', body: 'a+b=c&d' },
      keys.alipayPrivateKey
    )
    const events = await notify(body)
    expect(events[0]!.type).toBe('payment.succeeded')
  })

  it('TRADE_FINISHED is a payment; TRADE_CLOSED is an expiry; WAIT_BUYER_PAY is ignored', async () => {
    const finished = await notify(signAlipayNotification({ ...paid, trade_status: 'TRADE_FINISHED' }, keys.alipayPrivateKey))
    expect(finished[0]!.type).toBe('payment.succeeded')
    const closed = await notify(
      signAlipayNotification(
        { ...paid, notify_id: 'n-c', trade_status: 'TRADE_CLOSED', gmt_close: '2024-05-01 12:10:00' },
        keys.alipayPrivateKey
      )
    )
    expect(closed).toEqual([
      { type: 'checkout.expired', eventId: 'n-c', orderNo: 'ORD1', occurredAt: Date.UTC(2024, 4, 1, 4, 10, 0) }
    ])
    const waiting = await notify(signAlipayNotification({ ...paid, trade_status: 'WAIT_BUYER_PAY' }, keys.alipayPrivateKey))
    expect(waiting[0]!.type).toBe('ignored')
  })

  it('a refund notification becomes refund.succeeded with refund_fee, its id trade_no:out_biz_no', async () => {
    const partial = await notify(
      signAlipayNotification(
        { ...paid, notify_id: 'n-r1', refund_fee: '20.05', gmt_refund: '2024-05-02 10:00:00.123', out_biz_no: 'RF1' },
        keys.alipayPrivateKey
      )
    )
    expect(partial).toEqual([
      {
        type: 'refund.succeeded',
        eventId: 'n-r1',
        orderNo: 'ORD1',
        refundId: `${paid.trade_no}:RF1`,
        amount: { amount: 2005, currency: 'CNY' },
        cumulative: { amount: 2005, currency: 'CNY' },
        occurredAt: Date.UTC(2024, 4, 2, 2, 0, 0, 123)
      }
    ])
    const full = await notify(
      signAlipayNotification(
        { ...paid, notify_id: 'n-r2', trade_status: 'TRADE_CLOSED', refund_fee: '123.45', gmt_refund: '2024-05-02 10:00:00', out_biz_no: 'RF2' },
        keys.alipayPrivateKey
      )
    )
    expect(full[0]).toMatchObject({ type: 'refund.succeeded', refundId: `${paid.trade_no}:RF2`, cumulative: { amount: 12345 } })
    const zeroFee = await notify(signAlipayNotification({ ...paid, refund_fee: '0.00' }, keys.alipayPrivateKey))
    expect(zeroFee[0]!.type).toBe('payment.succeeded')
  })

  it('rejects a signature made with another key', async () => {
    const other = generateAlipayKeys()
    expect(await reason(notify(signAlipayNotification(paid, other.alipayPrivateKey)))).toBe('bad_signature')
  })

  it('rejects a body tampered after signing', async () => {
    const body = signAlipayNotification(paid, keys.alipayPrivateKey).replace('total_amount=123.45', 'total_amount=1234.50')
    expect(body).toContain('total_amount=1234.50')
    expect(await reason(notify(body))).toBe('bad_signature')
  })

  it('rejects a missing signature and a downgrade to sign_type RSA', async () => {
    const params = new URLSearchParams(signAlipayNotification(paid, keys.alipayPrivateKey))
    params.delete('sign')
    expect(await reason(notify(params.toString()))).toBe('missing_signature')
    const downgraded = new URLSearchParams(signAlipayNotification(paid, keys.alipayPrivateKey))
    downgraded.set('sign_type', 'RSA')
    expect(await reason(notify(downgraded.toString()))).toBe('bad_signature')
  })

  it('rejects a validly signed notification for another app or seller', async () => {
    const body = signAlipayNotification({ ...paid, app_id: '2021000000000999' }, keys.alipayPrivateKey)
    expect(await reason(notify(body))).toBe('wrong_merchant')
    const strict = createAlipayProvider({ ...config, sellerId: '2088000000000002' }, { clock })
    const rejected = strict.verifyNotification({
      rawBody: Buffer.from(signAlipayNotification(paid, keys.alipayPrivateKey)),
      headers: {},
      receivedAt: NOW
    })
    expect(await reason(rejected)).toBe('wrong_merchant')
  })

  it('rejects malformed bodies', async () => {
    expect(await reason(notify(''))).toBe('malformed')
    const dup = `${signAlipayNotification(paid, keys.alipayPrivateKey)}&out_trade_no=ORD2`
    expect(await reason(notify(dup))).toBe('malformed')
    const badAmount = signAlipayNotification({ ...paid, total_amount: '12.345' }, keys.alipayPrivateKey)
    expect(await reason(notify(badAmount))).toBe('malformed')
    const negative = signAlipayNotification({ ...paid, total_amount: '-1.00' }, keys.alipayPrivateKey)
    expect(await reason(notify(negative))).toBe('malformed')
    const { notify_id: _drop, ...noId } = paid
    const body = new URLSearchParams(signAlipayNotification(noId, keys.alipayPrivateKey))
    body.delete('notify_id')
    expect(await reason(notify(body.toString()))).toBe('bad_signature')
    const signedWithoutId = signAlipayNotification({ ...noId, notify_id: '' }, keys.alipayPrivateKey)
    expect(await reason(notify(signedWithoutId))).toBe('malformed')
    const gbk = signAlipayNotification({ ...paid, charset: 'gbk' }, keys.alipayPrivateKey)
    expect(await reason(notify(gbk))).toBe('malformed')
    expect(await reason(notify('\u0000\u0001garbage'))).toBe('missing_signature')
  })

  it('answers exactly "success", and "fail" to make Alipay retry', () => {
    expect(provider.accepted()).toMatchObject({ status: 200, body: 'success' })
    expect(provider.accepted().contentType).toMatch(/^text\/plain/)
    expect(provider.rejected('order unknown').body).toBe('fail')
    expect(provider.rejected('db busy', 503).status).toBe(503)
  })
})

describe('alipay refund (alipay.trade.refund) against the fake gateway', () => {
  async function paidTrade(amount: number) {
    const req = checkoutRequest({ amount: money(amount, 'CNY') })
    await provider.createCheckout(req)
    const trade = fake.trades.get(req.orderNo)!
    const refundReq = (refundKey: string, cents: number) => ({
      orderNo: req.orderNo,
      providerPaymentId: trade.tradeNo,
      refundKey,
      amount: money(cents, 'CNY'),
      orderAmount: money(amount, 'CNY'),
      reason: '直播中断 stream dropped'
    })
    return { orderNo: req.orderNo, trade, refundReq }
  }

  it("answers the refundId the refund notification maps to, refund_fee as cumulative, amounts as exact yuan strings", async () => {
    const { orderNo, trade, refundReq } = await paidTrade(12345)
    const first = await provider.refund!(refundReq('RK-00000001', 1))
    expect(fake.requests.at(-1)).toMatchObject({ method: 'alipay.trade.refund', signatureValid: true })
    expect(fake.requests.at(-1)!.biz).toMatchObject({ refund_amount: '0.01', out_request_no: 'RK-00000001', trade_no: trade.tradeNo, out_trade_no: orderNo })
    expect(first).toEqual({ refundId: `${trade.tradeNo}:RK-00000001`, status: 'succeeded', amount: money(1, 'CNY'), cumulative: money(1, 'CNY') })
    const second = await provider.refund!(refundReq('RK-00000002', 12300))
    expect(second).toMatchObject({ status: 'succeeded', amount: money(12300, 'CNY'), cumulative: money(12301, 'CNY') })
    for (const [key, answer] of [['RK-00000001', first], ['RK-00000002', second]] as const) {
      const events = await notify(signAlipayNotification(fake.refundNotification(orderNo, key), keys.alipayPrivateKey))
      expect(events[0]).toMatchObject({ type: 'refund.succeeded', refundId: answer.refundId })
    }
    // A repeat of out_request_no moves no money: fund_change N, pending (the notification tells).
    expect(await provider.refund!(refundReq('RK-00000001', 1))).toMatchObject({ status: 'pending', refundId: first.refundId })
    expect(trade.refunds).toHaveLength(2)
  })

  it('a refusal (more than is left, unknown trade) is UNAVAILABLE with the sub_code; a non-CNY amount is refused without a call', async () => {
    const { trade, refundReq } = await paidTrade(1000)
    const over = await provider.refund!(refundReq('RK-over-0001', 1001)).catch((e: unknown) => e)
    expect(over).toBeInstanceOf(BillingError)
    expect(over).toMatchObject({ code: 'UNAVAILABLE', message: 'Alipay: refund refused: 40004 ACQ.REASON_TRADE_REFUND_FEE_ERR' })
    const unknown = await provider.refund!({ ...refundReq('RK-unkn-0001', 1), providerPaymentId: '2024050122001499999999999999' }).catch((e: unknown) => e)
    expect(unknown).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('ACQ.TRADE_NOT_EXIST') })
    const calls = fake.requests.length
    await expect(provider.refund!({ ...refundReq('RK-usd-00001', 1), amount: money(1, 'USD') })).rejects.toMatchObject({ code: 'CURRENCY_MISMATCH' })
    await expect(provider.refund!(refundReq('K'.repeat(65), 1))).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    expect(fake.requests.length).toBe(calls)
    expect(trade.refunds).toHaveLength(0)
  })
})
