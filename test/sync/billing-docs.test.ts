import { existsSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { recordingOpener } from '../../src/main/invoices'
import { BillingError } from '../../src/shared/errors'
import { taxpayerIdCheckChar } from '../../src/shared/billing/taxpayer-id'
import { admin, newDevice, startWorld, T0, topUp, type Device, type World } from './support'

// The sync client's relay calls for coupons and invoices, from the app's sync service over HTTP
// to the real relay: quotes with promotion codes the relay's admin routes created, a checkout
// with a code (a refused one a typed error with the relay's reason), 开票信息, the PDF of an
// invoice the relay issued when an order was paid (kept, then opened with the relay stopped)
// and the fapiao request.

const cny = (amount: number) => ({ amount, currency: 'CNY' as const })

/** A coupon with one promotion code, through the relay's admin routes. */
async function promotionCode(w: World, code: string, coupon: Record<string, unknown>): Promise<string> {
  const made = await admin(w, '/v1/admin/coupons', { name: `coupon ${code}`, ...coupon })
  await admin(w, `/v1/admin/coupons/${made.coupon.id}/codes`, { code })
  return made.coupon.id as string
}

async function world(): Promise<{ w: World; a: Device; opened: string[] }> {
  const w = await startWorld()
  const open = recordingOpener()
  const a = await newDevice(w, 'a', undefined, { openFile: open })
  await promotionCode(w, 'SPRING10', { name: '春季九折', off: { kind: 'percent', percent: '10' }, appliesTo: { plans: 'all', recharge: true } })
  await promotionCode(w, 'OLD2024', { name: 'old', off: { kind: 'percent', percent: '10' }, appliesTo: { plans: 'all', recharge: true }, validUntil: T0 - 1000 })
  return { w, a, opened: open.opened }
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

const redemptions = (w: World) => w.t.relay.db.sqlite.prepare('SELECT code, state, discount FROM coupon_redemptions ORDER BY created_at').all()

describe('quotes and checkouts with a promotion code', () => {
  it('quotes the discount or the refusal; a checkout sends the code; a refused code is COUPON_REFUSED with its reason, nothing left waiting', async () => {
    const { w, a } = await world()
    const q = await a.sync.docs.quote({ item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' }, code: 'SPRING10' })
    expect(q).toMatchObject({ listPrice: cny(2900), discount: cny(290), total: cny(2610), coupon: { code: 'SPRING10' } })
    const r = await a.sync.docs.quote({ item: { kind: 'recharge', amount: cny(10_000) }, code: 'OLD2024' })
    expect(r).toMatchObject({ total: cny(10_000), discount: cny(0), refusal: { code: 'expired' } })
    const unknown = await a.sync.docs.quote({ item: { kind: 'recharge', amount: cny(10_000) }, code: 'NOSUCH' })
    expect(unknown.refusal?.code).toBe('unknown')

    const ok = await a.sync.createCheckout({ idempotencyKey: 'co-with-code-1', method: 'alipay', purpose: { kind: 'recharge', amount: cny(5000) }, code: 'spring10' })
    expect(ok.status).toBe('pending')
    // The relay took the code: a redemption of ¥5 held on the order until it is paid.
    expect(redemptions(w)).toEqual([expect.objectContaining({ code: 'SPRING10', discount: 500 })])
    const refused = await failure(a.sync.createCheckout({ idempotencyKey: 'co-with-code-2', method: 'alipay', purpose: { kind: 'recharge', amount: cny(5000) }, code: 'OLD2024' }))
    expect(refused).toMatchObject({ code: 'COUPON_REFUSED', details: { reason: 'expired' } })
    const row = a.billing.db.sqlite.prepare("SELECT status, coupon_code FROM sync_orders WHERE request_key = 'co-with-code-2'").get()
    expect(row).toEqual({ status: 'failed', coupon_code: 'OLD2024' })
    expect(redemptions(w)).toHaveLength(1)
  })
})

describe('开票信息', () => {
  it('valid details are stored on the relay; invalid ones are refused here with each field, never sent', async () => {
    const { w, a } = await world()
    expect(await a.sync.docs.billingDetails()).toBeNull()
    const id17 = '91350100M000100Y4'
    const company = { type: 'company', title: '杭州某某科技有限公司', taxpayerId: id17 + taxpayerIdCheckChar(id17), email: 'finance@example.com' }
    expect(await a.sync.docs.setBillingDetails(company)).toEqual(company)
    const onRelay = () => w.t.relay.core.invoicing.details.get(a.accountId)
    expect(await onRelay()).toEqual(company)
    const bad = await failure(a.sync.docs.setBillingDetails({ type: 'company', title: '', taxpayerId: '91350100M000100Y4X', email: 'not-an-email' }))
    expect(bad.code).toBe('INVALID_INPUT')
    expect((bad.details?.['issues'] as { path: string; message: string }[]).map((i) => i.path).sort()).toEqual(['email', 'taxpayerId', 'title'])
    // Never sent: the relay still has the valid ones, and another device reads them.
    expect(await onRelay()).toEqual(company)
    const b = await newDevice(w, 'b', a.accountId)
    expect(await b.sync.docs.billingDetails()).toEqual(company)
  })
})

describe('invoice PDFs and fapiao requests', () => {
  it('an order paid: its invoice arrives, the PDF is downloaded once into the data dir, opened offline, and a fapiao requested', async () => {
    const { w, a, opened } = await world()
    await topUp(w, a, 10_000)
    const [entry] = a.sync.docs.invoices()
    expect(entry?.invoice).toMatchObject({ status: 'paid', total: cny(10_000), tax: cny(566), source: { kind: 'order' } })
    const number = entry!.invoice.number
    expect(number).toMatch(/^INV-2025-\d{6}$/)
    expect(await a.sync.docs.openPdf(number, 'zh-CN')).toEqual({ opened: true })
    expect(opened).toHaveLength(1)
    expect(readFileSync(opened[0]!).subarray(0, 5).toString()).toBe('%PDF-')
    expect(a.sync.docs.hasPdf(number, 'zh-CN')).toBe(true)

    // A fapiao needs 开票信息 first: the relay says so, and nothing is requested.
    expect(await failure(a.sync.docs.requestFapiao(number))).toMatchObject({ code: 'INVALID_INPUT', details: { reason: 'billing_details_required' } })
    expect(a.sync.docs.invoice(number).fapiao).toBeFalsy()
    await a.sync.docs.setBillingDetails({ type: 'personal', title: '张三', email: 'zhang@example.com' })
    const f = await a.sync.docs.requestFapiao(number)
    expect(f.status).toBe('requested')
    expect(a.sync.docs.invoice(number).fapiao?.status).toBe('requested')
    const onRelay = await w.t.relay.core.invoicing.reads.list(a.accountId)
    expect(onRelay.fapiao).toEqual([expect.objectContaining({ invoiceNumber: number, status: 'requested' })])

    // The relay gone: the kept PDF still opens, without asking anyone.
    await w.t.relay.stop()
    expect(await a.sync.docs.openPdf(number, 'zh-CN')).toEqual({ opened: true })
    expect(opened).toHaveLength(2)
    expect(existsSync(opened[1]!)).toBe(true)
    // Not kept in English: that needs the relay.
    expect((await failure(a.sync.docs.openPdf(number, 'en'))).code).toBe('UNAVAILABLE')
  })

  it("an invoice number this account does not have is NOT_FOUND, for the PDF and the fapiao; another account's invoice too", async () => {
    const { w, a, opened } = await world()
    expect((await failure(a.sync.docs.downloadPdf('INV-1999-000001', 'zh-CN'))).code).toBe('NOT_FOUND')
    const other = await newDevice(w, 'other')
    await topUp(w, other, 5000)
    const theirs = other.sync.docs.invoices()[0]!.invoice.number
    expect((await failure(a.sync.docs.downloadPdf(theirs, 'zh-CN'))).code).toBe('NOT_FOUND')
    expect((await failure(a.sync.docs.requestFapiao(theirs))).code).toBe('NOT_FOUND')
    expect(opened).toHaveLength(0)
    expect(a.sync.docs.hasPdf(theirs, 'zh-CN')).toBe(false)
  })
})
