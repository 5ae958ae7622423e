import { randomBytes, type webcrypto } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/node/clock'
import { BillingError } from '../../../src/shared/errors'
import { createPaypalProvider, paypalConfigFromEnv, PaypalApiError } from '../../../src/relay/providers/paypal'
import { NotificationRejected, type PaymentProvider } from '../../../src/relay/providers/types'
import {
  captureCompletedEvent,
  captureDeniedEvent,
  captureRefundedEvent,
  createPaypalTestPki,
  orderApprovedEvent,
  paypalCertificateSource,
  paypalEvent,
  signPaypalWebhook,
  startFakePaypal,
  TEST_CERT_URL,
  type FakePaypal,
  type PaypalTestPki
} from '../fakes/paypal'

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0)
const clientId = `client-${randomBytes(6).toString('hex')}`
const clientSecret = randomBytes(24).toString('base64url')
const webhookId = `WH-ID-${randomBytes(6).toString('hex')}`
const EXPIRED_URL = 'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-expired'
const UNTRUSTED_URL = 'https://api.paypal.com/v1/notifications/certs/CERT-untrusted'

let clock: ManualClock
let fake: FakePaypal
let pki: PaypalTestPki
let expired: PaypalTestPki
let untrusted: PaypalTestPki
let certs: ReturnType<typeof paypalCertificateSource>
let paypal: PaymentProvider

beforeAll(async () => {
  clock = new ManualClock(NOW)
  fake = await startFakePaypal({ clientId, clientSecret })
  pki = await createPaypalTestPki({ now: NOW })
  // Issued by the trusted intermediate but expired a day ago.
  expired = await createPaypalTestPki({
    now: NOW,
    root: pki.root,
    intermediate: pki.intermediate,
    leafValidity: { notBefore: new Date(NOW - 400 * 86_400_000), notAfter: new Date(NOW - 86_400_000) }
  })
  // A CA the relay does not trust, issuing the leaf directly.
  untrusted = await createPaypalTestPki({ now: NOW, rootName: 'CN=Stranger CA,O=Elsewhere' })
  certs = paypalCertificateSource({
    [TEST_CERT_URL]: pki.chainPem,
    [EXPIRED_URL]: expired.chainPem,
    [UNTRUSTED_URL]: untrusted.chainPem
  })
  paypal = createPaypalProvider(
    {
      clientId,
      clientSecret,
      webhookId,
      baseUrl: fake.baseUrl,
      returnUrl: 'https://relay.example/paypal/return',
      cancelUrl: 'https://relay.example/paypal/cancel',
      trustedCaPem: pki.caPem
    },
    { clock, certificateSource: certs }
  )
})
afterAll(() => fake.close())

async function signedDelivery(
  event: object,
  opts: { key?: webcrypto.CryptoKey; certUrl?: string; webhookId?: string; time?: number; body?: string } = {}
) {
  const body = JSON.stringify(event)
  const headers = await signPaypalWebhook(body, {
    key: opts.key ?? pki.leaf.keys.privateKey,
    certUrl: opts.certUrl ?? TEST_CERT_URL,
    webhookId: opts.webhookId ?? webhookId,
    transmissionTime: new Date(opts.time ?? NOW - 2000)
  })
  return { rawBody: Buffer.from(opts.body ?? body, 'utf8'), headers: headers as Record<string, string | undefined>, receivedAt: clock.now() }
}
async function rejection(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(NotificationRejected)
  return (err as NotificationRejected).reason
}

const usd = (value: string) => ({ currency_code: 'USD', value })
const when = new Date(NOW - 5000)

describe('paypal checkout over REST', () => {
  let orderId = ''

  it('creates an Orders v2 order with the order number and a decimal-string amount', async () => {
    const checkout = await paypal.createCheckout({
      orderNo: 'R-1',
      amount: { amount: 1999, currency: 'USD' },
      subject: 'Wallet top-up',
      expiresAt: NOW + 3600_000
    })
    const req = fake.requests.at(-1)!
    expect(req.path).toBe('/v2/checkout/orders')
    expect(req.authorization).toMatch(/^Bearer A21AA/)
    expect(req.requestId).toBe('order-R-1')
    const body = JSON.parse(req.body)
    expect(body).toMatchObject({
      intent: 'CAPTURE',
      purchase_units: [{ reference_id: 'R-1', custom_id: 'R-1', amount: { currency_code: 'USD', value: '19.99' } }],
      payment_source: {
        paypal: { experience_context: { return_url: 'https://relay.example/paypal/return', cancel_url: 'https://relay.example/paypal/cancel' } }
      }
    })
    orderId = checkout.providerRef!
    expect(fake.orders.has(orderId)).toBe(true)
    expect(checkout).toEqual({
      kind: 'url',
      content: `https://www.sandbox.paypal.com/checkoutnow?token=${orderId}`,
      providerRef: orderId,
      expiresAt: NOW + 3600_000
    })
  })

  it('caches the OAuth token until it nears expiry, and replaces a revoked one', async () => {
    const issued = fake.tokensIssued()
    await paypal.createCheckout({ orderNo: 'R-2', amount: { amount: 500, currency: 'JPY' }, subject: 'x', expiresAt: NOW })
    expect(JSON.parse(fake.requests.at(-1)!.body).purchase_units[0].amount).toEqual({ currency_code: 'JPY', value: '500' })
    expect(fake.tokensIssued()).toBe(issued)
    clock.advance(32_400_000 - 30_000) // inside the last minute of the 9 h token
    await paypal.createCheckout({ orderNo: 'R-3', amount: { amount: 1, currency: 'EUR' }, subject: 'x', expiresAt: NOW })
    expect(JSON.parse(fake.requests.at(-1)!.body).purchase_units[0].amount.value).toBe('0.01')
    expect(fake.tokensIssued()).toBe(issued + 1)
    clock.set(NOW)
    fake.revokeTokens()
    await paypal.createCheckout({ orderNo: 'R-4', amount: { amount: 100, currency: 'USD' }, subject: 'x', expiresAt: NOW })
    expect(fake.tokensIssued()).toBe(issued + 2)
  })

  it('refuses to capture before approval, then captures and returns the capture id and amount', async () => {
    const notApproved = await paypal.capture!(orderId, 'R-1').catch((e: unknown) => e)
    expect(notApproved).toBeInstanceOf(PaypalApiError)
    expect(notApproved).toMatchObject({ code: 'UNAVAILABLE', status: 422, issue: 'ORDER_NOT_APPROVED' })
    fake.approve(orderId)
    const captured = await paypal.capture!(orderId, 'R-1')
    expect(fake.requests.at(-1)).toMatchObject({ path: `/v2/checkout/orders/${orderId}/capture`, requestId: `capture-${orderId}` })
    expect(captured).toEqual({ pending: false, captureId: fake.orders.get(orderId)!.captureId, amount: { amount: 1999, currency: 'USD' } })
    // A retry after PayPal forgot the request id reads the existing capture back.
    fake.forgetRequestIds()
    expect(await paypal.capture!(orderId, 'R-1')).toEqual(captured)
    await expect(paypal.capture!(orderId, 'R-other')).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    await expect(paypal.capture!('../../v1/evil', 'R-1')).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })

  it('refunds a capture by PayPal-Request-Id: the same key answers the same refund, never another amount', async () => {
    const captureId = fake.orders.get(orderId)!.captureId!
    const req = { orderNo: 'R-1', providerPaymentId: captureId, refundKey: 'rk-adapter-1', amount: { amount: 500, currency: 'USD' as const }, orderAmount: { amount: 1999, currency: 'USD' as const } }
    const answer = await paypal.refund!({ ...req, reason: `  ${'很抱歉 sorry '.repeat(30)}  ` })
    const sent = fake.requests.at(-1)!
    expect(sent).toMatchObject({ method: 'POST', path: `/v2/payments/captures/${captureId}/refund`, requestId: 'rk-adapter-1' })
    const body = JSON.parse(sent.body)
    expect(body.amount).toEqual({ currency_code: 'USD', value: '5.00' })
    expect(body.note_to_payer).toHaveLength(255)
    expect(body.note_to_payer.startsWith('很抱歉')).toBe(true)
    expect(answer).toEqual({ refundId: fake.refunds.get(captureId)![0]!.id, status: 'succeeded', amount: { amount: 500, currency: 'USD' } })
    expect(await paypal.refund!({ ...req, reason: 'again' })).toEqual(answer)
    // PayPal answers the first refund under that request id: not recorded as a 7.00 refund.
    await expect(paypal.refund!({ ...req, amount: { amount: 700, currency: 'USD' as const }, reason: 'x' })).rejects.toMatchObject({ code: 'UNAVAILABLE' })
    expect(fake.refunds.get(captureId)).toHaveLength(1)
    fake.refundsAnswer('CANCELLED')
    await expect(paypal.refund!({ ...req, refundKey: 'rk-adapter-2', reason: 'x' })).rejects.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('CANCELLED') })
    fake.refundsAnswer('COMPLETED')
    await expect(paypal.refund!({ ...req, refundKey: 'rk-adapter-3', amount: { amount: 1500, currency: 'USD' as const }, reason: 'x' })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      status: 422,
      issue: 'REFUND_AMOUNT_EXCEEDED'
    })
    await expect(paypal.refund!({ ...req, providerPaymentId: '../../v1/evil', reason: 'x' })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })

  it('reports API failures and bad credentials as UNAVAILABLE', async () => {
    fake.failNext(500)
    const err = await paypal
      .createCheckout({ orderNo: 'R-5', amount: { amount: 100, currency: 'USD' }, subject: 'x', expiresAt: NOW })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BillingError)
    expect(err).toMatchObject({ code: 'UNAVAILABLE', status: 500 })
    const wrong = createPaypalProvider(
      { clientId, clientSecret: 'wrong', webhookId, baseUrl: fake.baseUrl, returnUrl: 'https://a.example/r', cancelUrl: 'https://a.example/c' },
      { clock }
    )
    await expect(
      wrong.createCheckout({ orderNo: 'R-6', amount: { amount: 100, currency: 'USD' }, subject: 'x', expiresAt: NOW })
    ).rejects.toMatchObject({ code: 'UNAVAILABLE', status: 401 })
  })
})

describe('paypal webhook verification', () => {
  it('accepts signed events and maps them', async () => {
    const approved = orderApprovedEvent({ orderId: 'O-1', orderNo: 'R-1', amount: usd('19.99'), createTime: when, id: 'WH-A' })
    expect(await paypal.verifyNotification(await signedDelivery(approved))).toEqual([
      { type: 'payment.approved', eventId: 'WH-A', orderNo: 'R-1', providerRef: 'O-1', amount: { amount: 1999, currency: 'USD' }, occurredAt: when.getTime() }
    ])
    const completed = captureCompletedEvent({ captureId: 'C-1', orderId: 'O-1', orderNo: 'R-1', amount: usd('19.99'), createTime: when, id: 'WH-C' })
    expect(await paypal.verifyNotification(await signedDelivery(completed))).toEqual([
      { type: 'payment.succeeded', eventId: 'WH-C', orderNo: 'R-1', providerPaymentId: 'C-1', amount: { amount: 1999, currency: 'USD' }, occurredAt: when.getTime() }
    ])
    const denied = captureDeniedEvent({ captureId: 'C-2', orderId: 'O-2', orderNo: 'R-2', amount: usd('1.00'), createTime: when, id: 'WH-D' })
    expect(await paypal.verifyNotification(await signedDelivery(denied))).toEqual([
      { type: 'payment.failed', eventId: 'WH-D', orderNo: 'R-2', reason: 'DECLINED_BY_RISK_FRAUD_FILTERS', occurredAt: when.getTime() }
    ])
    const other = paypalEvent('BILLING.PLAN.CREATED', { id: 'P-1' }, { createTime: when, id: 'WH-X' })
    expect(await paypal.verifyNotification(await signedDelivery(other))).toEqual([
      { type: 'ignored', eventId: 'WH-X', reason: 'unhandled event type BILLING.PLAN.CREATED' }
    ])
  })

  it('a refund carries its own amount; without custom_id the order comes from the capture', async () => {
    const withId = captureRefundedEvent({ refundId: 'RF-1', captureId: 'C-1', amount: usd('5.00'), orderNo: 'R-1', createTime: when, id: 'WH-R1' })
    expect(await paypal.verifyNotification(await signedDelivery(withId))).toEqual([
      { type: 'refund.succeeded', eventId: 'WH-R1', orderNo: 'R-1', refundId: 'RF-1', amount: { amount: 500, currency: 'USD' }, occurredAt: when.getTime() }
    ])
    const [captureId] = [...fake.captures.keys()]
    const bare = captureRefundedEvent({ refundId: 'RF-2', captureId: captureId!, amount: usd('2.50'), createTime: when, id: 'WH-R2' })
    expect(await paypal.verifyNotification(await signedDelivery(bare))).toMatchObject([
      { type: 'refund.succeeded', orderNo: 'R-1', amount: { amount: 250, currency: 'USD' } }
    ])
  })

  it('fetches each certificate chain once and re-checks it on every message', async () => {
    const event = captureCompletedEvent({ captureId: 'C-9', orderId: 'O-9', orderNo: 'R-9', amount: usd('1.00'), createTime: when })
    await paypal.verifyNotification(await signedDelivery(event))
    await paypal.verifyNotification(await signedDelivery(event))
    expect(certs.calls.filter((u) => u === TEST_CERT_URL)).toHaveLength(1)
  })

  const event = () => captureCompletedEvent({ captureId: 'C-3', orderId: 'O-3', orderNo: 'R-3', amount: usd('10.00'), createTime: when })

  it('rejects missing headers, a bad signature, another key and another webhook id', async () => {
    const good = await signedDelivery(event())
    const { ['paypal-transmission-sig']: _sig, ...noSig } = good.headers
    expect(await rejection(paypal.verifyNotification({ ...good, headers: noSig }))).toBe('missing_signature')
    const forged = { ...good.headers, 'paypal-transmission-sig': randomBytes(256).toString('base64') }
    expect(await rejection(paypal.verifyNotification({ ...good, headers: forged }))).toBe('bad_signature')
    const otherKey = await signedDelivery(event(), { key: untrusted.leaf.keys.privateKey })
    expect(await rejection(paypal.verifyNotification(otherKey))).toBe('bad_signature')
    const otherHook = await signedDelivery(event(), { webhookId: 'WH-ID-someone-else' })
    expect(await rejection(paypal.verifyNotification(otherHook))).toBe('bad_signature')
    const algo = { ...good.headers, 'paypal-auth-algo': 'SHA1withRSA' }
    expect(await rejection(paypal.verifyNotification({ ...good, headers: algo }))).toBe('malformed')
  })

  it('rejects a tampered body: the CRC32 in the signed message no longer matches', async () => {
    const body = JSON.stringify(event())
    const tampered = body.replace('"10.00"', '"99.00"')
    expect(tampered).not.toBe(body)
    expect(await rejection(paypal.verifyNotification(await signedDelivery(event(), { body: tampered })))).toBe('bad_signature')
  })

  it('rejects a cert URL off the pinned hosts or over http without fetching it', async () => {
    const calls = certs.calls.length
    for (const certUrl of [
      'https://evil.example/v1/notifications/certs/CERT-1',
      'https://api.sandbox.paypal.com.evil.example/certs/CERT-1',
      'http://api.sandbox.paypal.com/v1/notifications/certs/CERT-1',
      'https://api.sandbox.paypal.com:8443/v1/notifications/certs/CERT-1',
      'not a url'
    ]) {
      expect(await rejection(paypal.verifyNotification(await signedDelivery(event(), { certUrl })))).toBe('untrusted_certificate')
    }
    expect(certs.calls.length).toBe(calls)
  })

  it('rejects a chain from an untrusted CA and an expired certificate', async () => {
    const stranger = await signedDelivery(event(), { key: untrusted.leaf.keys.privateKey, certUrl: UNTRUSTED_URL })
    expect(await rejection(paypal.verifyNotification(stranger))).toBe('untrusted_certificate')
    const old = await signedDelivery(event(), { key: expired.leaf.keys.privateKey, certUrl: EXPIRED_URL })
    expect(await rejection(paypal.verifyNotification(old))).toBe('untrusted_certificate')
    // The same chains are fine where the CA is trusted / at a time the leaf was valid.
    const trustsStranger = createPaypalProvider(
      { clientId, clientSecret, webhookId, baseUrl: fake.baseUrl, returnUrl: 'https://a.example/r', cancelUrl: 'https://a.example/c', trustedCaPem: untrusted.caPem },
      { clock, certificateSource: certs }
    )
    expect(await trustsStranger.verifyNotification(stranger)).toHaveLength(1)
    const earlier = await signedDelivery(event(), { key: expired.leaf.keys.privateKey, certUrl: EXPIRED_URL, time: NOW - 10 * 86_400_000 })
    expect(await paypal.verifyNotification({ ...earlier, receivedAt: NOW - 10 * 86_400_000 })).toHaveLength(1)
  })

  it('rejects transmission times outside the window', async () => {
    expect(await rejection(paypal.verifyNotification(await signedDelivery(event(), { time: NOW - 301_000 })))).toBe('timestamp_out_of_window')
    expect(await rejection(paypal.verifyNotification(await signedDelivery(event(), { time: NOW + 31_000 })))).toBe('timestamp_out_of_window')
    expect(await paypal.verifyNotification(await signedDelivery(event(), { time: NOW + 29_000 }))).toHaveLength(1)
    expect(await paypal.verifyNotification(await signedDelivery(event(), { time: NOW - 299_000 }))).toHaveLength(1)
  })

  it('a certificate source failure is a retryable error, not a verdict', async () => {
    const missing = 'https://api.paypal.com/v1/notifications/certs/CERT-gone'
    const err = await paypal.verifyNotification(await signedDelivery(event(), { certUrl: missing })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Error)
    expect(err).not.toBeInstanceOf(NotificationRejected)
  })
})

describe('paypal replies and config', () => {
  it('answers 200 on success and 400 on rejection', () => {
    expect(paypal.accepted()).toEqual({ status: 200, body: '{"received":true}', contentType: 'application/json' })
    expect(paypal.rejected('bad_signature').status).toBe(400)
  })

  it('reads the environment: off without credentials, errors name the variable', () => {
    expect(paypalConfigFromEnv({})).toBeUndefined()
    const env = {
      PAYPAL_CLIENT_ID: clientId,
      PAYPAL_CLIENT_SECRET: clientSecret,
      PAYPAL_WEBHOOK_ID: webhookId,
      PAYPAL_RETURN_URL: 'https://relay.example/r',
      PAYPAL_CANCEL_URL: 'https://relay.example/c'
    }
    expect(paypalConfigFromEnv(env)).toMatchObject({
      baseUrl: 'https://api-m.paypal.com',
      certHosts: ['api.paypal.com', 'api.sandbox.paypal.com'],
      toleranceSeconds: 300
    })
    expect(paypalConfigFromEnv({ ...env, PAYPAL_CERT_HOSTS: 'api.sandbox.paypal.com, certs.test' })!.certHosts).toEqual([
      'api.sandbox.paypal.com',
      'certs.test'
    ])
    expect(() => paypalConfigFromEnv({ ...env, PAYPAL_WEBHOOK_ID: undefined })).toThrow(/PAYPAL_WEBHOOK_ID/)
    expect(() => paypalConfigFromEnv({ ...env, PAYPAL_BASE_URL: 'ftp://x' })).toThrow(/PAYPAL_BASE_URL/)
    expect(() => paypalConfigFromEnv({ ...env, PAYPAL_TOLERANCE_SECONDS: 'soon' })).toThrow(/PAYPAL_TOLERANCE_SECONDS/)
  })
})

describe('paypal closeCheckout (a cancelled order)', () => {
  it('closes an order the buyer has not approved (a cancel), and refuses once it is approved or captured', async () => {
    const { providerRef } = await paypal.createCheckout({ orderNo: 'R-close', amount: { amount: 100, currency: 'USD' }, subject: 'x', expiresAt: NOW + 3600_000 })
    await paypal.closeCheckout!({ orderNo: 'R-close', providerRef: providerRef! })
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: `/v2/checkout/orders/${providerRef}` })
    fake.approve(providerRef!)
    await expect(paypal.closeCheckout!({ orderNo: 'R-close', providerRef: providerRef! })).rejects.toMatchObject({ code: 'UNAVAILABLE', details: { status: 'APPROVED' } })
    await paypal.capture!(providerRef!, 'R-close')
    await expect(paypal.closeCheckout!({ orderNo: 'R-close', providerRef: providerRef! })).rejects.toMatchObject({ details: { status: 'COMPLETED' } })
    await expect(paypal.closeCheckout!({ orderNo: 'R-close', providerRef: null })).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })
})
