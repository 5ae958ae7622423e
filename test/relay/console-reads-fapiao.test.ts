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

  it('pages the queue by its cursor: the waiting oldest first, then the decided newest decision first; a bad cursor is 400', async () => {
    const provider = createTestProvider('stripe')
    const t = await startTestRelay({ providers: [provider] })
    const firm = await enrolDevice(t.api)
    expect((await t.api('PUT', '/v1/billing-details', { token: firm.token, body: COMPANY })).status).toBe(200)
    const [a, b, c, d, e] = [await paidInvoice(t, provider, firm.token, 100), await paidInvoice(t, provider, firm.token, 200), await paidInvoice(t, provider, firm.token, 300), await paidInvoice(t, provider, firm.token, 400), await paidInvoice(t, provider, firm.token, 500)]
    // Requested e, c, a, d, b at one instant each minute apart, except a and d in the same millisecond.
    for (const number of [e, c, a, d, b]) {
      if (number !== d) t.clock.advance(60_000)
      expect((await t.api('POST', `/v1/invoices/${number}/fapiao`, { token: firm.token })).status).toBe(200)
    }
    // c refused first, then e: e is the newer decision.
    for (const number of [c, e]) {
      t.clock.advance(60_000)
      expect((await t.api('POST', `/v1/admin/invoices/${number}/fapiao`, { token: ADMIN_TOKEN, body: { decision: 'refused', reason: '抬头有误' } })).status).toBe(200)
    }
    await addOperator(t, 'viewer@example.com', 'viewer')
    const viewer = await signIn(t, 'viewer@example.com')
    const walk = async (status: string | undefined, limit: number) => {
      const pages: string[][] = []
      let after: string | null | undefined
      do {
        const r = await viewer.call('GET', `/v1/console/fapiao?${new URLSearchParams({ limit: String(limit), ...(status ? { status } : {}), ...(after ? { after } : {}) })}`)
        expect(r.status, r.text).toBe(200)
        const list = r.body as ConsoleFapiaoList
        pages.push(list.requests.map((x) => x.invoiceNumber))
        after = list.next
      } while (after && pages.length < 10)
      return pages
    }
    const [ad, da] = a! < d! ? [a!, d!] : [d!, a!]
    expect(await walk(undefined, 2)).toEqual([[ad, da], [b, e], [c]])
    expect(await walk(undefined, 50)).toEqual([[ad, da, b, e, c]])
    expect(await walk('requested', 1)).toEqual([[ad], [da], [b], []])
    expect(await walk('refused', 1)).toEqual([[e], [c], []])
    for (const after of ['abc', '123.INV-2026-000001', '123.x:INV-1', '-5.r:INV-1']) {
      const bad = await viewer.call('GET', `/v1/console/fapiao?after=${encodeURIComponent(after)}`)
      expect(bad.status, after).toBe(400)
      expect(bad.body.error.code).toBe('INVALID_INPUT')
    }
    expect((await viewer.call('GET', '/v1/console/fapiao?limit=0')).status).toBe(400)
  })
})
