import { describe, expect, it } from 'vitest'
import { BillingDetailsResponseSchema, FapiaoResponseSchema } from '../../src/shared/billing/invoices'
import { checkout, notify, paid, refunded } from './support/flows'
import { createTestProvider } from './support/hmac-provider'
import { ADMIN_TOKEN, enrolDevice, feedPath, startTestRelay, type TestRelay } from './support/relay'

// The billing-details and fapiao routes over HTTP: validation with the shared schema, one
// account's invoices never reachable from another, the operator's decisions, the feed records.

const COMPANY = { type: 'company', title: '杭州示例科技有限公司', taxpayerId: '91350100M000100Y43', email: 'finance@example.com', address: '杭州市西湖区', phone: '0571-12345678', bank: '招商银行杭州分行', bankAccount: '5719 0000 0000 001' }
const FAPIAO_NO = '26332000000012345678'
const pdfBase64 = Buffer.from('%PDF-1.7\n% a fapiao\n').toString('base64')

async function setup() {
  const provider = createTestProvider('stripe')
  const t = await startTestRelay({ providers: [provider] })
  const dev = await enrolDevice(t.api)
  const other = await enrolDevice(t.api)
  return { t, provider, dev, other }
}

async function paidInvoice(t: TestRelay, provider: ReturnType<typeof createTestProvider>, token: string, amount = 2900): Promise<string> {
  const { order } = await checkout(t.api, token, { provider: 'stripe', item: { kind: 'recharge', amount: { amount, currency: 'CNY' } } })
  expect((await notify(t, provider, [paid(order.orderNo, amount)])).status).toBe(200)
  const list = (await t.api('GET', '/v1/invoices', { token })).body
  return list.invoices.find((i: any) => i.source.orderNo === order.orderNo).number
}

async function fapiaoRecords(t: TestRelay, token: string): Promise<any[]> {
  const page = (await t.api('GET', feedPath({ limit: 500 }), { token })).body
  return page.records.map((r: any) => JSON.parse(r.payload)).filter((p: any) => p.type === 'fapiao').map((p: any) => p.data)
}

describe('billing details', () => {
  it('are empty at first, refused field by field when invalid, stored when valid, and copied into the next invoice', async () => {
    const { t, provider, dev, other } = await setup()
    expect((await t.api('GET', '/v1/billing-details', { token: dev.token })).body).toEqual({ details: null })
    const before = await paidInvoice(t, provider, dev.token)

    const bad = await t.api('PUT', '/v1/billing-details', { token: dev.token, body: { ...COMPANY, taxpayerId: '91350100M000100Y44', email: 'not-mail', bankAccount: 'x' } })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('INVALID_INPUT')
    expect(bad.body.error.details.issues.map((i: any) => i.path).sort()).toEqual(['bankAccount', 'email', 'taxpayerId'])
    expect(bad.body.error.details.issues.find((i: any) => i.path === 'taxpayerId').message).toBe('taxpayer_id_check')
    const noId = await t.api('PUT', '/v1/billing-details', { token: dev.token, body: { type: 'company', title: 'X 公司', email: 'a@b.cn' } })
    expect(noId.body.error.details.issues).toEqual([{ path: 'taxpayerId', message: 'taxpayer_id_required' }])
    const extra = await t.api('PUT', '/v1/billing-details', { token: dev.token, body: { ...COMPANY, accountId: other.accountId } })
    expect(extra.status).toBe(400)
    expect((await t.api('PUT', '/v1/billing-details', { token: dev.token, raw: 'not json', headers: { 'content-type': 'application/json' } })).status).toBe(400)
    // Nothing was stored by the refusals.
    expect((await t.api('GET', '/v1/billing-details', { token: dev.token })).body).toEqual({ details: null })

    const put = await t.api('PUT', '/v1/billing-details', { token: dev.token, body: { ...COMPANY, taxpayerId: COMPANY.taxpayerId.toLowerCase() } })
    expect(put.status).toBe(200)
    expect(BillingDetailsResponseSchema.parse(put.body)).toEqual({ details: COMPANY })
    expect((await t.api('GET', '/v1/billing-details', { token: dev.token })).body).toEqual({ details: COMPANY })
    // Per account: the other account has none; no token, no details.
    expect((await t.api('GET', '/v1/billing-details', { token: other.token })).body).toEqual({ details: null })
    expect((await t.api('GET', '/v1/billing-details')).status).toBe(401)

    const after = await paidInvoice(t, provider, dev.token)
    await t.api('PUT', '/v1/billing-details', { token: dev.token, body: { type: 'personal', title: '张三', email: 'z@example.com' } })
    const { invoices } = (await t.api('GET', '/v1/invoices', { token: dev.token })).body
    expect(invoices.find((i: any) => i.number === before).buyer).toBeUndefined()
    // The snapshot at issue: a later edit does not change it.
    expect(invoices.find((i: any) => i.number === after).buyer).toEqual(COMPANY)
  })
})

describe('fapiao requests', () => {
  it('need billing details, are idempotent, and only for the account’s own invoice', async () => {
    const { t, provider, dev, other } = await setup()
    const number = await paidInvoice(t, provider, dev.token)
    const noDetails = await t.api('POST', `/v1/invoices/${number}/fapiao`, { token: dev.token })
    expect(noDetails.status).toBe(400)
    expect(noDetails.body.error.details.reason).toBe('billing_details_required')
    await t.api('PUT', '/v1/billing-details', { token: dev.token, body: COMPANY })
    await t.api('PUT', '/v1/billing-details', { token: other.token, body: COMPANY })
    // Another account's invoice is not found, as a number that does not exist.
    expect((await t.api('POST', `/v1/invoices/${number}/fapiao`, { token: other.token })).status).toBe(404)
    expect((await t.api('POST', '/v1/invoices/INV-2025-999999/fapiao', { token: dev.token })).status).toBe(404)
    expect((await t.api('POST', '/v1/invoices/garbage/fapiao', { token: dev.token })).status).toBe(404)

    const first = await t.api('POST', `/v1/invoices/${number}/fapiao`, { token: dev.token })
    expect(first.status).toBe(200)
    expect(FapiaoResponseSchema.parse(first.body).fapiao).toEqual({ invoiceNumber: number, status: 'requested', requestedAt: t.clock.now() })
    t.clock.advance(60_000)
    const again = await t.api('POST', `/v1/invoices/${number}/fapiao`, { token: dev.token })
    expect(again.body).toEqual(first.body)
    expect(await fapiaoRecords(t, dev.token)).toEqual([first.body.fapiao])
    expect((await t.api('GET', '/v1/invoices', { token: dev.token })).body.fapiao).toEqual([first.body.fapiao])
    expect((await t.api('GET', '/v1/invoices', { token: other.token })).body).toEqual({ invoices: [], creditNotes: [], fapiao: [] })
  })

  it('are issued by the operator with a 20-digit number and a PDF or OFD file, or refused with a reason', async () => {
    const { t, provider, dev, other } = await setup()
    await t.api('PUT', '/v1/billing-details', { token: dev.token, body: COMPANY })
    const a = await paidInvoice(t, provider, dev.token)
    const b = await paidInvoice(t, provider, dev.token)
    const admin = (number: string, body: unknown, token = ADMIN_TOKEN) => t.api('POST', `/v1/admin/invoices/${number}/fapiao`, { token, body })
    // Nothing requested yet.
    expect((await admin(a, { decision: 'refused', reason: 'x' })).status).toBe(404)
    await t.api('POST', `/v1/invoices/${a}/fapiao`, { token: dev.token })
    await t.api('POST', `/v1/invoices/${b}/fapiao`, { token: dev.token })

    const issue = { decision: 'issued', fapiaoNumber: FAPIAO_NO, file: { type: 'pdf', base64: pdfBase64 } }
    expect((await admin(a, issue, dev.token)).status).toBe(401)
    expect((await admin(a, { ...issue, fapiaoNumber: '1234' })).body.error.message).toContain('fapiaoNumber')
    const notPdf = await admin(a, { ...issue, file: { type: 'pdf', base64: Buffer.from('hello').toString('base64') } })
    expect(notPdf.status).toBe(400)
    expect(notPdf.body.error.details.field).toBe('file.type')
    const tooBig = await admin(a, { ...issue, file: { type: 'pdf', base64: Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(1024 * 1024)]).toString('base64') } })
    expect(tooBig.status).toBe(400)
    expect((await admin(a, { decision: 'refused', reason: '' })).status).toBe(400)
    // None of those refusals changed the request.
    expect((await t.api('GET', '/v1/invoices', { token: dev.token })).body.fapiao.map((f: any) => f.status)).toEqual(['requested', 'requested'])

    t.clock.advance(3600_000)
    const issued = await admin(a, issue)
    expect(issued.status).toBe(200)
    expect(issued.body.fapiao).toEqual({ invoiceNumber: a, status: 'issued', requestedAt: expect.any(Number), decidedAt: t.clock.now(), fapiaoNumber: FAPIAO_NO })
    // The same decision again answers it again; another decision is refused.
    expect((await admin(a, issue)).body).toEqual(issued.body)
    expect((await admin(a, { decision: 'refused', reason: 'late' })).status).toBe(409)
    // An issued fapiao is final: the user's request answers it.
    expect((await t.api('POST', `/v1/invoices/${a}/fapiao`, { token: dev.token })).body.fapiao.status).toBe('issued')

    const file = await fetch(`${t.url}/v1/invoices/${a}/fapiao/file`, { headers: { authorization: `Bearer ${dev.token}` } })
    expect(file.status).toBe(200)
    expect(file.headers.get('content-type')).toBe('application/pdf')
    expect(Buffer.from(await file.arrayBuffer()).toString('base64')).toBe(pdfBase64)
    expect((await t.api('GET', `/v1/invoices/${a}/fapiao/file`, { token: other.token })).status).toBe(404)
    expect((await t.api('GET', `/v1/invoices/${b}/fapiao/file`, { token: dev.token })).status).toBe(404)

    // A fapiao number is the authority's: never on two invoices.
    const reused = await admin(b, issue)
    expect(reused.status).toBe(400)
    expect(reused.body.error.details).toEqual({ field: 'fapiaoNumber', reason: 'fapiao_number_used' })
    const refused = await admin(b, { decision: 'refused', reason: '抬头与税号不符' })
    expect(refused.body.fapiao).toMatchObject({ status: 'refused', reason: '抬头与税号不符' })
    // A refused request may be made again.
    const retry = await t.api('POST', `/v1/invoices/${b}/fapiao`, { token: dev.token })
    expect(retry.body.fapiao).toEqual({ invoiceNumber: b, status: 'requested', requestedAt: t.clock.now() })
    expect((await fapiaoRecords(t, dev.token)).map((f) => [f.invoiceNumber, f.status])).toEqual([
      [a, 'requested'],
      [b, 'requested'],
      [a, 'issued'],
      [b, 'refused'],
      [b, 'requested']
    ])
    // The invoice number and the fapiao number stay apart.
    const inv = (await t.api('GET', '/v1/invoices', { token: dev.token })).body.invoices.find((i: any) => i.number === a)
    expect(inv.number).toMatch(/^INV-2025-\d{6}$/)
    // An invoice with an issued fapiao cannot be voided.
    expect((await t.api('POST', `/v1/admin/invoices/${a}/void`, { token: ADMIN_TOKEN, body: { reason: 'x' } })).body.error.details.reason).toBe('fapiao_issued')
  })

  it('are refused for a void or fully credited invoice', async () => {
    const { t, provider, dev } = await setup()
    await t.api('PUT', '/v1/billing-details', { token: dev.token, body: COMPANY })
    const a = await paidInvoice(t, provider, dev.token)
    const voided = await t.api('POST', `/v1/admin/invoices/${a}/void`, { token: ADMIN_TOKEN, body: { reason: 'issued in error' } })
    expect(voided.body.invoice).toMatchObject({ number: a, status: 'void' })
    const r = await t.api('POST', `/v1/invoices/${a}/fapiao`, { token: dev.token })
    expect(r.status).toBe(409)
    expect(r.body.error).toMatchObject({ code: 'INVALID_TRANSITION', details: { reason: 'invoice_void' } })
    // The void invoice keeps its number: the next one does not reuse it.
    const b = await paidInvoice(t, provider, dev.token, 1000)
    expect([a, b]).toEqual(['INV-2025-000001', 'INV-2025-000002'])
    const { order } = await checkout(t.api, dev.token, { provider: 'stripe', item: { kind: 'recharge', amount: { amount: 500, currency: 'CNY' } } })
    await notify(t, provider, [paid(order.orderNo, 500)])
    await notify(t, provider, [refunded(order.orderNo, 500, 're_c')])
    const c = (await t.api('GET', '/v1/invoices', { token: dev.token })).body.invoices.find((i: any) => i.source.orderNo === order.orderNo)
    expect(c.status).toBe('credited')
    expect((await t.api('POST', `/v1/invoices/${c.number}/fapiao`, { token: dev.token })).body.error.details.reason).toBe('invoice_credited')
    // A credited invoice cannot be voided.
    expect((await t.api('POST', `/v1/admin/invoices/${c.number}/void`, { token: ADMIN_TOKEN, body: { reason: 'x' } })).status).toBe(409)
  })
})
