import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/node/clock'
import { BillingError } from '../../../src/shared/errors'
import { createStripeProvider, stripeConfigFromEnv } from '../../../src/relay/providers/stripe'
import { NotificationRejected, type PaymentProvider } from '../../../src/relay/providers/types'
import {
  asyncPaymentFailedEvent,
  asyncPaymentSucceededEvent,
  chargeRefundedEvent,
  refundEvent,
  sessionCompletedEvent,
  sessionExpiredEvent,
  signStripeEvent,
  startFakeStripe,
  stripeEvent,
  type FakeStripe
} from '../fakes/stripe'

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0)
const nowSec = NOW / 1000
// Generated per run: no real secret in the repo.
const apiKey = `sk_test_${randomBytes(12).toString('hex')}`
const webhookSecret = `whsec_${randomBytes(24).toString('base64url')}`

let fake: FakeStripe
let clock: ManualClock
let stripe: PaymentProvider

beforeAll(async () => {
  clock = new ManualClock(NOW)
  fake = await startFakeStripe({ apiKey, now: () => clock.now() })
  stripe = createStripeProvider(
    {
      secretKey: apiKey,
      webhookSecret,
      successUrl: 'https://relay.example/stripe/success?session={CHECKOUT_SESSION_ID}',
      cancelUrl: 'https://relay.example/stripe/cancel',
      ...fake.apiConfig
    },
    { clock }
  )
})
afterAll(() => fake.close())

function delivery(payload: string, header: string | undefined, receivedAt = NOW) {
  return {
    rawBody: Buffer.from(payload, 'utf8'),
    headers: header === undefined ? {} : { 'stripe-signature': header },
    receivedAt
  }
}
function signed(event: object, timestamp = nowSec, secret = webhookSecret) {
  const payload = JSON.stringify(event)
  return delivery(payload, signStripeEvent(payload, secret, timestamp))
}
async function rejection(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(NotificationRejected)
  return (err as NotificationRejected).reason
}

const order = { orderNo: 'R20250115-0001', amount: 1999, currency: 'usd', created: nowSec - 5 }

describe('stripe createCheckout through the SDK', () => {
  it('creates a payment-mode session carrying the order number three ways', async () => {
    const checkout = await stripe.createCheckout({
      orderNo: 'R-1',
      amount: { amount: 1999, currency: 'USD' },
      subject: 'Wallet top-up',
      expiresAt: NOW + 60 * 60_000
    })
    const req = fake.requests.at(-1)!
    expect(req.path).toBe('/v1/checkout/sessions')
    expect(req.authorization).toBe(`Bearer ${apiKey}`)
    expect(req.params).toMatchObject({
      mode: 'payment',
      client_reference_id: 'R-1',
      metadata: { order_no: 'R-1' },
      payment_intent_data: { metadata: { order_no: 'R-1' } },
      line_items: [{ quantity: '1', price_data: { currency: 'usd', unit_amount: '1999', product_data: { name: 'Wallet top-up' } } }],
      expires_at: String(nowSec + 3600),
      success_url: 'https://relay.example/stripe/success?session={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://relay.example/stripe/cancel'
    })
    const session = fake.sessions.get(checkout.providerRef!)!
    expect(checkout).toEqual({ kind: 'url', content: session['url'], providerRef: session['id'], expiresAt: NOW + 3600_000 })
  })

  it('clamps the expiry into Stripe’s 30 min – 24 h window and sends JPY in whole yen', async () => {
    const short = await stripe.createCheckout({
      orderNo: 'R-2',
      amount: { amount: 500, currency: 'JPY' },
      subject: 'x',
      expiresAt: NOW + 5 * 60_000
    })
    expect(short.expiresAt).toBe(NOW + 31 * 60_000)
    expect(fake.requests.at(-1)!.params).toMatchObject({
      line_items: [{ price_data: { currency: 'jpy', unit_amount: '500' } }]
    })
    const long = await stripe.createCheckout({
      orderNo: 'R-3',
      amount: { amount: 100, currency: 'EUR' },
      subject: 'x',
      expiresAt: NOW + 3 * 86_400_000,
      returnUrl: 'https://relay.example/r',
      cancelUrl: 'https://relay.example/c'
    })
    expect(long.expiresAt).toBe(NOW + (86_400 - 60) * 1000)
    expect(fake.requests.at(-1)!.params).toMatchObject({ success_url: 'https://relay.example/r', cancel_url: 'https://relay.example/c' })
  })

  it('turns API failures into UNAVAILABLE without retrying (maxNetworkRetries 0)', async () => {
    const before = fake.requests.length
    fake.failNext(500)
    const err = await stripe
      .createCheckout({ orderNo: 'R-4', amount: { amount: 1, currency: 'USD' }, subject: 'x', expiresAt: NOW + 3600_000 })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BillingError)
    expect((err as BillingError).code).toBe('UNAVAILABLE')
    expect(fake.requests.length).toBe(before + 1)
  })

  it('a wrong API key is refused by the API and reported, not hidden', async () => {
    const other = createStripeProvider(
      { secretKey: 'sk_test_wrong', webhookSecret, successUrl: 'https://a.example/s', cancelUrl: 'https://a.example/c', ...fake.apiConfig },
      { clock }
    )
    await expect(
      other.createCheckout({ orderNo: 'R-5', amount: { amount: 1, currency: 'USD' }, subject: 'x', expiresAt: NOW + 3600_000 })
    ).rejects.toMatchObject({ code: 'UNAVAILABLE', details: { statusCode: 401 } })
  })
})

describe('stripe closeCheckout (a cancelled order)', () => {
  it('expires the open session through the SDK; a second close is refused by Stripe as UNAVAILABLE', async () => {
    const checkout = await stripe.createCheckout({ orderNo: 'R-close', amount: { amount: 1999, currency: 'USD' }, subject: 'x', expiresAt: NOW + 60 * 60_000 })
    await stripe.closeCheckout!({ orderNo: 'R-close', providerRef: checkout.providerRef! })
    expect(fake.requests.at(-1)!.path).toBe(`/v1/checkout/sessions/${checkout.providerRef}/expire`)
    expect(fake.sessions.get(checkout.providerRef!)!['status']).toBe('expired')
    const again = await stripe.closeCheckout!({ orderNo: 'R-close', providerRef: checkout.providerRef! }).catch((e: unknown) => e)
    expect(again).toBeInstanceOf(BillingError)
    expect(again).toMatchObject({ code: 'UNAVAILABLE', details: { provider: 'stripe', statusCode: 400 } })
    await expect(stripe.closeCheckout!({ orderNo: 'R-none', providerRef: null })).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })
})

describe('stripe verifyNotification', () => {
  it('accepts a paid checkout.session.completed and normalises it', async () => {
    const event = sessionCompletedEvent({ ...order, paid: true, eventId: 'evt_paid' })
    expect(await stripe.verifyNotification(signed(event))).toEqual([
      {
        type: 'payment.succeeded',
        eventId: 'evt_paid',
        orderNo: order.orderNo,
        providerPaymentId: `pi_${order.orderNo}`,
        amount: { amount: 1999, currency: 'USD' },
        occurredAt: order.created * 1000
      }
    ])
  })

  it('ignores a completed session whose payment is still pending; async events decide', async () => {
    const [unpaid] = await stripe.verifyNotification(signed(sessionCompletedEvent({ ...order, paid: false, eventId: 'evt_u' })))
    expect(unpaid).toMatchObject({ type: 'ignored', eventId: 'evt_u' })
    const [ok] = await stripe.verifyNotification(signed(asyncPaymentSucceededEvent({ ...order, eventId: 'evt_as' })))
    expect(ok).toMatchObject({ type: 'payment.succeeded', eventId: 'evt_as', amount: { amount: 1999, currency: 'USD' } })
    const [failed] = await stripe.verifyNotification(signed(asyncPaymentFailedEvent({ ...order, eventId: 'evt_af' })))
    expect(failed).toMatchObject({ type: 'payment.failed', eventId: 'evt_af', orderNo: order.orderNo })
    const [expired] = await stripe.verifyNotification(signed(sessionExpiredEvent({ ...order, eventId: 'evt_ex' })))
    expect(expired).toEqual({ type: 'checkout.expired', eventId: 'evt_ex', orderNo: order.orderNo, occurredAt: order.created * 1000 })
  })

  it('rejects a missing, forged or wrong-secret signature and a tampered body', async () => {
    const payload = JSON.stringify(sessionCompletedEvent({ ...order, paid: true }))
    expect(await rejection(stripe.verifyNotification(delivery(payload, undefined)))).toBe('missing_signature')
    expect(await rejection(stripe.verifyNotification(delivery(payload, `t=${nowSec}`)))).toBe('missing_signature')
    const forged = `t=${nowSec},v1=${'ab'.repeat(32)}`
    expect(await rejection(stripe.verifyNotification(delivery(payload, forged)))).toBe('bad_signature')
    const wrongSecret = signStripeEvent(payload, `whsec_${randomBytes(24).toString('base64url')}`, nowSec)
    expect(await rejection(stripe.verifyNotification(delivery(payload, wrongSecret)))).toBe('bad_signature')
    const header = signStripeEvent(payload, webhookSecret, nowSec)
    const tampered = payload.replace('"amount_total":1999', '"amount_total":1')
    expect(tampered).not.toBe(payload)
    expect(await rejection(stripe.verifyNotification(delivery(tampered, header)))).toBe('bad_signature')
  })

  it('rejects old timestamps (SDK tolerance) and future ones beyond the skew', async () => {
    const event = sessionCompletedEvent({ ...order, paid: true })
    expect(await rejection(stripe.verifyNotification(signed(event, nowSec - 301)))).toBe('timestamp_out_of_window')
    expect(await stripe.verifyNotification(signed(event, nowSec - 299))).toHaveLength(1)
    expect(await rejection(stripe.verifyNotification(signed(event, nowSec + 31)))).toBe('timestamp_out_of_window')
    expect(await rejection(stripe.verifyNotification(signed(event, nowSec + 3600)))).toBe('timestamp_out_of_window')
    expect(await stripe.verifyNotification(signed(event, nowSec + 29))).toHaveLength(1)
  })

  it('rejects a live-mode event for a test key, and a signed body that is not an event', async () => {
    const live = stripeEvent('checkout.session.expired', { id: 'cs_1' }, { created: nowSec, livemode: true })
    expect(await rejection(stripe.verifyNotification(signed(live)))).toBe('wrong_merchant')
    const junk = 'not json'
    expect(await rejection(stripe.verifyNotification(delivery(junk, signStripeEvent(junk, webhookSecret, nowSec))))).toBe(
      'malformed'
    )
  })

  it('ignores event types the relay does not handle', async () => {
    const [e] = await stripe.verifyNotification(signed(stripeEvent('customer.created', { id: 'cus_1' }, { id: 'evt_c', created: nowSec })))
    expect(e).toEqual({ type: 'ignored', eventId: 'evt_c', reason: 'unhandled event type customer.created' })
  })
})

describe('stripe refunds', () => {
  it('takes THIS refund’s amount from refund.created and finds the order through the PaymentIntent', async () => {
    const checkout = await stripe.createCheckout({
      orderNo: 'R-refund',
      amount: { amount: 2000, currency: 'USD' },
      subject: 'x',
      expiresAt: NOW + 3600_000
    })
    const piId = String(fake.sessions.get(checkout.providerRef!)!['payment_intent'])
    const events = await stripe.verifyNotification(
      signed(refundEvent('refund.created', { refundId: 're_1', amount: 700, currency: 'usd', created: nowSec, paymentIntentId: piId, eventId: 'evt_r1' }))
    )
    expect(events).toEqual([
      { type: 'refund.succeeded', eventId: 're_1', orderNo: 'R-refund', refundId: 're_1', amount: { amount: 700, currency: 'USD' }, occurredAt: NOW }
    ])
    expect(fake.requests.at(-1)!.path).toBe(`/v1/payment_intents/${piId}`)
  })

  it('a refund that fails or is canceled after a pending answer is refund.failed, keyed apart from its success', async () => {
    const base = { refundId: 're_f1', amount: 300, currency: 'usd', created: nowSec, paymentIntentId: 'pi_unknown', metadata: { order_no: 'R-7' } }
    const [failed] = await stripe.verifyNotification(signed(refundEvent('refund.failed', { ...base, status: 'failed', failureReason: 'lost_or_stolen_card', eventId: 'evt_f1' })))
    expect(failed).toEqual({ type: 'refund.failed', eventId: 're_f1:failed', orderNo: 'R-7', refundId: 're_f1', reason: 'failed: lost_or_stolen_card', occurredAt: NOW })
    const [canceled] = await stripe.verifyNotification(signed(refundEvent('refund.updated', { ...base, status: 'canceled', eventId: 'evt_f2' })))
    expect(canceled).toMatchObject({ type: 'refund.failed', eventId: 're_f1:failed', reason: 'canceled' })
  })

  it('uses the refund’s own order_no metadata when present and ignores a pending refund', async () => {
    const base = { refundId: 're_2', amount: 300, currency: 'usd', created: nowSec, paymentIntentId: 'pi_unknown' }
    const [pending] = await stripe.verifyNotification(signed(refundEvent('refund.created', { ...base, status: 'pending', eventId: 'evt_p' })))
    expect(pending).toMatchObject({ type: 'ignored', eventId: 'evt_p' })
    const [done] = await stripe.verifyNotification(
      signed(refundEvent('refund.updated', { ...base, metadata: { order_no: 'R-9' }, eventId: 'evt_u2' }))
    )
    expect(done).toMatchObject({ type: 'refund.succeeded', eventId: 're_2', orderNo: 'R-9', amount: { amount: 300, currency: 'USD' } })
  })

  it('charge.refunded yields each embedded refund, not the cumulative amount_refunded', async () => {
    const refunds = [
      { refundId: 're_a', amount: 500, currency: 'usd', created: nowSec - 60, paymentIntentId: 'pi_x' },
      { refundId: 're_b', amount: 1000, currency: 'usd', created: nowSec, paymentIntentId: 'pi_x' }
    ]
    const event = chargeRefundedEvent({ chargeId: 'ch_x', paymentIntentId: 'pi_x', orderNo: 'R-7', amount: 2000, currency: 'usd', created: nowSec, refunds })
    expect((event['data'] as { object: { amount_refunded: number } }).object.amount_refunded).toBe(1500)
    const out = await stripe.verifyNotification(signed(event))
    expect(out.map((e) => (e.type === 'refund.succeeded' ? [e.eventId, e.orderNo, e.amount.amount] : e.type))).toEqual([
      ['re_a', 'R-7', 500],
      ['re_b', 'R-7', 1000]
    ])
  })

  it('charge.refunded without embedded refunds lists the charge’s refunds through the API, every page, succeeded ones only', async () => {
    // 101 refunds: more than one page of 100.
    for (let i = 0; i < 101; i++)
      fake.addRefund({ refundId: `re_y${i}`, amount: 10, currency: 'usd', created: nowSec - 200 + i, paymentIntentId: 'pi_y', chargeId: 'ch_y' })
    fake.addRefund({ refundId: 're_ypending', amount: 10, currency: 'usd', created: nowSec, paymentIntentId: 'pi_y', chargeId: 'ch_y', status: 'pending' })
    const before = fake.requests.length
    const bare = chargeRefundedEvent({ chargeId: 'ch_y', paymentIntentId: 'pi_y', orderNo: 'R-8', amount: 2000, currency: 'usd', created: nowSec, refunds: null, amountRefunded: 1010, eventId: 'evt_bare' })
    const out = await stripe.verifyNotification(signed(bare))
    expect(out).toHaveLength(101)
    expect(out.every((e) => e.type === 'refund.succeeded' && e.orderNo === 'R-8' && e.amount.amount === 10)).toBe(true)
    expect(new Set(out.map((e) => e.eventId)).size).toBe(101)
    const lists = fake.requests.slice(before).filter((r) => r.path === '/v1/refunds')
    expect(lists.length).toBe(2)
    // The API failing is retryable (5xx to Stripe), not a rejection.
    fake.failNext(503)
    await expect(stripe.verifyNotification(signed(bare))).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })

  it('an order lookup that fails is a retryable error, not a rejection', async () => {
    const event = refundEvent('refund.created', { refundId: 're_3', amount: 1, currency: 'usd', created: nowSec, paymentIntentId: 'pi_missing' })
    await expect(stripe.verifyNotification(signed(event))).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })
})

describe('stripe replies and config', () => {
  it('answers 200 {"received":true} and 400 on rejection', () => {
    expect(stripe.accepted()).toEqual({ status: 200, body: '{"received":true}', contentType: 'application/json' })
    expect(stripe.rejected('bad_signature')).toMatchObject({ status: 400, body: '{"error":"bad_signature"}' })
    expect(stripe.rejected('busy', 503).status).toBe(503)
  })

  it('reads the environment: off without credentials, errors name the variable', () => {
    expect(stripeConfigFromEnv({})).toBeUndefined()
    const env = {
      STRIPE_SECRET_KEY: apiKey,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_SUCCESS_URL: 'https://relay.example/s',
      STRIPE_CANCEL_URL: 'https://relay.example/c',
      STRIPE_API_PORT: '12111'
    }
    expect(stripeConfigFromEnv(env)).toMatchObject({ secretKey: apiKey, apiPort: 12111, toleranceSeconds: 300, futureSkewSeconds: 30 })
    expect(() => stripeConfigFromEnv({ ...env, STRIPE_WEBHOOK_SECRET: 'oops' })).toThrow(/STRIPE_WEBHOOK_SECRET/)
    expect(() => stripeConfigFromEnv({ STRIPE_SECRET_KEY: apiKey })).toThrow(/STRIPE_WEBHOOK_SECRET/)
    expect(() => stripeConfigFromEnv({ ...env, STRIPE_SUCCESS_URL: 'javascript:alert(1)' })).toThrow(/STRIPE_SUCCESS_URL/)
  })
})
