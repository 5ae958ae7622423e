import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/node/clock'
import {
  createWechatProvider,
  toWechatTime,
  wechatConfigSchema,
  type WechatConfig
} from '../../../src/relay/providers/wechat'
import { NotificationRejected, type CheckoutRequest, type PaymentProvider } from '../../../src/relay/providers/types'
import { BillingError } from '../../../src/shared/errors'
import { money } from '../../../src/shared/money'
import {
  buildWechatNotification,
  encryptWechatResource,
  generateCertKey,
  generateWechatKeys,
  signWechatMessage,
  startFakeWechatPay,
  type FakeWechatPay,
  type WechatNotificationOptions,
  type WechatTestKeys
} from '../fakes/wechat'

// openssl makes the test certificates valid from the real time of their creation, so the
// fixed clock is set once they exist (beforeAll), then never moves.
let NOW = 0
let NOW_S = 0
const clock = new ManualClock(0)

let keys: WechatTestKeys
let fake: FakeWechatPay
let config: WechatConfig
let provider: PaymentProvider

beforeAll(async () => {
  keys = generateWechatKeys()
  NOW_S = Math.ceil(Date.now() / 1000)
  NOW = NOW_S * 1000
  clock.set(NOW)
  fake = await startFakeWechatPay({
    mchId: keys.mchId,
    appId: keys.appId,
    merchantCertificate: keys.merchant.certificate,
    merchantSerial: keys.merchant.serial,
    platformPrivateKey: keys.platform.privateKey,
    platformSerial: keys.platform.serial,
    now: () => clock.now()
  })
  config = wechatConfigSchema.parse({
    appId: keys.appId,
    mchId: keys.mchId,
    merchantPrivateKey: keys.merchant.privateKey,
    merchantCertificate: keys.merchant.certificate,
    apiV3Key: keys.apiV3Key,
    platformCertificate: keys.platform.certificate,
    notifyUrl: 'https://relay.example.com/notify/wechat',
    baseUrl: fake.baseUrl
  })
  provider = createWechatProvider(config, { clock })
})

afterAll(async () => {
  await fake.close()
})

function checkoutRequest(over: Partial<CheckoutRequest> = {}): CheckoutRequest {
  return {
    orderNo: `ORD${randomBytes(5).toString('hex')}`,
    amount: money(1234, 'CNY'),
    subject: '钱包充值',
    expiresAt: NOW + 15 * 60_000,
    ...over
  }
}

const transaction = () => ({
  mchid: keys.mchId,
  appid: keys.appId,
  out_trade_no: 'ORD1',
  transaction_id: '4200000000202405010000000001',
  trade_type: 'NATIVE',
  trade_state: 'SUCCESS',
  trade_state_desc: '支付成功',
  success_time: '2024-05-01T12:00:00+08:00',
  payer: { openid: 'o-test' },
  amount: { total: 1234, payer_total: 1234, currency: 'CNY', payer_currency: 'CNY' }
})

function notification(over: Partial<WechatNotificationOptions> = {}) {
  return buildWechatNotification({
    eventType: 'TRANSACTION.SUCCESS',
    resource: transaction(),
    apiV3Key: keys.apiV3Key,
    platformPrivateKey: keys.platform.privateKey,
    platformSerial: keys.platform.serial,
    timestamp: NOW_S,
    id: 'EV-1',
    ...over
  })
}

function verify(n: { rawBody: Buffer; headers: Record<string, string> }, receivedAt = NOW, p = provider) {
  return p.verifyNotification({ rawBody: n.rawBody, headers: n.headers, receivedAt })
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

/** Flips one byte of the base64 ciphertext at `index` (negative: from the end). */
function flipByte(b64: string, index: number): string {
  const buf = Buffer.from(b64, 'base64')
  const i = index < 0 ? buf.length + index : index
  buf[i] = buf[i]! ^ 0x01
  return buf.toString('base64')
}

describe('wechat createCheckout through wechatpay-node-v3 against the fake API', () => {
  it('Native pay returns code_url; the API saw a correctly signed request in fen', async () => {
    const req = checkoutRequest()
    const before = fake.requests.length
    const checkout = await provider.createCheckout(req)
    expect(checkout).toMatchObject({ kind: 'qr', expiresAt: req.expiresAt })
    expect(checkout.content).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/)
    const sent = fake.requests.slice(before)
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ method: 'POST', path: '/v3/pay/transactions/native', authorized: true })
    expect(sent[0]!.body).toMatchObject({
      appid: keys.appId,
      mchid: keys.mchId,
      out_trade_no: req.orderNo,
      description: '钱包充值',
      notify_url: config.notifyUrl,
      time_expire: toWechatTime(req.expiresAt),
      amount: { total: 1234, currency: 'CNY' }
    })
  })

  it('cuts a long description to 127 UTF-8 bytes on a character boundary', async () => {
    await provider.createCheckout(checkoutRequest({ subject: '充'.repeat(100) }))
    const description = String(fake.requests.at(-1)!.body.description)
    expect(Buffer.byteLength(description)).toBe(126)
    expect(description).toBe('充'.repeat(42))
  })

  it('an API error becomes UNAVAILABLE with the WeChat code', async () => {
    fake.failNext(400, 'ORDERPAID', 'order already paid')
    const err = await provider.createCheckout(checkoutRequest()).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BillingError)
    expect(err).toMatchObject({ code: 'UNAVAILABLE', details: { code: 'ORDERPAID', status: 400 } })
  })

  it('a request signed with another merchant key is refused by the API', async () => {
    const other = generateCertKey('someone else')
    const wrong = createWechatProvider(
      { ...config, merchantPrivateKey: other.privateKey, merchantCertificate: other.certificate },
      { clock }
    )
    const err = await wrong.createCheckout(checkoutRequest()).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'UNAVAILABLE', details: { status: 401, code: 'SIGN_ERROR' } })
    expect(fake.requests.at(-1)!.authorized).toBe(false)
  })

  it('a response not signed by the configured platform key is refused', async () => {
    const impostorPlatform = generateCertKey('impostor')
    const impostor = await startFakeWechatPay({
      mchId: keys.mchId,
      appId: keys.appId,
      merchantCertificate: keys.merchant.certificate,
      merchantSerial: keys.merchant.serial,
      platformPrivateKey: impostorPlatform.privateKey,
      platformSerial: keys.platform.serial,
      now: () => clock.now()
    })
    try {
      const p = createWechatProvider({ ...config, baseUrl: impostor.baseUrl }, { clock })
      const err = await p.createCheckout(checkoutRequest()).catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'UNAVAILABLE' })
      expect((err as Error).message).toContain('bad_signature')
      expect(impostor.requests).toHaveLength(1)
    } finally {
      await impostor.close()
    }
  })

  it('refuses a non-CNY amount or a past expiry without calling the API', async () => {
    const before = fake.requests.length
    await expect(provider.createCheckout(checkoutRequest({ amount: money(100, 'USD') }))).rejects.toMatchObject({
      code: 'CURRENCY_MISMATCH'
    })
    await expect(provider.createCheckout(checkoutRequest({ expiresAt: NOW }))).rejects.toMatchObject({
      code: 'INVALID_INPUT'
    })
    expect(fake.requests.length).toBe(before)
  })

  it('formats time_expire as RFC 3339 in Beijing time', () => {
    expect(toWechatTime(Date.UTC(2024, 11, 31, 16, 30, 5))).toBe('2025-01-01T00:30:05+08:00')
  })
})

describe('wechat closeCheckout (a cancelled order)', () => {
  it('closes the order through the SDK (204, signed empty answer); an order WeChat does not have is refused with its code', async () => {
    const req = checkoutRequest()
    await provider.createCheckout(req)
    await provider.closeCheckout!({ orderNo: req.orderNo, providerRef: null })
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: `/v3/pay/transactions/out-trade-no/${req.orderNo}/close`, authorized: true, body: { mchid: keys.mchId } })
    expect(fake.closed.has(req.orderNo)).toBe(true)
    await expect(provider.closeCheckout!({ orderNo: 'ORDnever', providerRef: null })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { orderNo: 'ORDnever', status: 404, code: 'ORDER_NOT_EXIST' }
    })
  })
})

describe('wechat verifyNotification', () => {
  it('accepts a valid TRANSACTION.SUCCESS', async () => {
    expect(await verify(notification())).toEqual([
      {
        type: 'payment.succeeded',
        eventId: 'EV-1',
        orderNo: 'ORD1',
        providerPaymentId: '4200000000202405010000000001',
        amount: { amount: 1234, currency: 'CNY' },
        occurredAt: Date.UTC(2024, 4, 1, 4, 0, 0)
      }
    ])
  })

  it('maps REFUND.SUCCESS to this refund amount, closed trades to expiry, PAYERROR to failure', async () => {
    const refund = await verify(
      notification({
        eventType: 'REFUND.SUCCESS',
        id: 'EV-R',
        resource: {
          mchid: keys.mchId,
          out_trade_no: 'ORD1',
          transaction_id: '4200000000202405010000000001',
          out_refund_no: 'RF1',
          refund_id: '50000000382019052709732678859',
          refund_status: 'SUCCESS',
          success_time: '2024-05-02T10:00:00+08:00',
          amount: { total: 1234, refund: 200, payer_total: 1234, payer_refund: 200 }
        }
      })
    )
    expect(refund).toEqual([
      {
        type: 'refund.succeeded',
        eventId: 'EV-R',
        orderNo: 'ORD1',
        refundId: '50000000382019052709732678859',
        amount: { amount: 200, currency: 'CNY' },
        occurredAt: Date.UTC(2024, 4, 2, 2, 0, 0)
      }
    ])
    const closed = await verify(notification({ resource: { ...transaction(), trade_state: 'CLOSED' } }))
    expect(closed[0]).toMatchObject({ type: 'checkout.expired', orderNo: 'ORD1', eventId: 'EV-1' })
    const failed = await verify(notification({ resource: { ...transaction(), trade_state: 'PAYERROR' } }))
    expect(failed[0]).toMatchObject({ type: 'payment.failed', orderNo: 'ORD1' })
    const abnormal = await verify(
      notification({
        eventType: 'REFUND.ABNORMAL',
        resource: { mchid: keys.mchId, out_trade_no: 'ORD1', refund_id: 'R2', refund_status: 'ABNORMAL', amount: { refund: 1 } }
      })
    )
    // Not over: the merchant platform redirects the same refund, and its REFUND.SUCCESS follows.
    expect(abnormal[0]!.type).toBe('ignored')
    const closedRefund = await verify(
      notification({
        eventType: 'REFUND.CLOSED',
        resource: { mchid: keys.mchId, out_trade_no: 'ORD1', refund_id: 'R2', refund_status: 'CLOSED', amount: { refund: 1 } }
      })
    )
    expect(closedRefund[0]).toEqual({ type: 'refund.failed', eventId: 'R2:failed', orderNo: 'ORD1', refundId: 'R2', reason: 'REFUND.CLOSED CLOSED', occurredAt: expect.any(Number) })
    const odd = await verify(
      notification({
        eventType: 'REFUND.SUCCESS',
        resource: { mchid: keys.mchId, out_trade_no: 'ORD1', refund_id: 'R3', refund_status: 'PROCESSING', amount: { refund: 1 } }
      })
    )
    expect(odd[0]!.type).toBe('ignored')
  })

  it('rejects missing signature headers', async () => {
    const n = notification()
    const { 'wechatpay-signature': _s, ...headers } = n.headers
    expect(await reason(verify({ rawBody: n.rawBody, headers }))).toBe('missing_signature')
  })

  it('rejects a signature made with another key under the platform serial', async () => {
    const forger = generateCertKey('forger')
    expect(await reason(verify(notification({ platformPrivateKey: forger.privateKey })))).toBe('bad_signature')
  })

  it('rejects an unknown serial', async () => {
    expect(await reason(verify(notification({ platformSerial: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1' })))).toBe(
      'untrusted_certificate'
    )
  })

  it('rejects a body tampered after signing', async () => {
    const n = notification()
    const tampered = Buffer.from(n.rawBody.toString().replace('"EV-1"', '"EV-2"'))
    expect(await reason(verify({ rawBody: tampered, headers: n.headers }))).toBe('bad_signature')
  })

  it('rejects stale and future timestamps beyond ±300 s, accepts within', async () => {
    expect(await reason(verify(notification({ timestamp: NOW_S - 301 })))).toBe('timestamp_out_of_window')
    expect(await reason(verify(notification({ timestamp: NOW_S + 301 })))).toBe('timestamp_out_of_window')
    expect((await verify(notification({ timestamp: NOW_S - 299 })))[0]!.type).toBe('payment.succeeded')
    expect((await verify(notification({ timestamp: NOW_S + 299 })))[0]!.type).toBe('payment.succeeded')
  })

  it('rejects a tampered ciphertext, auth tag or associated data even when the envelope is signed', async () => {
    const cipherFlip = notification({ beforeSign: (e) => void (e.resource.ciphertext = flipByte(e.resource.ciphertext, 0)) })
    expect(await reason(verify(cipherFlip))).toBe('decryption_failed')
    const tagFlip = notification({ beforeSign: (e) => void (e.resource.ciphertext = flipByte(e.resource.ciphertext, -1)) })
    expect(await reason(verify(tagFlip))).toBe('decryption_failed')
    const aad = notification({ beforeSign: (e) => void (e.resource.associated_data = 'refund') })
    expect(await reason(verify(aad))).toBe('decryption_failed')
    const truncated = notification({
      beforeSign: (e) => void (e.resource.ciphertext = Buffer.from(e.resource.ciphertext, 'base64').subarray(0, 10).toString('base64'))
    })
    expect(await reason(verify(truncated))).toBe('decryption_failed')
    const wrongKey = notification({ apiV3Key: randomBytes(16).toString('hex') })
    expect(await reason(verify(wrongKey))).toBe('decryption_failed')
  })

  it('rejects a validly signed notification for another merchant or app', async () => {
    expect(await reason(verify(notification({ resource: { ...transaction(), mchid: '1900000999' } })))).toBe('wrong_merchant')
    expect(await reason(verify(notification({ resource: { ...transaction(), appid: 'wx9999999999999999' } })))).toBe(
      'wrong_merchant'
    )
  })

  it('rejects malformed bodies', async () => {
    // An arbitrary body, validly signed with the real platform key.
    const signedRaw = (body: string) => buildRaw(body, randomBytes(8).toString('hex'))
    expect(await reason(verify(signedRaw('not json')))).toBe('malformed')
    expect(await reason(verify(signedRaw('{"id":"EV-1","event_type":"TRANSACTION.SUCCESS"}')))).toBe('malformed')
    const otherAlgo = notification({ beforeSign: (e) => void (e.resource.algorithm = 'AEAD_AES_128_GCM') })
    expect(await reason(verify(otherAlgo))).toBe('malformed')
    const notJson = notification({ beforeSign: (e) => void (e.resource = encryptWechatResource('plain text', keys.apiV3Key)) })
    expect(await reason(verify(notJson))).toBe('malformed')
    const fractional = notification({ resource: { ...transaction(), amount: { total: 12.5, currency: 'CNY' } } })
    expect(await reason(verify(fractional))).toBe('malformed')
    const badCurrency = notification({ resource: { ...transaction(), amount: { total: 100, currency: 'XXX' } } })
    expect(await reason(verify(badCurrency))).toBe('malformed')
    const badTimestamp = { ...notification(), headers: { ...notification().headers, 'wechatpay-timestamp': 'soon' } }
    expect(await reason(verify(badTimestamp))).toBe('malformed')
  })

  it('trusts a configured platform public key by its key id', async () => {
    const pubKeyId = 'PUB_KEY_ID_0119000001092024050100000000000001'
    const pkProvider = createWechatProvider(
      wechatConfigSchema.parse({
        ...configInput(),
        platformCertificate: undefined,
        platformPublicKey: keys.platform.publicKey,
        platformPublicKeyId: pubKeyId
      }),
      { clock }
    )
    expect((await verify(notification({ platformSerial: pubKeyId }), NOW, pkProvider))[0]!.type).toBe('payment.succeeded')
    expect(await reason(verify(notification(), NOW, pkProvider))).toBe('untrusted_certificate')
  })

  it('refuses a platform certificate outside its validity period', async () => {
    const later = NOW + 40 * 24 * 3600_000
    expect(await reason(verify(notification({ timestamp: later / 1000 }), later))).toBe('untrusted_certificate')
  })

  it('answers 204 empty, or an error status with {"code":"FAIL"}', () => {
    expect(provider.accepted()).toMatchObject({ status: 204, body: '' })
    const r = provider.rejected('order unknown', 404)
    expect(r.status).toBe(404)
    expect(JSON.parse(r.body)).toEqual({ code: 'FAIL', message: 'order unknown' })
    expect(provider.rejected('busy').status).toBe(500)
    expect(provider.rejected('not an error', 200).status).toBe(500)
  })
})

function configInput() {
  return {
    appId: keys.appId,
    mchId: keys.mchId,
    merchantPrivateKey: keys.merchant.privateKey,
    merchantCertificate: keys.merchant.certificate,
    apiV3Key: keys.apiV3Key,
    platformCertificate: keys.platform.certificate,
    notifyUrl: 'https://relay.example.com/notify/wechat',
    baseUrl: fake.baseUrl
  }
}

function buildRaw(body: string, nonce: string) {
  const timestamp = String(NOW_S)
  return {
    rawBody: Buffer.from(body),
    headers: {
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': nonce,
      'wechatpay-serial': keys.platform.serial,
      'wechatpay-signature': signWechatMessage(timestamp, nonce, body, keys.platform.privateKey)
    }
  }
}

