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
      expect(await effects(t, orderNo)).toMatchObject({ state: 'paid', paymentRecords: 1, grants: 1 })
      expect((await auditReasons(t)).map((r) => r.reason)).toEqual([
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
      expect(await effects(t, orderNo)).toMatchObject({ state: 'refunded', refundRecords: 1, refunded: 7900 })
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
      expect(await effects(t, orderNo)).toMatchObject({ state: 'pending', paymentRecords: 0, wallet: 0 })
    } finally {
      await fake.close()
    }
  })

  it('charge.refunded without an embedded refund list (current API versions) records each refund of the charge, fetched through the API, once', async () => {
    const { t, fake } = await setup()
    try {
      const dev = await enrolDevice(t.api)
      const co = await t.api('POST', '/v1/checkouts', {
        token: dev.token,
        body: { provider: 'stripe', item: { kind: 'recharge', amount: { amount: 10_000, currency: 'CNY' } } },
        headers: { 'idempotency-key': newKey() }
      })
      const orderNo = co.body.order.orderNo as string
      const created = Math.floor(t.clock.now() / 1000)
      expect((await send(t, sessionCompletedEvent({ orderNo, amount: 10_000, currency: 'cny', created, paid: true }))).status).toBe(200)
      expect(await effects(t, orderNo)).toMatchObject({ state: 'paid', wallet: 10_000 })

      const charge = { chargeId: 'ch_bare', paymentIntentId: `pi_${orderNo}`, orderNo, amount: 10_000, currency: 'cny', created, refunds: null }
      // Made in the dashboard: no order_no on the refund itself; the charge names the order.
      const r1 = { refundId: 're_bare1', amount: 3000, currency: 'cny', created, paymentIntentId: `pi_${orderNo}`, chargeId: 'ch_bare' }
      fake.addRefund(r1)
      const first = chargeRefundedEvent({ ...charge, amountRefunded: 3000, eventId: 'evt_cr1' })
      expect((await send(t, first)).status).toBe(200)
      expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/refunds' })
      expect(await effects(t, orderNo)).toMatchObject({ state: 'partially_refunded', refunded: 3000, refundRecords: 1, wallet: 7000 })

      // The rest refunded, and one more still pending (not counted until it succeeds).
      fake.addRefund({ ...r1, refundId: 're_bare2', amount: 7000 })
      fake.addRefund({ ...r1, refundId: 're_bare3', amount: 1, status: 'pending' })
      const second = chargeRefundedEvent({ ...charge, amountRefunded: 10_000, eventId: 'evt_cr2' })
      // Stripe's API down: a 5xx so Stripe redelivers, and nothing recorded meanwhile.
      fake.failNext(500)
      expect((await send(t, second)).status).toBeGreaterThanOrEqual(500)
      expect(await effects(t, orderNo)).toMatchObject({ refunded: 3000, refundRecords: 1 })
      expect((await send(t, second)).status).toBe(200)
      expect(await effects(t, orderNo)).toMatchObject({ state: 'refunded', refunded: 10_000, refundRecords: 2, wallet: 0 })

      // Redeliveries and the refund.* events of the same refunds change nothing.
      expect((await send(t, first)).status).toBe(200)
      expect((await send(t, refundEvent('refund.updated', { ...r1, metadata: { order_no: orderNo } }))).status).toBe(200)
      expect(await effects(t, orderNo)).toMatchObject({ state: 'refunded', refunded: 10_000, refundRecords: 2, wallet: 0 })
    } finally {
      await fake.close()
    }
  })
})
