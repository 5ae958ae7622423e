import { expect, it } from 'vitest'
import type { ConsoleOrderDetail, ConsoleOrderPage } from '../../src/shared/console/api'
import { addOperator, signIn, type ConsoleSession } from './console/support'
import { checkout, notify, paid, refunded } from './support/flows'
import { createTestProvider, type TestProvider } from './support/hmac-provider'
import { forEachStore } from './support/pg'
import { enrolDevice, startTestRelay, type TestRelay } from './support/relay'

// The console's order screens over HTTP on both stores: the search (order number prefix in any
// case, provider payment id, account, provider, state, time range), newest first in keyset pages,
// and one order's trail (transitions, notifications, ledger transfers, refunds).

const cny = (amount: number) => ({ amount, currency: 'CNY' })

interface Fixture {
  t: TestRelay
  provider: TestProvider
  viewer: ConsoleSession
  a: { accountId: string; token: string }
  b: { accountId: string; token: string }
  /** Oldest first. */
  orders: string[]
}

async function fixture(): Promise<Fixture> {
  const provider = createTestProvider('stripe')
  const t = await startTestRelay({ providers: [provider], config: { sweepIntervalMs: 0 } })
  const a = await enrolDevice(t.api)
  const b = await enrolDevice(t.api)
  const orders: string[] = []
  for (const [dev, item] of [
    [a, { kind: 'plan', planCode: 'BASIC', period: 'monthly' }],
    [a, { kind: 'recharge', amount: cny(5000) }],
    [b, { kind: 'recharge', amount: cny(1000) }],
    [a, { kind: 'recharge', amount: cny(2000) }],
    [b, { kind: 'plan', planCode: 'PREMIUM', period: 'monthly' }]
  ] as const) {
    t.clock.advance(60_000)
    orders.push((await checkout(t.api, dev.token, { provider: 'stripe', item })).order.orderNo)
  }
  // The first is paid and partly refunded; the second paid.
  expect((await notify(t, provider, [paid(orders[0]!, 2900, { providerPaymentId: 'pi_first' })])).status).toBe(200)
  expect((await notify(t, provider, [paid(orders[1]!, 5000)])).status).toBe(200)
  expect((await notify(t, provider, [refunded(orders[0]!, 900, 're_first_1')])).status).toBe(200)
  await addOperator(t, 'viewer@example.com', 'viewer')
  return { t, provider, viewer: await signIn(t, 'viewer@example.com'), a, b, orders }
}

const numbers = (page: ConsoleOrderPage) => page.orders.map((o) => o.orderNo)

forEachStore('console order reads', () => {
  it('lists every account’s orders newest first in keyset pages, and filters by account, state, provider and time', async () => {
    const { viewer, a, b, orders } = await fixture()
    const all = await viewer.call('GET', '/v1/console/orders')
    expect(all.status, all.text).toBe(200)
    expect(numbers(all.body)).toEqual([...orders].reverse())
    expect(all.body.next).toBeNull()
    expect(all.body.orders[4]).toEqual({
      orderNo: orders[0],
      accountId: a.accountId,
      deviceId: expect.any(String),
      provider: 'stripe',
      subject: expect.any(String),
      amount: cny(2900),
      discount: cny(0),
      refunded: cny(900),
      state: 'partially_refunded',
      providerPaymentId: 'pi_first',
      createdAt: expect.any(Number),
      updatedAt: expect.any(Number)
    })

    // Pages of two: 2, 2, 1, each `next` the cursor of the last row; nothing seen twice.
    const seen: string[] = []
    let path = '/v1/console/orders?limit=2'
    for (const size of [2, 2, 1]) {
      const page = (await viewer.call('GET', path)).body as ConsoleOrderPage
      expect(page.orders).toHaveLength(size)
      seen.push(...numbers(page))
      if (size === 1) expect(page.next).toBeNull()
      else path = `/v1/console/orders?limit=2&before=${encodeURIComponent(page.next!)}`
    }
    expect(seen).toEqual([...orders].reverse())

    expect(numbers((await viewer.call('GET', `/v1/console/orders?account=${b.accountId}`)).body)).toEqual([orders[4], orders[2]])
    expect(numbers((await viewer.call('GET', '/v1/console/orders?state=paid')).body)).toEqual([orders[1]])
    expect(numbers((await viewer.call('GET', `/v1/console/orders?account=${a.accountId}&state=pending`)).body)).toEqual([orders[3]])
    expect(numbers((await viewer.call('GET', '/v1/console/orders?provider=alipay')).body)).toEqual([])
    const created = (await viewer.call('GET', '/v1/console/orders')).body.orders.map((o: { createdAt: number }) => o.createdAt).reverse()
    const range = await viewer.call('GET', `/v1/console/orders?from=${created[1]}&to=${created[3]}`)
    expect(numbers(range.body)).toEqual([orders[2], orders[1]])
  })

  it('finds an order by its number or the beginning of it in any case, or by the provider payment id', async () => {
    const { viewer, orders } = await fixture()
    const q = (text: string) => viewer.call('GET', `/v1/console/orders?q=${encodeURIComponent(text)}`)
    expect(numbers((await q(orders[2]!)).body)).toEqual([orders[2]])
    expect(numbers((await q(orders[2]!.toLowerCase())).body)).toEqual([orders[2]])
    // R + date: every order of the day; one digit more of the sequence narrows it.
    expect(numbers((await q(orders[0]!.slice(0, 9).toLowerCase())).body)).toEqual([...orders].reverse())
    expect(numbers((await q('pi_first')).body)).toEqual([orders[0]])
    expect(numbers((await q(`pay_${orders[1]}`)).body)).toEqual([orders[1]])
    expect(numbers((await q('R19990101')).body)).toEqual([])
    expect(numbers((await q('pi_fir')).body)).toEqual([])
  })

  it('refuses a bad query with the typed 400, and anyone without a session', async () => {
    const { t, viewer } = await fixture()
    for (const query of ['limit=0', 'limit=201', 'limit=x', 'state=lost', 'before=garbage', 'from=-1', 'colour=red', `q=${'x'.repeat(201)}`]) {
      const r = await viewer.call('GET', `/v1/console/orders?${query}`)
      expect(r.status, query).toBe(400)
      expect(r.body.error.code, query).toBe('INVALID_INPUT')
      expect(r.body.error.details.issues.length, query).toBeGreaterThan(0)
    }
    expect((await t.api('GET', '/v1/console/orders')).status).toBe(401)
    expect((await viewer.call('GET', '/v1/console/orders?limit=200')).status).toBe(200)
  })

  it('shows one order’s transitions, notifications, transfers and refunds; an unknown order is 404', async () => {
    const { t, viewer, orders } = await fixture()
    const r = await viewer.call('GET', `/v1/console/orders/${orders[0]}`)
    expect(r.status, r.text).toBe(200)
    const d = r.body as ConsoleOrderDetail
    expect(d.order).toMatchObject({ orderNo: orders[0], state: 'partially_refunded', item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' } })
    expect(d.transitions.map((x) => [x.from, x.to])).toEqual([
      ['none', 'created'],
      ['created', 'pending'],
      ['pending', 'paid'],
      ['paid', 'partially_refunded']
    ])
    expect(d.notifications.map((n) => [n.provider, n.type, n.outcome])).toEqual([
      ['stripe', 'payment.succeeded', 'applied'],
      ['stripe', 'refund.succeeded', 'applied']
    ])
    // The payment, its invoice's VAT, the refund and its credit note's VAT reversal: all of the order.
    expect(d.transfers.map((x) => x.kind).sort()).toEqual(['payment', 'refund', 'vat', 'vat_reversal'])
    expect(d.transfers.find((x) => x.kind === 'payment')).toMatchObject({ amount: cny(2900), debit: 'clearing:stripe:CNY' })
    expect(d.transfers.find((x) => x.kind === 'refund')).toMatchObject({ id: 'refund:stripe:re_first_1', amount: cny(900) })
    const [all] = await t.sql<{ n: number }>('SELECT count(*) AS n FROM ledger_transfers')
    expect(d.transfers.length).toBeLessThan(Number(all!.n))
    expect(d.refunds).toEqual([])

    // A refund the desk recorded (its provider call failed): listed with its key, amount and state.
    const id = (await t.sql<{ id: string }>('SELECT id FROM orders WHERE order_no = ?', orders[0]))[0]!.id
    const at = t.clock.now()
    await t.relay.core.store.unit(async (tx) => {
      await tx.refundRequests.insert({ refundKey: 'refund-console-1', orderId: id, amount: 500, currency: 'CNY', reason: 'stream dropped', requestedBy: 'finance@example.com', state: 'failed', providerRefundId: null, error: 'provider down', createdAt: at, updatedAt: at })
    })
    expect((await viewer.call('GET', `/v1/console/orders/${orders[0]}`)).body.refunds).toEqual([{ refundKey: 'refund-console-1', amount: cny(500), state: 'failed', reason: 'stream dropped', at }])

    const missing = await viewer.call('GET', '/v1/console/orders/R20250115000000099XXXXXXXX')
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('NOT_FOUND')
  })
})
