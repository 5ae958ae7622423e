import { expect, it } from 'vitest'
import { refundEvent, sessionCompletedEvent, signStripeEvent, startFakeStripe, type FakeStripe } from '../fakes/stripe'
import { effects } from '../support/flows'
import { forEachStore } from '../support/pg'
import { enrolDevice, newKey, startTestRelay, type TestRelay } from '../support/relay'
import { STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, stripeEnv } from '../support/stripe'
import { addOperator, signIn, type ConsoleSession } from './support'

// Refunds from the console through Stripe's refund API (the real SDK against the fake Stripe):
// idempotent by refund key, never more than is left, recorded once whether the answer or the
// notification comes first, a failed call retried by the same key. On both stores.

const cny = (amount: number) => ({ amount, currency: 'CNY' })

async function paidOrder(): Promise<{ t: TestRelay; fake: FakeStripe; orderNo: string; finance: ConsoleSession }> {
  let t: TestRelay | undefined
  const fake = await startFakeStripe({ apiKey: STRIPE_SECRET_KEY, now: () => t!.clock.now() })
  t = await startTestRelay({ config: { providerSources: { env: stripeEnv(fake), file: {} } } })
  const dev = await enrolDevice(t.api)
  const co = await t.api('POST', '/v1/checkouts', {
    token: dev.token,
    body: { provider: 'stripe', item: { kind: 'recharge', amount: cny(10_000) } },
    headers: { 'idempotency-key': newKey() }
  })
  const orderNo = co.body.order.orderNo as string
  const paymentIntentId = [...fake.paymentIntents.keys()].at(-1)!
  await send(t, sessionCompletedEvent({ orderNo, amount: 10_000, currency: 'cny', created: Math.floor(t.clock.now() / 1000), paid: true, paymentIntentId }))
  await addOperator(t, 'finance@example.com', 'finance')
  return { t, fake, orderNo, finance: await signIn(t, 'finance@example.com') }
}

function send(t: TestRelay, event: Record<string, unknown>) {
  const body = JSON.stringify(event)
  return t.api('POST', '/v1/notify/stripe', {
    raw: body,
    headers: { 'content-type': 'application/json', 'stripe-signature': signStripeEvent(body, STRIPE_WEBHOOK_SECRET, Math.floor(t.clock.now() / 1000)) }
  })
}

forEachStore('refunds from the console', () => {
  it('refunds part then the rest through Stripe, once per refund key, never more than is left', async () => {
    const { t, fake, orderNo, finance } = await paidOrder()
    try {
      const path = `/v1/console/orders/${orderNo}/refunds`
      const first = await finance.call('POST', path, { body: { amount: cny(3000), reason: 'stream dropped', refundKey: 'refund-0001' } })
      expect(first.status).toBe(200)
      expect(first.body.refund).toMatchObject({ state: 'succeeded', amount: cny(3000), requestedBy: 'finance@example.com' })
      const sent = fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds')
      expect(sent).toHaveLength(1)
      expect(sent[0]!.idempotencyKey).toBe('refund-0001')
      expect(sent[0]!.params).toMatchObject({ amount: '3000', payment_intent: expect.stringMatching(/^pi_fake/) })
      expect(await effects(t, orderNo)).toMatchObject({ state: 'partially_refunded', refunded: 3000, refundRecords: 1 })

      // The same key is the same refund (no second call); another amount under it is a conflict.
      expect((await finance.call('POST', path, { body: { amount: cny(3000), reason: 'stream dropped', refundKey: 'refund-0001' } })).body.refund.providerRefundId).toBe(first.body.refund.providerRefundId)
      expect(fake.requests.filter((r) => r.path === '/v1/refunds' && r.method === 'POST')).toHaveLength(1)
      expect((await finance.call('POST', path, { body: { amount: cny(100), reason: 'stream dropped', refundKey: 'refund-0001' } })).status).toBe(409)
      // Stripe's own notification of that refund changes nothing.
      const refund = fake.refunds.get(`ch_${sent[0]!.params['payment_intent']}`)![0]!
      const note = refundEvent('refund.updated', { refundId: refund.id, amount: 3000, currency: 'CNY', paymentIntentId: refund.payment_intent, created: refund.created, metadata: { order_no: orderNo } })
      expect((await send(t, note)).status).toBe(200)
      expect(await effects(t, orderNo)).toMatchObject({ refunded: 3000, refundRecords: 1 })

      const over = await finance.call('POST', path, { body: { amount: cny(7001), reason: 'too much', refundKey: 'refund-0002' } })
      expect(over.status).toBe(400)
      expect(over.body.error).toMatchObject({ code: 'INVALID_AMOUNT', details: { left: 7000 } })
      expect((await finance.call('POST', path, { body: { amount: { amount: 100, currency: 'USD' }, reason: 'wrong money', refundKey: 'refund-0003' } })).body.error.code).toBe('CURRENCY_MISMATCH')
      const rest = await finance.call('POST', path, { body: { reason: 'customer asked', refundKey: 'refund-0004' } })
      expect(rest.body.refund).toMatchObject({ state: 'succeeded', amount: cny(7000) })
      expect(await effects(t, orderNo)).toMatchObject({ state: 'refunded', refunded: 10_000, refundRecords: 2 })
      expect((await finance.call('POST', path, { body: { amount: cny(1), reason: 'again', refundKey: 'refund-0005' } })).body.error.code).toBe('INVALID_TRANSITION')
      const list = await finance.call('GET', path)
      expect(list.body.refunds.map((r: { refundKey: string; state: string }) => [r.refundKey, r.state])).toEqual([
        ['refund-0001', 'succeeded'],
        ['refund-0004', 'succeeded']
      ])
      const audit = await t.sql<{ action: string }>("SELECT action FROM audit_log WHERE action LIKE 'refund.%' ORDER BY seq")
      expect(audit.map((a) => a.action)).toEqual(['refund.request', 'refund.succeeded', 'refund.request', 'refund.succeeded'])
    } finally {
      await fake.close()
    }
  })

  it('keeps a failed call as failed and retries it by the same key; a pending refund is recorded once by its notification', async () => {
    const { t, fake, orderNo, finance } = await paidOrder()
    try {
      const path = `/v1/console/orders/${orderNo}/refunds`
      fake.failNext(500, 'stripe is down')
      const failed = await finance.call('POST', path, { body: { amount: cny(2000), reason: 'duplicate charge', refundKey: 'refund-fail-1' } })
      expect(failed.status).toBe(503)
      expect((await finance.call('GET', path)).body.refunds[0]).toMatchObject({ state: 'failed', error: expect.stringContaining('stripe refund create failed') })
      expect(await effects(t, orderNo)).toMatchObject({ state: 'paid', refunded: 0 })
      const retried = await finance.call('POST', path, { body: { amount: cny(2000), reason: 'duplicate charge', refundKey: 'refund-fail-1' } })
      expect(retried.body.refund.state).toBe('succeeded')
      expect(await effects(t, orderNo)).toMatchObject({ refunded: 2000, refundRecords: 1 })

      fake.refundsAnswer('pending')
      const pending = await finance.call('POST', path, { body: { amount: cny(5000), reason: 'bank transfer back', refundKey: 'refund-pend-1' } })
      expect(pending.body.refund.state).toBe('pending')
      expect(await effects(t, orderNo)).toMatchObject({ refunded: 2000 })
      // Not refundable twice while pending: 10,000 − 2,000 − 5,000 left.
      expect((await finance.call('POST', path, { body: { amount: cny(3001), reason: 'over', refundKey: 'refund-over-1' } })).body.error.details.left).toBe(3000)
      const id = pending.body.refund.providerRefundId as string
      const pi = fake.refunds.get([...fake.refunds.keys()][0]!)!.find((r) => r.id === id)!
      const done = refundEvent('refund.updated', { refundId: id, amount: 5000, currency: 'CNY', paymentIntentId: pi.payment_intent, created: pi.created, status: 'succeeded', metadata: { order_no: orderNo } })
      expect((await send(t, done)).status).toBe(200)
      expect((await send(t, done)).status).toBe(200)
      expect(await effects(t, orderNo)).toMatchObject({ state: 'partially_refunded', refunded: 7000, refundRecords: 2 })
      // Recorded now: what is left is 3,000, counted once.
      expect((await finance.call('POST', path, { body: { amount: cny(3001), reason: 'over', refundKey: 'refund-over-2' } })).body.error.details.left).toBe(3000)
    } finally {
      await fake.close()
    }
  })

  it('a pending refund that fails later is marked failed with its reason, its amount refundable again under a new key', async () => {
    const { t, fake, orderNo, finance } = await paidOrder()
    try {
      const path = `/v1/console/orders/${orderNo}/refunds`
      fake.refundsAnswer('pending')
      const pending = await finance.call('POST', path, { body: { amount: cny(4000), reason: 'bank transfer back', refundKey: 'refund-lost-1' } })
      expect(pending.body.refund.state).toBe('pending')
      expect((await finance.call('POST', path, { body: { amount: cny(6001), reason: 'over', refundKey: 'refund-lost-over' } })).body.error.details.left).toBe(6000)
      const id = pending.body.refund.providerRefundId as string
      const pi = fake.refunds.get([...fake.refunds.keys()][0]!)!.find((r) => r.id === id)!
      // At Stripe the refund fails (the fake's record too), and Stripe says so.
      pi.status = 'failed'
      const failed = refundEvent('refund.failed', { refundId: id, amount: 4000, currency: 'CNY', paymentIntentId: pi.payment_intent, created: pi.created, status: 'failed', failureReason: 'expired_or_canceled_card', metadata: { order_no: orderNo } })
      expect((await send(t, failed)).status).toBe(200)
      expect((await send(t, failed)).status).toBe(200)
      const [request] = (await finance.call('GET', path)).body.refunds
      expect(request).toMatchObject({ refundKey: 'refund-lost-1', state: 'failed', error: expect.stringContaining('expired_or_canceled_card') })
      expect(await effects(t, orderNo)).toMatchObject({ state: 'paid', refunded: 0, refundRecords: 0 })
      // The same key would get the failed refund back from Stripe: refused, with what to do.
      const again = await finance.call('POST', path, { body: { amount: cny(4000), reason: 'bank transfer back', refundKey: 'refund-lost-1' } })
      expect(again.status).toBe(409)
      expect(again.body.error.message).toContain('new refund key')
      const log = await t.sql<{ outcome: string; reason: string | null }>("SELECT outcome, reason FROM notification_log WHERE event_id = ? ORDER BY 1", `${id}:failed`)
      expect(log.map((l) => l.outcome).sort()).toEqual(['applied', 'duplicate'])

      // A failure heard while a request has no provider refund id yet (here its call failed) may
      // be that request's: redelivered (503), never swallowed.
      fake.failNext(500, 'stripe is down')
      expect((await finance.call('POST', path, { body: { amount: cny(1000), reason: 'second try', refundKey: 'refund-lost-3' } })).status).toBe(503)
      const early = refundEvent('refund.failed', { refundId: 're_unlinked', amount: 1000, currency: 'CNY', paymentIntentId: pi.payment_intent, created: pi.created, status: 'failed', metadata: { order_no: orderNo } })
      expect((await send(t, early)).status).toBe(503)
      expect(await t.sql('SELECT outcome FROM notification_log WHERE event_id = ?', 're_unlinked:failed')).toEqual([{ outcome: 'deferred' }])
      expect(await t.sql('SELECT count(*) AS n FROM provider_events WHERE event_id = ?', 're_unlinked:failed')).toEqual([{ n: 0 }])

      // Nothing of the failed refund is held any more: all 10,000 can be refunded, under a new key.
      fake.refundsAnswer('succeeded')
      const redo = await finance.call('POST', path, { body: { reason: 'bank transfer back', refundKey: 'refund-lost-2' } })
      expect(redo.body.refund, redo.text).toMatchObject({ state: 'succeeded', amount: cny(10_000) })
      expect(await effects(t, orderNo)).toMatchObject({ state: 'refunded', refunded: 10_000, refundRecords: 1 })
    } finally {
      await fake.close()
    }
  })

  it('is for roles with refunds.create only', async () => {
    const { t, fake, orderNo } = await paidOrder()
    try {
      await addOperator(t, 'viewer@example.com', 'viewer')
      const viewer = await signIn(t, 'viewer@example.com')
      const r = await viewer.call('POST', `/v1/console/orders/${orderNo}/refunds`, { body: { reason: 'not mine to do', refundKey: 'refund-viewer' } })
      expect(r.status).toBe(403)
      expect((await viewer.call('GET', `/v1/console/orders/${orderNo}/refunds`)).body.refunds).toEqual([])
      expect(fake.requests.filter((x) => x.path === '/v1/refunds')).toHaveLength(0)
    } finally {
      await fake.close()
    }
  })
})
