import { randomBytes } from 'node:crypto'
import { beforeAll, expect, it } from 'vitest'
import {
  captureRefundedEvent,
  createPaypalTestPki,
  orderApprovedEvent,
  paypalCertificateSource,
  signPaypalWebhook,
  startFakePaypal,
  TEST_CERT_URL,
  type FakePaypal,
  type PaypalTestPki
} from '../fakes/paypal'
import { effects } from '../support/flows'
import { deviceCheckout, recharge } from '../support/paths'
import { forEachStore } from '../support/pg'
import { enrolDevice, startTestRelay, type TestRelay } from '../support/relay'
import { addOperator, signIn, type ConsoleSession } from './support'

// Refunds from the console through PayPal's capture refund API (the adapter's REST client
// against the fake PayPal): PayPal-Request-Id is the refund key, never more than is left,
// recorded once whether the answer or PAYMENT.CAPTURE.REFUNDED comes first, a failed call
// retried by the same key, a PENDING refund recorded by its notification. On both stores.

const clientId = `client-${randomBytes(6).toString('hex')}`
const clientSecret = randomBytes(24).toString('base64url')
const webhookId = `WH-ID-${randomBytes(6).toString('hex')}`
const cny = (amount: number) => ({ amount, currency: 'CNY' })
const pp = (fen: number) => ({ currency_code: 'CNY', value: `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}` })

let pki: PaypalTestPki
beforeAll(async () => {
  pki = await createPaypalTestPki({ now: Date.UTC(2025, 0, 15, 4, 0, 0) })
})

interface Paid {
  t: TestRelay
  fake: FakePaypal
  orderNo: string
  captureId: string
  finance: ConsoleSession
  path: string
}

async function paidOrder(): Promise<Paid> {
  const fake = await startFakePaypal({ clientId, clientSecret })
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
    deps: { providerDeps: { certificateSource: paypalCertificateSource({ [TEST_CERT_URL]: pki.chainPem }) } }
  })
  const dev = await enrolDevice(t.api)
  const { orderNo, checkout } = await deviceCheckout(t, dev.token, recharge('paypal', 10_000))
  const orderId = checkout.providerRef!
  fake.approve(orderId)
  expect((await deliver(t, orderApprovedEvent({ orderId, orderNo, amount: pp(10_000), createTime: new Date(t.clock.now() - 2000) }))).status).toBe(200)
  const captureId = fake.orders.get(orderId)!.captureId!
  expect(await effects(t, orderNo)).toMatchObject({ state: 'paid', refunded: 0 })
  await addOperator(t, 'finance@example.com', 'finance')
  return { t, fake, orderNo, captureId, finance: await signIn(t, 'finance@example.com'), path: `/v1/console/orders/${orderNo}/refunds` }
}

async function deliver(t: TestRelay, event: object) {
  const body = JSON.stringify(event)
  const headers = await signPaypalWebhook(body, { key: pki.leaf.keys.privateKey, certUrl: TEST_CERT_URL, webhookId, transmissionTime: new Date(t.clock.now() - 1000) })
  return t.api('POST', '/v1/notify/paypal', { raw: body, headers: { ...headers, 'content-type': 'application/json' } })
}

const refundCalls = (p: Paid) => p.fake.requests.filter((r) => r.method === 'POST' && r.path === `/v2/payments/captures/${p.captureId}/refund`)

/** PayPal's notification of a refund the fake made (custom_id as the refund resource has it). */
function notification(p: Paid, refundId: string) {
  const refund = p.fake.refunds.get(p.captureId)!.find((r) => r.id === refundId)!
  return captureRefundedEvent({
    refundId,
    captureId: p.captureId,
    amount: refund.amount,
    ...(refund.custom_id ? { orderNo: refund.custom_id } : {}),
    createTime: new Date(p.t.clock.now() - 500)
  })
}

forEachStore('refunds from the console through PayPal', () => {
  it('refunds part then the rest, once per refund key (PayPal-Request-Id), the answer then the notification recorded once', async () => {
    const p = await paidOrder()
    const { t, fake, orderNo, finance, path } = p
    try {
      const first = await finance.call('POST', path, { body: { amount: cny(3000), reason: 'stream dropped', refundKey: 'refund-0001' } })
      expect(first.status).toBe(200)
      expect(first.body.refund).toMatchObject({ state: 'succeeded', amount: cny(3000), providerRefundId: expect.stringMatching(/^1JU/) })
      const sent = refundCalls(p)
      expect(sent).toHaveLength(1)
      expect(sent[0]!.requestId).toBe('refund-0001')
      expect(sent[0]!.authorization).toMatch(/^Bearer A21AA/)
      expect(JSON.parse(sent[0]!.body)).toEqual({ amount: { currency_code: 'CNY', value: '30.00' }, custom_id: orderNo, invoice_id: orderNo, note_to_payer: 'stream dropped' })
      expect(await effects(t, orderNo)).toMatchObject({ state: 'partially_refunded', refunded: 3000, refundRecords: 1, refundTransfers: 1, wallet: 7000 })

      // The same key: no second call; another amount under it is a conflict.
      const again = await finance.call('POST', path, { body: { amount: cny(3000), reason: 'stream dropped', refundKey: 'refund-0001' } })
      expect(again.body.refund.providerRefundId).toBe(first.body.refund.providerRefundId)
      expect(refundCalls(p)).toHaveLength(1)
      expect((await finance.call('POST', path, { body: { amount: cny(100), reason: 'stream dropped', refundKey: 'refund-0001' } })).status).toBe(409)

      // PayPal's PAYMENT.CAPTURE.REFUNDED for it (and its redelivery) changes nothing.
      const note = notification(p, first.body.refund.providerRefundId)
      expect((await deliver(t, note)).status).toBe(200)
      expect((await deliver(t, note)).status).toBe(200)
      expect(await effects(t, orderNo)).toMatchObject({ refunded: 3000, refundRecords: 1, refundTransfers: 1 })

      const over = await finance.call('POST', path, { body: { amount: cny(7001), reason: 'too much', refundKey: 'refund-0002' } })
      expect(over.body.error).toMatchObject({ code: 'INVALID_AMOUNT', details: { left: 7000 } })
      // A revoked token: the adapter fetches a new one and the refund goes through.
      fake.revokeTokens()
      const issued = fake.tokensIssued()
      const rest = await finance.call('POST', path, { body: { reason: 'customer asked', refundKey: 'refund-0003' } })
      expect(rest.body.refund).toMatchObject({ state: 'succeeded', amount: cny(7000) })
      expect(fake.tokensIssued()).toBe(issued + 1)
      expect(JSON.parse(refundCalls(p).at(-1)!.body).amount).toEqual({ currency_code: 'CNY', value: '70.00' })
      expect(await effects(t, orderNo)).toMatchObject({ state: 'refunded', refunded: 10_000, refundRecords: 2, refundTransfers: 2, wallet: 0 })
      expect(fake.refunds.get(p.captureId)!.map((r) => [r.amount.value, r.status])).toEqual([
        ['30.00', 'COMPLETED'],
        ['70.00', 'COMPLETED']
      ])
    } finally {
      await fake.close()
    }
  })

  it('notification first: the answer lost, PAYMENT.CAPTURE.REFUNDED records the refund, the retry by the same key finds it recorded', async () => {
    const p = await paidOrder()
    const { t, fake, orderNo, finance, path } = p
    try {
      fake.loseNextAnswer()
      const lost = await finance.call('POST', path, { body: { amount: cny(4000), reason: 'double charge', refundKey: 'refund-lost-1' } })
      expect(lost.status).toBe(503)
      expect((await finance.call('GET', path)).body.refunds[0]).toMatchObject({ state: 'failed', error: expect.stringContaining('paypal refund (fetch failed)') })
      const [made] = fake.refunds.get(p.captureId)!
      expect(made).toMatchObject({ status: 'COMPLETED', amount: { value: '40.00' } })

      // Without custom_id the relay reads the capture for the order number: the same refund id.
      const { custom_id: _c, ...withoutCustom } = made!
      fake.refunds.set(p.captureId, [withoutCustom])
      expect((await deliver(t, notification(p, made!.id))).status).toBe(200)
      expect(await effects(t, orderNo)).toMatchObject({ state: 'partially_refunded', refunded: 4000, refundRecords: 1, refundTransfers: 1 })

      const retried = await finance.call('POST', path, { body: { amount: cny(4000), reason: 'double charge', refundKey: 'refund-lost-1' } })
      expect(retried.body.refund).toMatchObject({ state: 'succeeded', providerRefundId: made!.id })
      expect(refundCalls(p).map((r) => r.requestId)).toEqual(['refund-lost-1', 'refund-lost-1'])
      expect(fake.refunds.get(p.captureId)).toHaveLength(1)
      expect(await effects(t, orderNo)).toMatchObject({ refunded: 4000, refundRecords: 1, refundTransfers: 1 })
    } finally {
      await fake.close()
    }
  })

  it('a failed call stays failed and is retried by the same key; refusals and FAILED refunds are errors', async () => {
    const p = await paidOrder()
    const { t, fake, orderNo, finance, path } = p
    try {
      fake.failNext(500)
      const failed = await finance.call('POST', path, { body: { amount: cny(2000), reason: 'duplicate charge', refundKey: 'refund-fail-1' } })
      expect(failed.status).toBe(503)
      expect(failed.body.error.message).toContain('paypal refund failed: HTTP 500 INTERNAL_SERVER_ERROR')
      expect(failed.body.error.message).not.toContain(clientSecret)
      expect((await finance.call('GET', path)).body.refunds[0]).toMatchObject({ state: 'failed' })
      expect(await effects(t, orderNo)).toMatchObject({ state: 'paid', refunded: 0 })
      const retried = await finance.call('POST', path, { body: { amount: cny(2000), reason: 'duplicate charge', refundKey: 'refund-fail-1' } })
      expect(retried.body.refund.state).toBe('succeeded')
      expect(await effects(t, orderNo)).toMatchObject({ refunded: 2000, refundRecords: 1 })

      // PayPal makes the refund FAILED: an error, nothing recorded; under the same
      // PayPal-Request-Id PayPal answers that FAILED refund again, so a new key is a new try.
      fake.refundsAnswer('FAILED')
      const bad = await finance.call('POST', path, { body: { amount: cny(1000), reason: 'bank said no', refundKey: 'refund-bad-1' } })
      expect(bad.status).toBe(503)
      expect(bad.body.error.message).toMatch(/paypal refund 1JU\d+ is FAILED/)
      fake.refundsAnswer('COMPLETED')
      expect((await finance.call('POST', path, { body: { amount: cny(1000), reason: 'bank said no', refundKey: 'refund-bad-1' } })).status).toBe(503)
      expect((await finance.call('POST', path, { body: { amount: cny(1000), reason: 'bank said no', refundKey: 'refund-bad-2' } })).body.refund.state).toBe('succeeded')
      expect(await effects(t, orderNo)).toMatchObject({ refunded: 3000, refundRecords: 2 })

      // Refunded in PayPal's dashboard, unknown to the relay: PayPal refuses more than is left.
      const token = (await (
        await fetch(`${fake.baseUrl}/v1/oauth2/token`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials'
        })
      ).json()) as { access_token: string }
      const dashboard = await fetch(`${fake.baseUrl}/v2/payments/captures/${p.captureId}/refund`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amount: pp(5000) })
      })
      expect(dashboard.status).toBe(201)
      const refused = await finance.call('POST', path, { body: { reason: 'the rest', refundKey: 'refund-rest-1' } })
      expect(refused.status).toBe(503)
      expect(refused.body.error.message).toContain('HTTP 422 UNPROCESSABLE_ENTITY REFUND_AMOUNT_EXCEEDED')
      expect((await finance.call('GET', path)).body.refunds.at(-1)).toMatchObject({ refundKey: 'refund-rest-1', state: 'failed' })
      expect(await effects(t, orderNo)).toMatchObject({ state: 'partially_refunded', refunded: 3000, refundRecords: 2 })
    } finally {
      await fake.close()
    }
  })

  it('a PENDING refund is not refundable again and is recorded once by its notification', async () => {
    const p = await paidOrder()
    const { t, fake, orderNo, finance, path } = p
    try {
      fake.refundsAnswer('PENDING')
      const pending = await finance.call('POST', path, { body: { amount: cny(5000), reason: 'bank transfer back', refundKey: 'refund-pend-1' } })
      expect(pending.body.refund.state).toBe('pending')
      expect(await effects(t, orderNo)).toMatchObject({ state: 'paid', refunded: 0, refundRecords: 0 })
      expect((await finance.call('POST', path, { body: { amount: cny(5001), reason: 'over', refundKey: 'refund-over-1' } })).body.error.details.left).toBe(5000)

      const id = pending.body.refund.providerRefundId as string
      fake.completeRefund(id)
      const done = notification(p, id)
      expect((await deliver(t, done)).status).toBe(200)
      expect((await deliver(t, done)).status).toBe(200)
      expect(await effects(t, orderNo)).toMatchObject({ state: 'partially_refunded', refunded: 5000, refundRecords: 1, refundTransfers: 1 })
      // The same key again: the request is kept as PayPal answered it (pending), no second call.
      expect((await finance.call('POST', path, { body: { amount: cny(5000), reason: 'bank transfer back', refundKey: 'refund-pend-1' } })).body.refund.providerRefundId).toBe(id)
      expect(refundCalls(p)).toHaveLength(1)
      expect((await finance.call('POST', path, { body: { amount: cny(5001), reason: 'over', refundKey: 'refund-over-2' } })).body.error.details.left).toBe(5000)
    } finally {
      await fake.close()
    }
  })
})
