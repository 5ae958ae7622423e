import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { checkout, notify, paid, refunded } from './support/flows'
import { createTestProvider } from './support/hmac-provider'
import { enrolDevice, startTestRelay } from './support/relay'
import { runRelayExpectingExit } from './support/child'
import { tempDir } from '../support/db'
import { taxpayerIdCheckChar } from '../../src/shared/billing/taxpayer-id'

// The invoice PDF over HTTP: the account's own only, kept per (invoice, language, version),
// deterministic, with a subset CJK font whose Chinese pdftotext extracts. Page 1 of each
// language is rendered to PNG (pdftoppm) in test-artifacts/invoices/ to be looked at.

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const OUT = join(ROOT, 'test-artifacts', 'invoices')
const COMPANY = { type: 'company', title: '杭州示例科技有限公司', taxpayerId: '91350100M000100Y43', email: 'finance@example.com', address: '杭州市西湖区文三路 1 号', phone: '0571-12345678', bank: '招商银行杭州分行', bankAccount: '5719 0000 0000 001' }

async function getPdf(url: string, path: string, token: string) {
  const res = await fetch(url + path, { headers: { authorization: `Bearer ${token}` } })
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) }
}

/** Runs a poppler tool on the PDF's bytes. */
function pdfTool(tool: 'pdftotext' | 'pdffonts' | 'pdfinfo', pdf: Buffer, ...args: string[]): string {
  const file = join(tempDir('invoice-pdf-'), 'i.pdf')
  writeFileSync(file, pdf)
  return execFileSync(tool, [...args, file, ...(tool === 'pdftotext' ? ['-'] : [])], { encoding: 'utf8' })
}
const pdftotext = (pdf: Buffer) => pdfTool('pdftotext', pdf, '-layout')

describe('invoice PDF', () => {
  it('renders the account’s own invoice in Chinese and English with an embedded font subset, once per version', async () => {
    const provider = createTestProvider('stripe')
    const t = await startTestRelay({
      providers: [provider],
      config: { invoicing: { enabled: true, timeZone: 'Asia/Shanghai', seller: { name: '上海直播助手信息技术有限公司', taxpayerId: `91310000MA1FL0000${taxpayerIdCheckChar('91310000MA1FL0000')}`, address: '上海市浦东新区' } } }
    })
    const dev = await enrolDevice(t.api)
    const other = await enrolDevice(t.api)
    await t.api('PUT', '/v1/billing-details', { token: dev.token, body: COMPANY })
    const { order } = await checkout(t.api, dev.token, { provider: 'stripe', item: { kind: 'plan', planCode: 'BASIC', period: 'yearly' } })
    await notify(t, provider, [paid(order.orderNo, 29_900)])
    const number = (await t.api('GET', '/v1/invoices', { token: dev.token })).body.invoices[0].number as string
    const path = `/v1/invoices/${number}/pdf`

    const zh = await getPdf(t.url, path, dev.token)
    expect(zh.status).toBe(200)
    expect(zh.type).toBe('application/pdf')
    expect(zh.bytes.subarray(0, 5).toString()).toBe('%PDF-')
    // A subset: tens of kB, not the 19 MB collection.
    expect(zh.bytes.length).toBeLessThan(120_000)
    expect(pdfTool('pdffonts', zh.bytes)).toMatch(/[A-Z]{6}\+NotoSansCJKsc-Regular\s+CID Type 0C\s+Identity-H\s+yes\s+yes/)
    const zhText = pdftotext(zh.bytes)
    for (const s of ['发票', number, '销售方', '购买方', '杭州示例科技有限公司', '91350100M000100Y43', '基础版（年付）', '价税合计', '¥299.00', '¥16.92', '6%', '2025/01/15 12:00']) {
      expect(zhText).toContain(s)
    }
    const en = await getPdf(t.url, `${path}?lang=en`, dev.token)
    const enText = pdftotext(en.bytes)
    for (const s of ['Invoice', number, 'Seller', 'Buyer', 'BASIC plan (yearly)', 'CN¥299.00', 'of which VAT', '15/01/2025, 12:00', 'Asia/Shanghai']) {
      expect(enText).toContain(s)
    }
    // Kept: the same bytes again; deterministic metadata (CreationDate = issue time).
    expect((await getPdf(t.url, path, dev.token)).bytes.equals(zh.bytes)).toBe(true)
    expect(pdfTool('pdfinfo', zh.bytes, '-isodates')).toMatch(/CreationDate:\s+2025-01-15T04:00:00Z/)
    const kept = () => t.relay.db.sqlite.prepare('SELECT lang, version FROM invoice_pdfs ORDER BY version, lang').all()
    expect(kept()).toEqual([{ lang: 'en', version: 1 }, { lang: 'zh-CN', version: 1 }])
    // Rendered again from nothing (the kept copy lost): byte for byte the same.
    t.relay.db.sqlite.prepare('DELETE FROM invoice_pdfs').run()
    expect((await getPdf(t.url, path, dev.token)).bytes.equals(zh.bytes)).toBe(true)

    mkdirSync(OUT, { recursive: true })
    for (const [lang, pdf] of [['zh-CN', zh.bytes], ['en', en.bytes]] as const) {
      writeFileSync(join(OUT, `invoice-${lang}.pdf`), pdf)
      execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', join(OUT, `invoice-${lang}.pdf`), join(OUT, `invoice-${lang}`)])
    }

    // Another account's invoice, a bad language, no token.
    expect((await getPdf(t.url, path, other.token)).status).toBe(404)
    expect((await getPdf(t.url, `${path}?lang=fr`, dev.token)).status).toBe(400)
    expect((await fetch(t.url + path)).status).toBe(401)
    expect((await getPdf(t.url, '/v1/invoices/INV-2025-000099/pdf', dev.token)).status).toBe(404)

    // A credit note makes a new version: the next PDF shows it.
    await notify(t, provider, [refunded(order.orderNo, 10_000, 're_pdf')])
    const credited = await getPdf(t.url, path, dev.token)
    const text = pdftotext(credited.bytes)
    expect(text).toContain('部分冲红')
    expect(text).toContain('CN-2025-000001')
    expect(text).toContain('¥199.00')
    writeFileSync(join(OUT, 'invoice-zh-CN-credited.pdf'), credited.bytes)
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', join(OUT, 'invoice-zh-CN-credited.pdf'), join(OUT, 'invoice-zh-CN-credited')])
    expect(kept()).toContainEqual({ lang: 'zh-CN', version: 2 })
  }, 60_000)

  it('says clearly when no font is found: at start-up for a bad RELAY_INVOICE_FONT, and on the first render otherwise', async () => {
    const bad = await runRelayExpectingExit({ RELAY_DATA_DIR: tempDir('relay-font-'), RELAY_INVOICE_FONT: '/nowhere/font.ttc' })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('RELAY_INVOICE_FONT')

    const provider = createTestProvider('stripe')
    const t = await startTestRelay({ providers: [provider], config: { invoicing: { enabled: true, timeZone: 'Asia/Shanghai', seller: { name: 'x' }, font: '/nowhere/font.ttc' } } })
    const dev = await enrolDevice(t.api)
    const { order } = await checkout(t.api, dev.token, { provider: 'stripe', item: { kind: 'recharge', amount: { amount: 1000, currency: 'CNY' } } })
    await notify(t, provider, [paid(order.orderNo, 1000)])
    const r = await t.api('GET', '/v1/invoices/INV-2025-000001/pdf', { token: dev.token })
    expect(r.status).toBe(503)
    expect(r.body.error).toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'no_font' } })
    expect(r.body.error.message).toContain('/nowhere/font.ttc')
  })
})
