import type { CreditNote, Invoice } from '../../shared/billing/invoices'
import { formatMoney, type Money } from '../../shared/money'
import type { InvoiceFont } from './font'

// The invoice as a PDF (pdfkit), in Simplified Chinese or English, with the CJK font embedded as
// a subset (pdfkit embeds only the glyphs used, and pdftotext extracts the text).
// Deterministic: the same invoice, language and version give the same bytes (CreationDate and
// ModDate are the issue time; pdfkit derives the file ID from the info dictionary, and the
// font's subset tag from its resource name), so a lost stored copy is re-rendered identically.

export type InvoiceLang = 'zh-CN' | 'en'

export interface Seller {
  name: string
  taxpayerId?: string
  address?: string
}

export interface InvoicePdfInput {
  invoice: Invoice
  creditNotes: CreditNote[]
  seller: Seller
  timeZone: string
  lang: InvoiceLang
  /** "CODE:period" → the plan's name in the catalog version the invoice was issued under (the Chinese PDF names plans by it). */
  planNames?: Record<string, string>
}

const T = {
  'zh-CN': {
    title: '发票', number: '发票号码', issued: '开具日期', status: '状态', seller: '销售方', buyer: '购买方', name: '名称',
    taxpayerId: '纳税人识别号', address: '地址', email: '电子邮箱', phone: '电话', bank: '开户行及账号', none: '（未填写开票信息）',
    item: '项目', qty: '数量', unit: '单价', discount: '折扣', rate: '税率', tax: '税额', total: '金额（含税）',
    sumTotal: '价税合计', sumTax: '其中税额', sumDiscount: '折扣合计', credited: '已冲红', left: '剩余金额', notes: '红字凭证',
    vatIncluded: '价格含增值税。本发票不是增值税发票（发票号码与税务机关的发票号码不同）。', tz: '时区',
    recharge: '钱包充值', plan: (code: string, period: string, name?: string) => `${name ?? `${code} 套餐`}（${PERIOD_ZH[period] ?? period}）`,
    statuses: { issued: '已开具', paid: '已支付', partially_credited: '部分冲红', credited: '已全额冲红', void: '已作废' }
  },
  en: {
    title: 'Invoice', number: 'Invoice number', issued: 'Issued', status: 'Status', seller: 'Seller', buyer: 'Buyer', name: 'Name',
    taxpayerId: 'Taxpayer ID', address: 'Address', email: 'Email', phone: 'Phone', bank: 'Bank and account', none: '(no billing details on file)',
    item: 'Item', qty: 'Qty', unit: 'Unit price', discount: 'Discount', rate: 'Tax rate', tax: 'Tax', total: 'Total (VAT incl.)',
    sumTotal: 'Total', sumTax: 'of which VAT', sumDiscount: 'Discounts', credited: 'Credited', left: 'Remaining', notes: 'Credit notes',
    vatIncluded: "Prices include VAT. This invoice is not a fapiao (its number is not the tax authority's).", tz: 'time zone',
    recharge: 'Wallet recharge', plan: (code: string, period: string, _name?: string) => `${code} plan (${period})`,
    statuses: { issued: 'Issued', paid: 'Paid', partially_credited: 'Partially credited', credited: 'Credited', void: 'Void' }
  }
}
const PERIOD_ZH: Record<string, string> = { monthly: '月付', quarterly: '季付', yearly: '年付', lifetime: '终身' }

export async function renderInvoicePdf(font: InvoiceFont, input: InvoicePdfInput): Promise<Buffer> {
  const { bytes, face } = font.load()
  // Loaded on the first render, not at start-up: pdfkit and fontkit are large, and most
  // relay processes never render.
  const { default: PDFDocument } = await import('pdfkit')
  const { invoice, lang } = input
  const t = T[lang]
  const at = new Date(invoice.issuedAt)
  const doc = new PDFDocument({
    size: 'A4',
    margin: 48,
    lang: lang === 'en' ? 'en' : 'zh-CN',
    info: { Title: `${t.title} ${invoice.number}`, Author: input.seller.name, Creator: 'relay', Producer: 'relay', CreationDate: at, ModDate: at }
  })
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  doc.registerFont('cjk', bytes, face as string)
  doc.font('cjk')
  const money = (m: Money) => formatMoney(m, lang)
  const date = (ms: number) =>
    new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-CN', { timeZone: input.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(ms)

  doc.fontSize(22).text(t.title, { align: 'center' })
  doc.moveDown(0.5).fontSize(10)
  doc.text(`${t.number}: ${invoice.number}`)
  doc.text(`${t.issued}: ${date(invoice.issuedAt)} (${t.tz} ${input.timeZone})`)
  doc.text(`${t.status}: ${t.statuses[invoice.status]}`)
  doc.moveDown()

  const top = doc.y
  const half = (doc.page.width - 96 - 16) / 2
  const party = (x: number, heading: string, rows: [string, string | undefined][]) => {
    doc.fontSize(12).text(heading, x, top, { width: half })
    doc.fontSize(9)
    for (const [k, v] of rows) if (v) doc.text(`${k}: ${v}`, x, undefined, { width: half })
    return doc.y
  }
  const s = input.seller
  const b = invoice.buyer
  const leftEnd = party(48, t.seller, [[t.name, s.name], [t.taxpayerId, s.taxpayerId], [t.address, s.address]])
  const rightEnd = b
    ? party(48 + half + 16, t.buyer, [
        [t.name, b.title],
        [t.taxpayerId, b.taxpayerId],
        [t.address, b.address],
        [t.phone, b.phone],
        [t.bank, b.bank && b.bankAccount ? `${b.bank} ${b.bankAccount}` : b.bank],
        [t.email, b.email]
      ])
    : party(48 + half + 16, t.buyer, [['', t.none]])
  doc.x = 48
  doc.y = Math.max(leftEnd, rightEnd) + 16

  // The lines table: item, quantity, unit price, discount, rate, tax, total.
  const cols = [154, 40, 70, 60, 45, 55, 75]
  const row = (cells: string[], size: number) => {
    const y = doc.y
    let x = 48
    let bottom = y
    doc.fontSize(size)
    cells.forEach((c, i) => {
      doc.text(c, x, y, { width: cols[i]! - 4, align: i === 0 ? 'left' : 'right' })
      bottom = Math.max(bottom, doc.y)
      x += cols[i]!
    })
    doc.y = bottom + 4
  }
  row([t.item, t.qty, t.unit, t.discount, t.rate, t.tax, t.total], 9)
  doc.moveTo(48, doc.y).lineTo(doc.page.width - 48, doc.y).stroke()
  doc.y += 4
  for (const l of invoice.lines) {
    const name = l.item.kind === 'recharge' ? t.recharge : t.plan(l.item.planCode, l.item.period, input.planNames?.[`${l.item.planCode}:${l.item.period}`])
    row([name, String(l.quantity), money(l.unitPrice), money(l.discount), percent(l.taxRate), money(l.tax), money(l.total)], 9)
  }
  doc.moveTo(48, doc.y).lineTo(doc.page.width - 48, doc.y).stroke()
  doc.moveDown()

  const sums: [string, string][] = [
    [t.sumDiscount, money(invoice.discount)],
    [t.sumTax, money(invoice.tax)],
    [t.sumTotal, money(invoice.total)]
  ]
  if (invoice.credited.amount > 0) {
    sums.push([t.credited, money(invoice.credited)], [t.left, money({ amount: invoice.total.amount - invoice.credited.amount, currency: invoice.total.currency })])
  }
  doc.fontSize(10)
  for (const [k, v] of sums) doc.text(`${k}: ${v}`, 48, undefined, { align: 'right' })
  if (input.creditNotes.length > 0) {
    doc.moveDown().fontSize(10).text(t.notes, 48)
    doc.fontSize(9)
    for (const n of input.creditNotes) doc.text(`${n.number}  ${date(n.issuedAt)}  ${money(n.amount)} (${t.tax} ${money(n.tax)})`)
  }
  doc.moveDown(2).fontSize(8).text(t.vatIncluded, 48)
  doc.end()
  return done
}

/** "0.06" → "6%", exactly (no float). */
function percent(rate: string): string {
  const [, frac = ''] = rate.split('.')
  const digits = frac.padEnd(2, '0')
  const whole = String(Number(digits.slice(0, 2)))
  const rest = digits.slice(2).replace(/0+$/, '')
  return `${whole}${rest ? `.${rest}` : ''}%`
}
