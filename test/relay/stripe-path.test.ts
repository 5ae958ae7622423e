import { describe, expect, it } from 'vitest'
import { effects, auditReasons } from './support/flows'
import { enrolDevice, newKey, startTestRelay, type TestRelay } from './support/relay'
import { STRIPE_SECRET_KEY as SECRET_KEY, STRIPE_WEBHOOK_SECRET as WEBHOOK_SECRET, stripeEnv } from './support/stripe'
import {
  chargeRefundedEvent,
  refundEvent,
  sessionCompletedEvent,
  signStripeEvent,
  startFakeStripe,
  type FakeStripe
} from './fakes/stripe'

// The real Stripe adapter (stripe SDK against a fake Stripe API on 127.0.0.1, webhook events
// signed with a secret generated here) through the relay's whole pipeline.

async function setup(): Promise<{ t: TestRelay; fake: FakeStripe }> {
  let t: TestRelay | undefined
  const fake = await startFakeStripe({ apiKey: SECRET_KEY, now: () => t!.clock.now() })
  t = await startTestRelay({ config: { providerSources: { env: stripeEnv(fake), file: {} } } })
  return { t, fake }
}

function send(t: TestRelay, event: Record<string, unknown>, secret = WEBHOOK_SECRET, at = Math.floor(t.clock.now() / 1000)) {
  const body = JSON.stringify(event)
  return t.api('POST', '/v1/notify/stripe', {
    raw: body,
    headers: { 'content-type': 'application/json', 'stripe-signature': signStripeEvent(body, secret, at) }
  })
}

describe('Stripe through the relay', () => {
  it('creates a Checkout Session with the relay price and fulfils a signed completion exactly once', async () => {
    const { t, fake } = await setup()
    try {
      const dev = await enrolDevice(t.api)
      const co = await t.api('POST', '/v1/checkouts', {
        token: dev.token,
        body: { provider: 'stripe', item: { kind: 'plan', planCode: 'BASIC', period: 'quarterly' } },
        headers: { 'idempotency-key': newKey() }
      })
      expect(co.status).toBe(200)
      expect(co.body.checkout.kind).toBe('url')
      const orderNo = co.body.order.orderNo as string
      const sent = fake.requests.find((r) => r.path === '/v1/checkout/sessions')!
      expect(sent.params['client_reference_id']).toBe(orderNo)
      expect((sent.params['line_items'] as any)[0].price_data.unit_amount).toBe('7900')

      const created = Math.floor(t.clock.now() / 1000)
      const ev = sessionCompletedEvent({ orderNo, amount: 7900, currency: 'cny', created, paid: true })
      expect((await send(t, ev)).status).toBe(200)
      expect((await send(t, ev)).status).toBe(200) // Stripe redelivers
      expect((await send(t, ev, 'whsec_forged')).status).toBe(400)
      expect((await send(t, ev, WEBHOOK_SECRET, created + 3600)).status).toBe(400) // from the future
      expect((await send(t, ev, WEBHOOK_SECRET, created - 3600)).status).toBe(400) // too old
      const wrong = sessionCompletedEvent({ orderNo, amount: 790, currency: 'cny', created, paid: true, eventId: 'evt_wrong' })
      expect((await send(t, wrong)).status).toBe(400)
      expect(effects(t, orderNo)).toMatchObject({ state: 'paid', paymentRecords: 1, grants: 1 })
      expect(auditReasons(t).map((r) => r.reason)).toEqual([
        null,
        'replayed_event_id',
        'bad_signature',
        'timestamp_out_of_window',
        'timestamp_out_of_window',
        'amount_mismatch'
      ])

      // A refund arrives as refund.updated and again inside charge.refunded: one effect.
      const refund = { refundId: 're_1', amount: 7900, currency: 'cny', created, paymentIntentId: `pi_${orderNo}`, metadata: { order_no: orderNo } }
      expect((await send(t, refundEvent('refund.updated', refund))).status).toBe(200)
      expect(
        (
          await send(
            t,
            chargeRefundedEvent({ chargeId: 'ch_1', paymentIntentId: `pi_${orderNo}`, orderNo, amount: 7900, currency: 'cny', created, refunds: [refund] })
          )
        ).status
      ).toBe(200)
      expect(effects(t, orderNo)).toMatchObject({ state: 'refunded', refundRecords: 1, refunded: 7900 })
    } finally {
      await fake.close()
    }
  })

  it('an unpaid completion (delayed method) is acknowledged without fulfilment', async () => {
    const { t, fake } = await setup()
    try {
      const dev = await enrolDevice(t.api)
      const co = await t.api('POST', '/v1/checkouts', {
        token: dev.token,
        body: { provider: 'stripe', item: { kind: 'recharge', amount: { amount: 5000, currency: 'CNY' } } },
        headers: { 'idempotency-key': newKey() }
      })
      const orderNo = co.body.order.orderNo
      const ev = sessionCompletedEvent({ orderNo, amount: 5000, currency: 'cny', created: Math.floor(t.clock.now() / 1000), paid: false })
      expect((await send(t, ev)).status).toBe(200)
      expect(effects(t, orderNo)).toMatchObject({ state: 'pending', paymentRecords: 0, wallet: 0 })
    } finally {
      await fake.close()
    }
  })
})
