import { existsSync, readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { recordingOpener } from '../../src/main/invoices'
import { BillingError } from '../../src/shared/errors'
import { taxpayerIdCheckChar } from '../../src/shared/billing/taxpayer-id'
import type { Invoice } from '../../src/shared/billing/invoices'
import type { FeedData } from '../../src/shared/relay-contract'
import { startBillingStandIn, tinyPdf, type BillingStandIn } from '../support/billing-routes-standin'
import { newDevice, startWorld, T0, type Device, type World } from './support'

// The sync client's new relay calls, from the app's sync service over HTTP: quotes with codes,
// a checkout with a code, 开票信息, the invoice PDF (kept, then opened offline) and the fapiao
// request; each refusal a typed error. The routes are another branch's: served here by the
// stand-in (test/support/billing-routes-standin.ts), which forwards everything else to the real relay.

const cny = (amount: number) => ({ amount, currency: 'CNY' as const })
const stands: BillingStandIn[] = []
afterEach(async () => {
  for (const s of stands.splice(0)) await s.close()
})

async function world(): Promise<{ w: World; s: BillingStandIn; a: Device; opened: string[] }> {
  const w = await startWorld()
  const s = await startBillingStandIn({ forwardTo: w.t.url })
  stands.push(s)
  const open = recordingOpener()
  const a = await newDevice(w, 'a', undefined, { relayUrl: s.url, openFile: open })
  s.codes.set('SPRING10', { name: '春季九折', off: { kind: 'percent', percent: '10' } })
  s.codes.set('OLD2024', { name: 'old', off: { kind: 'percent', percent: '10' }, refusal: 'expired' })
  return { w, s, a, opened: open.opened }
}

const invoice: Invoice = {
  number: 'INV-2025-000007',
  issuedAt: T0,
  status: 'paid',
  source: { kind: 'order', orderNo: 'ORD-7' },
  lines: [{ item: { kind: 'recharge' }, quantity: 1, unitPrice: cny(10_000), discount: cny(0), taxRate: '0.06', tax: cny(566), total: cny(10_000) }],
  total: cny(10_000),
  tax: cny(566),
  discount: cny(0),
  credited: cny(0)
}

async function relayAppends(w: World, accountId: string, data: FeedData<'invoice'>): Promise<void> {
  const { core, db } = w.t.relay
  await db.unit((tx) => core.feed.append(tx, accountId, 'invoice', data))
}

const failure = async (p: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> | undefined }> => {
  try {
    await p
  } catch (e) {
    if (e instanceof BillingError) return { code: e.code, details: e.details }
    throw e
  }
  throw new Error('expected a typed error')
}

describe('quotes and checkouts with a promotion code', () => {
  it('quotes the discount or the refusal; a checkout sends the code; a refused code is COUPON_REFUSED with its reason, nothing left waiting', async () => {
    const { s, a } = await world()
    const q = await a.sync.docs.quote({ item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' }, code: 'SPRING10' })
    expect(q).toMatchObject({ listPrice: cny(2900), discount: cny(290), total: cny(2610), coupon: { code: 'SPRING10' } })
    const r = await a.sync.docs.quote({ item: { kind: 'recharge', amount: cny(10_000) }, code: 'OLD2024' })
    expect(r).toMatchObject({ total: cny(10_000), bonus: cny(1000), refusal: { code: 'expired' } })

    const ok = await a.sync.createCheckout({ idempotencyKey: 'co-with-code-1', method: 'alipay', purpose: { kind: 'recharge', amount: cny(5000) }, code: 'spring10' })
    expect(ok.status).toBe('pending')
    expect(s.calls).toContain('POST /v1/checkouts code=SPRING10')
    const refused = await failure(a.sync.createCheckout({ idempotencyKey: 'co-with-code-2', method: 'alipay', purpose: { kind: 'recharge', amount: cny(5000) }, code: 'OLD2024' }))
    expect(refused).toMatchObject({ code: 'COUPON_REFUSED', details: { reason: 'expired' } })
    const row = a.billing.db.sqlite.prepare("SELECT status, coupon_code FROM sync_orders WHERE request_key = 'co-with-code-2'").get()
    expect(row).toEqual({ status: 'failed', coupon_code: 'OLD2024' })
  })
})

describe('开票信息', () => {
  it('valid details are stored on the relay; invalid ones are refused here with each field, never sent', async () => {
    const { s, a } = await world()
    expect(await a.sync.docs.billingDetails()).toBeNull()
    const id17 = '91350100M000100Y4'
    const company = { type: 'company', title: '杭州某某科技有限公司', taxpayerId: id17 + taxpayerIdCheckChar(id17), email: 'finance@example.com' }
    expect(await a.sync.docs.setBillingDetails(company)).toEqual(company)
    expect(s.details).toEqual(company)
    const calls = s.calls.length
    const bad = await failure(a.sync.docs.setBillingDetails({ type: 'company', title: '', taxpayerId: '91350100M000100Y4X', email: 'not-an-email' }))
    expect(bad.code).toBe('INVALID_INPUT')
    expect((bad.details?.['issues'] as { path: string; message: string }[]).map((i) => i.path).sort()).toEqual(['email', 'taxpayerId', 'title'])
    expect(s.calls.length).toBe(calls)
  })
})

describe('invoice PDFs and fapiao requests', () => {
  it('downloads the PDF once into the data dir, opens it offline, and requests a fapiao', async () => {
    const { w, s, a, opened } = await world()
    s.invoices = [invoice]
    s.pdf = tinyPdf('INV-2025-000007')
    await relayAppends(w, a.accountId, invoice)
    await a.sync.syncNow()
    expect(await a.sync.docs.openPdf('INV-2025-000007', 'zh-CN')).toEqual({ opened: true })
    expect(opened).toHaveLength(1)
    expect(readFileSync(opened[0]!).subarray(0, 5).toString()).toBe('%PDF-')
    expect(s.calls.filter((c) => c.includes('/pdf'))).toEqual(['GET /v1/invoices/INV-2025-000007/pdf?lang=zh-CN'])

    const f = await a.sync.docs.requestFapiao('INV-2025-000007')
    expect(f.status).toBe('requested')
    expect(a.sync.docs.invoice('INV-2025-000007').fapiao?.status).toBe('requested')

    // The relay gone: the kept PDF still opens, without asking anyone.
    await s.close()
    await w.t.relay.stop()
    expect(await a.sync.docs.openPdf('INV-2025-000007', 'zh-CN')).toEqual({ opened: true })
    expect(opened).toHaveLength(2)
    expect(existsSync(opened[1]!)).toBe(true)
    // Not kept in English: that needs the relay.
    expect((await failure(a.sync.docs.openPdf('INV-2025-000007', 'en'))).code).toBe('UNAVAILABLE')
  })

  it('an invoice this device does not have is NOT_FOUND; an answer that is not a PDF is refused and nothing is kept', async () => {
    const { w, s, a, opened } = await world()
    expect((await failure(a.sync.docs.downloadPdf('INV-1999-000001', 'zh-CN'))).code).toBe('NOT_FOUND')
    s.invoices = [invoice]
    s.pdf = Buffer.from('<html>not a pdf</html>')
    await relayAppends(w, a.accountId, invoice)
    await a.sync.syncNow()
    expect((await failure(a.sync.docs.openPdf('INV-2025-000007', 'en'))).code).toBe('UNAVAILABLE')
    expect(opened).toHaveLength(0)
    expect(a.sync.docs.hasPdf('INV-2025-000007', 'en')).toBe(false)
  })
})
