import { expect, it } from 'vitest'
import type { Invoice } from '../../../src/shared/billing/invoices'
import { InvoiceFont, resolveInvoiceFont } from '../../../src/relay/invoices/font'
import { renderInvoicePdf, type InvoicePdfInput } from '../../../src/relay/invoices/pdf'
import { PdfRenderer } from '../../../src/relay/invoices/pdf-renderer'

// Invoice PDFs on the renderer's thread: the same bytes as a render on this thread (the render
// is deterministic), renders in flight answered by id, a thread ended mid-render fails that
// render as UNAVAILABLE and the next starts a new thread, and no font is said before any
// thread starts.

const cny = (amount: number) => ({ amount, currency: 'CNY' as const })
const invoice = (number: string, total: number): Invoice =>
  ({
    number,
    accountId: 'acct_pdf',
    status: 'paid',
    currency: 'CNY',
    issuedAt: Date.UTC(2026, 11, 1, 4),
    version: 1,
    orderNo: 'R20261201000001',
    buyer: null,
    lines: [{ item: { kind: 'plan', planCode: 'PREMIUM', period: 'monthly' }, quantity: 1, unitPrice: cny(total), discount: cny(0), taxRate: '0.06', tax: cny(Math.round((total * 6) / 106)), total: cny(total) }],
    discount: cny(0),
    tax: cny(Math.round((total * 6) / 106)),
    total: cny(total),
    credited: cny(0),
    creditedTax: cny(0)
  }) as unknown as Invoice

const input = (number: string, total: number, lang: 'zh-CN' | 'en' = 'zh-CN'): InvoicePdfInput => ({
  invoice: invoice(number, total),
  creditNotes: [],
  seller: { name: '上海直播助手信息技术有限公司' },
  timeZone: 'Asia/Shanghai',
  lang
})

it('renders on its thread the bytes this thread renders; renders in flight are answered by id', async () => {
  const font = new InvoiceFont(resolveInvoiceFont(undefined))
  const renderer = new PdfRenderer(font)
  try {
    const [a, b] = await Promise.all([renderer.render(input('INV-2026-000001', 9900)), renderer.render(input('INV-2026-000002', 29900, 'en'))])
    expect(a.subarray(0, 5).toString()).toBe('%PDF-')
    expect(a.equals(await renderInvoicePdf(font, input('INV-2026-000001', 9900)))).toBe(true)
    expect(b.equals(await renderInvoicePdf(font, input('INV-2026-000002', 29900, 'en')))).toBe(true)
    expect(a.equals(b)).toBe(false)
  } finally {
    await renderer.close()
  }
})

it('a thread ended mid-render fails that render (UNAVAILABLE, try again); the next render starts a new thread', async () => {
  const renderer = new PdfRenderer(new InvoiceFont(resolveInvoiceFont(undefined)))
  const inFlight = renderer.render(input('INV-2026-000003', 9900))
  await renderer.close()
  await expect(inFlight).rejects.toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'render_failed' } })
  const again = await renderer.render(input('INV-2026-000003', 9900))
  expect(again.subarray(0, 5).toString()).toBe('%PDF-')
  await renderer.close()
})

it('without a font, says why before starting a thread', async () => {
  const renderer = new PdfRenderer(new InvoiceFont(resolveInvoiceFont('/nonexistent/font.ttc')))
  expect(() => renderer.render(input('INV-2026-000004', 9900))).toThrow(/invoice PDFs are off: RELAY_INVOICE_FONT: no file/)
  await renderer.close()
})
