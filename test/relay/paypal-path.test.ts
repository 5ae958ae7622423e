import { randomBytes, type webcrypto } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditReasons, effects } from './support/flows'
import { deviceCheckout, feedFor, plan, recharge } from './support/paths'
import { enrolDevice, startTestRelay, type TestRelay } from './support/relay'
import {
  captureCompletedEvent,
  captureDeniedEvent,
  captureRefundedEvent,
  createPaypalTestPki,
  orderApprovedEvent,
  paypalCertificateSource,
  signPaypalWebhook,
  startFakePaypal,
  TEST_CERT_URL,
  type FakePaypal,
  type PaypalTestPki
} from './fakes/paypal'

// The real PayPal adapter (Orders v2 over REST against a fake PayPal API on 127.0.0.1; a test
// PKI whose chain the relay fetches through the injected certificate source) through the
// running relay: create → the buyer approves → CHECKOUT.ORDER.APPROVED → the relay captures
// through the fake → paid; PAYMENT.CAPTURE.COMPLETED confirms the same capture; refunds.

const NOW = Date.UTC(2025, 0, 15, 4, 0, 0) // startTestRelay's clock
const clientId = `client-${randomBytes(6).toString('hex')}`
const clientSecret = randomBytes(24).toString('base64url')
const webhookId = `WH-ID-${randomBytes(6).toString('hex')}`
const STRANGER_URL = 'https://api.paypal.com/v1/notifications/certs/CERT-stranger'

let fake: FakePaypal
let pki: PaypalTestPki
let stranger: PaypalTestPki
let certs: ReturnType<typeof paypalCertificateSource>

beforeAll(async () => {
  fake = await startFakePaypal({ clientId, clientSecret })
  pki = await createPaypalTestPki({ now: NOW })
  stranger = await createPaypalTestPki({ now: NOW, rootName: 'CN=Stranger CA,O=Elsewhere' })
  certs = paypalCertificateSource({ [TEST_CERT_URL]: pki.chainPem, [STRANGER_URL]: stranger.chainPem })
})
afterAll(() => fake.close())

async function setup(): Promise<{ t: TestRelay; token: string }> {
  // Each test's relay starts a new database, so order numbers (PayPal-Request-Ids) repeat.
  fake.forgetRequestIds()
  const t = await startTestRelay({
    config: {
      providerSources: {
        env: {
          PAYPAL_CLIENT_ID: clientId,
          PAYPAL_CLIENT_SECRET: clientSecret,
          PAYPAL_WEBHOOK_ID: webhookId,
          PAYPAL_BASE_URL: fake.baseUrl,
          PAYPAL_RETURN_URL: 'https://app.example/paypal/return',
          PAYPAL_CANCEL_URL: 'https://app.example/paypal/cancel',
          PAYPAL_TRUSTED_CA_PEM: pki.caPem
        },
        file: {}
      }
    },
    deps: { providerDeps: { certificateSource: certs } }
  })
  expect(t.clock.now()).toBe(NOW)
  const dev = await enrolDevice(t.api)
  return { t, token: dev.token }
}

async function deliver(
  t: TestRelay,
  event: object,
  opts: { key?: webcrypto.CryptoKey; certUrl?: string; time?: number; body?: string } = {}
) {
  const body = JSON.stringify(event)
  const headers = await signPaypalWebhook(body, {
    key: opts.key ?? pki.leaf.keys.privateKey,
    certUrl: opts.certUrl ?? TEST_CERT_URL,
    webhookId,
    transmissionTime: new Date(opts.time ?? t.clock.now() - 1000)
  })
  return t.api('POST', '/v1/notify/paypal', { raw: opts.body ?? body, headers: { ...headers, 'content-type': 'application/json' } })
}

const cny = (fen: number) => ({ currency_code: 'CNY', value: (fen / 100).toFixed(2) })
const capturesAt = (orderId: string) => fake.requests.filter((r) => r.path === `/v2/checkout/orders/${orderId}/capture`).length

describe('PayPal through the relay', () => {
  it('create → approve → APPROVED: the relay captures and the order is paid once; COMPLETED and redeliveries add nothing; forged, foreign, stale, tampered, wrong amount and forbidden events are refused', async () => {
    const { t, token } = await setup()
    const { orderNo, amount, checkout } = await deviceCheckout(t, token, plan('paypal', 'ENTERPRISE', 'yearly'))
    expect(amount).toBe(199900)
    expect(checkout.kind).toBe('url')
    expect(checkout.content).toMatch(/^https:\/\/www\.sandbox\.paypal\.com\/checkoutnow\?token=/)
    const orderId = checkout.providerRef!
    expect(fake.orders.get(orderId)!.requestBody.purchase_units[0]).toMatchObject({
      custom_id: orderNo,
      amount: { currency_code: 'CNY', value: '1999.00' }
    })

    fake.approve(orderId) // the buyer clicks through
    const createTime = new Date(t.clock.now() - 2000)
    const approved = orderApprovedEvent({ orderId, orderNo, amount: cny(199900), createTime })
    const first = await deliver(t, approved)
    expect(first.status).toBe(200)
    expect(capturesAt(orderId)).toBe(1)
    const captureId = fake.orders.get(orderId)!.captureId!
    const afterPay = await effects(t, orderNo)
    expect(afterPay).toMatchObject({ state: 'paid', paymentRecords: 1, grants: 1 })
    expect(feedFor(t, orderNo)[0]!.data).toMatchObject({ provider: 'paypal', providerPaymentId: captureId })

    // Redelivered approval: recognised before any second capture.
    expect((await deliver(t, approved)).status).toBe(200)
    expect(capturesAt(orderId)).toBe(1)
    // The capture's own completion event: the same payment.
    const completed = captureCompletedEvent({ captureId, orderId, orderNo, amount: cny(199900), createTime })
    expect((await deliver(t, completed)).status).toBe(200)

    // Signed by a key whose chain does not reach the trusted CA; a cert URL off the pinned hosts.
    expect((await deliver(t, completed, { key: stranger.leaf.keys.privateKey, certUrl: STRANGER_URL })).status).toBe(400)
    expect((await deliver(t, completed, { certUrl: 'https://evil.example/certs/x' })).status).toBe(400)
    // Signed by the leaf of another PKI, claiming the trusted cert URL.
    expect((await deliver(t, completed, { key: stranger.leaf.keys.privateKey })).status).toBe(400)
    // Transmission 10 minutes old; a body edited after signing (CRC32 no longer matches).
    expect((await deliver(t, completed, { time: t.clock.now() - 600_000 })).status).toBe(400)
    expect((await deliver(t, completed, { body: JSON.stringify(completed).replace('1999.00', '1.00') })).status).toBe(400)
    // Authentic, but: wrong amount for another order, unknown order, a second capture of a paid order.
    const other = await deviceCheckout(t, token, recharge('paypal', 5000))
    const wrong = captureCompletedEvent({ captureId: '3C6WRONG', orderId: other.checkout.providerRef!, orderNo: other.orderNo, amount: cny(50), createTime })
    expect((await deliver(t, wrong)).status).toBe(400)
    const unknown = captureCompletedEvent({ captureId: '3C6UNKNOWN', orderId: 'X', orderNo: 'R202501150000999999', amount: cny(5000), createTime })
    expect((await deliver(t, unknown)).status).toBe(404)
    const second = captureCompletedEvent({ captureId: '3C6SECOND', orderId, orderNo, amount: cny(199900), createTime })
    expect((await deliver(t, second)).status).toBe(409)

    expect(await effects(t, orderNo)).toEqual(afterPay)
    expect(await effects(t, other.orderNo)).toMatchObject({ state: 'pending', paymentRecords: 0 })
    expect((await auditReasons(t)).map((r) => `${r.outcome}:${r.reason ?? ''}`)).toEqual([
      'applied:',
      'duplicate:replayed_event_id',
      'duplicate:payment_already_recorded',
      'rejected:untrusted_certificate',
      'rejected:untrusted_certificate',
      'rejected:bad_signature',
      'rejected:timestamp_out_of_window',
      'rejected:bad_signature',
      'rejected:amount_mismatch',
      'rejected:unknown_order',
      'rejected:forbidden_transition'
    ])
  })

  it('an approval PayPal cannot capture yet is deferred (503) and captured on redelivery', async () => {
    const { t, token } = await setup()
    const { orderNo, checkout } = await deviceCheckout(t, token, recharge('paypal', 3000))
    const orderId = checkout.providerRef!
    const approved = orderApprovedEvent({ orderId, orderNo, amount: cny(3000), createTime: new Date(t.clock.now() - 1000) })
    // Not approved at PayPal (yet): the capture fails, nothing is recorded, PayPal retries.
    expect((await deliver(t, approved)).status).toBe(503)
    expect(await effects(t, orderNo)).toMatchObject({ state: 'pending', paymentRecords: 0 })
    fake.approve(orderId)
    expect((await deliver(t, approved)).status).toBe(200)
    expect(await effects(t, orderNo)).toMatchObject({ state: 'paid', paymentRecords: 1, wallet: 3000 })
    expect((await auditReasons(t)).map((r) => `${r.outcome}:${r.reason ?? ''}`)).toEqual(['deferred:capture_failed', 'applied:'])
  })

  it('a PENDING capture does not pay the order; its COMPLETED event does (and DENIED fails another)', async () => {
    const { t, token } = await setup()
    const { orderNo, checkout } = await deviceCheckout(t, token, recharge('paypal', 4000))
    const orderId = checkout.providerRef!
    fake.approve(orderId)
    fake.pendNextCapture()
    const createTime = new Date(t.clock.now() - 1000)
    expect((await deliver(t, orderApprovedEvent({ orderId, orderNo, amount: cny(4000), createTime }))).status).toBe(200)
    expect(await effects(t, orderNo)).toMatchObject({ state: 'pending', paymentRecords: 0, wallet: 0 })
    const captureId = fake.orders.get(orderId)!.captureId!
    expect(fake.captures.get(captureId)!.status).toBe('PENDING')
    expect((await deliver(t, captureCompletedEvent({ captureId, orderId, orderNo, amount: cny(4000), createTime }))).status).toBe(200)
    expect(await effects(t, orderNo)).toMatchObject({ state: 'paid', paymentRecords: 1, wallet: 4000 })

    const b = await deviceCheckout(t, token, recharge('paypal', 1000))
    fake.approve(b.checkout.providerRef!)
    fake.pendNextCapture()
    expect((await deliver(t, orderApprovedEvent({ orderId: b.checkout.providerRef!, orderNo: b.orderNo, amount: cny(1000), createTime }))).status).toBe(200)
    const bCapture = fake.orders.get(b.checkout.providerRef!)!.captureId!
    expect(
      (await deliver(t, captureDeniedEvent({ captureId: bCapture, orderId: b.checkout.providerRef!, orderNo: b.orderNo, amount: cny(1000), createTime }))).status
    ).toBe(200)
    expect(await effects(t, b.orderNo)).toMatchObject({ state: 'failed', paymentRecords: 0, wallet: 4000 })
  })

  it('refunds: one event per refund, with or without custom_id (read back from the capture); redeliveries add nothing', async () => {
    const { t, token } = await setup()
    const { orderNo, checkout } = await deviceCheckout(t, token, recharge('paypal', 10_000))
    const orderId = checkout.providerRef!
    fake.approve(orderId)
    const createTime = new Date(t.clock.now() - 1000)
    expect((await deliver(t, orderApprovedEvent({ orderId, orderNo, amount: cny(10_000), createTime }))).status).toBe(200)
    const captureId = fake.orders.get(orderId)!.captureId!

    const r1 = captureRefundedEvent({ refundId: '1RF00000000000001', captureId, orderNo, amount: cny(2500), createTime })
    expect((await deliver(t, r1)).status).toBe(200)
    expect((await deliver(t, r1)).status).toBe(200)
    expect(await effects(t, orderNo)).toMatchObject({ state: 'partially_refunded', refunded: 2500, refundRecords: 1, wallet: 7500 })
    // No custom_id: the relay reads the capture at the fake to find the order.
    const before = fake.requests.length
    const r2 = captureRefundedEvent({ refundId: '1RF00000000000002', captureId, amount: cny(7500), createTime })
    expect((await deliver(t, r2)).status).toBe(200)
    expect(fake.requests.slice(before).map((r) => r.path)).toContain(`/v2/payments/captures/${captureId}`)
    expect(await effects(t, orderNo)).toMatchObject({ state: 'refunded', refunded: 10_000, refundRecords: 2, wallet: 0 })
    const r3 = captureRefundedEvent({ refundId: '1RF00000000000003', captureId, orderNo, amount: cny(1), createTime })
    expect((await deliver(t, r3)).status).toBe(400)
    expect(await effects(t, orderNo)).toMatchObject({ state: 'refunded', refunded: 10_000, refundRecords: 2 })
  })
})
