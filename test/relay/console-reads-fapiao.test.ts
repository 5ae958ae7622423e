import { expect, it } from 'vitest'
import type { ConsoleFapiaoList } from '../../src/shared/console/api'
import { addOperator, signIn } from './console/support'
import { checkout, notify, paid } from './support/flows'
import { createTestProvider, type TestProvider } from './support/hmac-provider'
import { forEachStore } from './support/pg'
import { ADMIN_TOKEN, enrolDevice, startTestRelay, type TestRelay } from './support/relay'

// The fapiao desk's queue on the console: requests with their invoice's total and the buyer's
// 抬头, pending ones oldest first, by status; on both stores.

const COMPANY = { type: 'company', title: '杭州示例科技有限公司', taxpayerId: '91350100M000100Y43', email: 'finance@example.com' }
const PERSON = { type: 'personal', title: '张三', email: 'z@example.com' }

async function paidInvoice(t: TestRelay, provider: TestProvider, token: string, amount: number): Promise<string> {
  const { order } = await checkout(t.api, token, { provider: 'stripe', item: { kind: 'recharge', amount: { amount, currency: 'CNY' } } })
  expect((await notify(t, provider, [paid(order.orderNo, amount)])).status).toBe(200)
  return (await t.api('GET', '/v1/invoices', { token })).body.invoices.find((i: { source: { orderNo?: string } }) => i.source.orderNo === order.orderNo).number
}

forEachStore('console fapiao queue', () => {
  it('lists requests by status with total and title, the longest waiting first; a bad status is 400', async () => {
    const provider = createTestProvider('stripe')
    const t = await startTestRelay({ providers: [provider] })
    const firm = await enrolDevice(t.api)
    const person = await enrolDevice(t.api)
    expect((await t.api('PUT', '/v1/billing-details', { token: firm.token, body: COMPANY })).status).toBe(200)
    expect((await t.api('PUT', '/v1/billing-details', { token: person.token, body: PERSON })).status).toBe(200)
    const a = await paidInvoice(t, provider, firm.token, 2900)
    const b = await paidInvoice(t, provider, person.token, 5000)
    const c = await paidInvoice(t, provider, firm.token, 10_000)
    // Requested b, then c, then a; c is refused.
    for (const number of [b, c, a]) {
      t.clock.advance(60_000)
      expect((await t.api('POST', `/v1/invoices/${number}/fapiao`, { token: number === b ? person.token : firm.token })).status).toBe(200)
    }
    t.clock.advance(60_000)
    const refused = await t.api('POST', `/v1/admin/invoices/${c}/fapiao`, { token: ADMIN_TOKEN, body: { decision: 'refused', reason: '抬头与税号不符' } })
    expect(refused.status, refused.text).toBe(200)

    await addOperator(t, 'viewer@example.com', 'viewer')
    const viewer = await signIn(t, 'viewer@example.com')
    const pending = await viewer.call('GET', '/v1/console/fapiao?status=requested')
    expect(pending.status, pending.text).toBe(200)
    const list = pending.body as ConsoleFapiaoList
    expect(list.requests.map((r) => [r.invoiceNumber, r.title, r.total.amount])).toEqual([
      [b, '张三', 5000],
      [a, '杭州示例科技有限公司', 2900]
    ])
    expect(list.requests[0]).toEqual({
      invoiceNumber: b,
      accountId: person.accountId,
      status: 'requested',
      requestedAt: expect.any(Number),
      decidedAt: null,
      fapiaoNumber: null,
      reason: null,
      total: { amount: 5000, currency: 'CNY' },
      title: '张三'
    })
    expect((await viewer.call('GET', '/v1/console/fapiao?status=refused')).body.requests).toEqual([
      expect.objectContaining({ invoiceNumber: c, status: 'refused', reason: '抬头与税号不符', decidedAt: t.clock.now(), total: { amount: 10_000, currency: 'CNY' } })
    ])
    expect((await viewer.call('GET', '/v1/console/fapiao?status=issued')).body.requests).toEqual([])
    // Without a status: the pending ones first, then the decided.
    expect((await viewer.call('GET', '/v1/console/fapiao')).body.requests.map((r: { invoiceNumber: string }) => r.invoiceNumber)).toEqual([b, a, c])

    const bad = await viewer.call('GET', '/v1/console/fapiao?status=lost')
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('INVALID_INPUT')
    expect((await t.api('GET', '/v1/console/fapiao')).status).toBe(401)
  })
})
