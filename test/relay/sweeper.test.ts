import { expect, it, vi } from 'vitest'
import { forEachStore } from './support/pg'
import { publicKeyFromBase64, verifyRecord } from '../../src/node/feed'
import { FeedPageSchema, type FeedPayload } from '../../src/shared/relay-contract'
import { checkout, effects, notify, paid } from './support/flows'
import { createTestProvider } from './support/hmac-provider'
import { enrolDevice, feedPath, startTestRelay, type TestRelay } from './support/relay'

// Stale orders: the sweeper expires orders whose checkout passed expiresAt and tells the app
// (an `order_closed` feed record) so it drops its pending checkout.

const recharge = (amount: number) => ({ provider: 'stripe', item: { kind: 'recharge', amount: { amount, currency: 'CNY' } } })
const TTL = 30 * 60_000

async function closedRecords(t: TestRelay, token: string, accountId: string) {
  const publicKey = publicKeyFromBase64(t.relay.key.publicKeyBase64)
  const page = FeedPageSchema.parse((await t.api('GET', feedPath({ limit: 500 }), { token })).body)
  return page.records
    .map((e) => verifyRecord(e, publicKey, accountId))
    .filter((p): p is Extract<FeedPayload, { type: 'order_closed' }> => p.type === 'order_closed')
    .map((p) => p.data)
}

forEachStore('stale order sweeper', () => {
  it('expires created and pending orders past their checkout expiry, once, with a signed order_closed record; paid and fresh orders stay', async () => {
    const provider = createTestProvider('stripe')
    const t = await startTestRelay({ providers: [provider], config: { sweepIntervalMs: 0 } })
    const dev = await enrolDevice(t.api)
    const pending = (await checkout(t.api, dev.token, recharge(1000))).order.orderNo
    const paidOrder = (await checkout(t.api, dev.token, recharge(2000))).order.orderNo
    provider.failNextCheckout = true // the provider call fails: the order stays 'created'
    const key = 'stale-created-0001'
    const failed = await t.api('POST', '/v1/checkouts', { token: dev.token, body: recharge(3000), headers: { 'idempotency-key': key } })
    expect(failed.status).toBe(503)
    const created = failed.body.error.details.orderNo as string
    expect((await effects(t, created)).state).toBe('created')
    await notify(t, provider, [paid(paidOrder, 2000)])

    // Not yet due: nothing moves.
    t.clock.advance(TTL - 1)
    expect((await t.relay.core.sweeper.sweep()).expired).toEqual([])
    t.clock.advance(1)
    const fresh = (await checkout(t.api, dev.token, recharge(4000))).order.orderNo
    expect((await t.relay.core.sweeper.sweep()).expired.sort()).toEqual([pending, created].sort())
    expect((await t.relay.core.sweeper.sweep()).expired).toEqual([]) // a second sweep has nothing to do

    expect((await effects(t, pending)).state).toBe('expired')
    expect((await effects(t, created)).state).toBe('expired')
    expect(await effects(t, paidOrder)).toMatchObject({ state: 'paid', wallet: 2000 })
    expect((await effects(t, fresh)).state).toBe('pending')
    const order = await t.api('GET', `/v1/orders/${pending}`, { token: dev.token })
    expect(order.body.order.state).toBe('expired')
    const cause = await t.sql("SELECT from_state, cause FROM order_transitions t JOIN orders o ON o.id = t.order_id WHERE o.order_no = ? AND to_state = 'expired'", pending)
    expect(cause).toEqual([{ from_state: 'pending', cause: 'sweeper: checkout expired' }])

    const closed = await closedRecords(t, dev.token, dev.accountId)
    expect(closed.map((c) => c.orderNo).sort()).toEqual([pending, created].sort())
    expect(closed[0]).toMatchObject({ provider: 'stripe', state: 'expired', reason: 'checkout_expired', item: { kind: 'recharge' } })

    // Money that still arrives for an expired order is recorded, not lost.
    expect((await notify(t, provider, [paid(pending, 1000)])).status).toBe(200)
    expect(await effects(t, pending)).toMatchObject({ state: 'paid', paymentRecords: 1, wallet: 3000 })
    // A retry of the failed checkout's key does not reopen the expired order at the provider.
    const calls = provider.checkouts.length
    const retry = await t.api('POST', '/v1/checkouts', { token: dev.token, body: recharge(3000), headers: { 'idempotency-key': key } })
    expect(retry.status).toBe(409)
    expect(retry.body.error).toMatchObject({ code: 'INVALID_TRANSITION', details: { orderNo: created, state: 'expired' } })
    expect(provider.checkouts).toHaveLength(calls)
  })

  it('a provider closing or failing the checkout also writes order_closed', async () => {
    const provider = createTestProvider('stripe')
    const t = await startTestRelay({ providers: [provider], config: { sweepIntervalMs: 0 } })
    const dev = await enrolDevice(t.api)
    const a = (await checkout(t.api, dev.token, recharge(1000))).order.orderNo
    const b = (await checkout(t.api, dev.token, recharge(1000))).order.orderNo
    await notify(t, provider, [
      { type: 'checkout.expired', eventId: 'evt_exp', orderNo: a, occurredAt: 0 },
      { type: 'payment.failed', eventId: 'evt_fail', orderNo: b, reason: 'card_declined', occurredAt: 0 }
    ])
    const closed = await closedRecords(t, dev.token, dev.accountId)
    expect(closed.map((c) => [c.orderNo, c.state, c.reason])).toEqual([
      [a, 'expired', 'checkout_closed'],
      [b, 'failed', 'card_declined']
    ])
    // The sweeper leaves orders a provider already closed alone.
    t.clock.advance(TTL)
    expect((await t.relay.core.sweeper.sweep()).expired).toEqual([])
  })

  it('runs on a timer in the server', async () => {
    const provider = createTestProvider('stripe')
    const t = await startTestRelay({ providers: [provider], config: { sweepIntervalMs: 10 } })
    const dev = await enrolDevice(t.api)
    const orderNo = (await checkout(t.api, dev.token, recharge(1000))).order.orderNo
    t.clock.advance(TTL)
    await vi.waitFor(async () => expect((await effects(t, orderNo)).state).toBe('expired'), { timeout: 5000, interval: 10 })
    expect(t.logs.some((l) => l['msg'] === 'stale orders expired' && (l['orderNos'] as string[]).includes(orderNo))).toBe(true)
  })
})
