import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { QuoteRequestSchema, type CouponRefusal, type Quote } from '../../src/shared/billing/coupons'
import { couponDiscount, type CouponOff } from '../../src/shared/billing/discount'
import { BillingDetailsSchema, type BillingDetails, type CreditNote, type FapiaoRequest, type Invoice } from '../../src/shared/billing/invoices'
import { BUILT_IN_CATALOG } from '../../src/shared/catalog'
import { includedTax, money, subtract, type Money } from '../../src/shared/money'

// STAND-IN for relay routes another branch builds (issue 16): POST /v1/quotes, GET/PUT
// /v1/billing-details, GET /v1/invoices, GET /v1/invoices/:number/pdf, POST
// /v1/invoices/:number/fapiao, and `code` on POST /v1/checkouts. Every body is validated with the shared schemas, as the relay
// does; every other request is forwarded to the real relay unchanged (feed, lease, checkouts…),
// so the app under test talks to one URL. After the merge the tests point at the real relay
// and this file goes: it is the only one that serves these routes.

export interface StandInCode {
  name: string
  off: CouponOff
  maxDiscount?: Money
  /** Refused with this reason whatever is bought. */
  refusal?: CouponRefusal
  /** Only these plan codes (default: every plan and recharges). */
  plans?: string[]
}

export interface BillingStandIn {
  readonly url: string
  codes: Map<string, StandInCode>
  invoices: Invoice[]
  creditNotes: CreditNote[]
  fapiao: FapiaoRequest[]
  details: BillingDetails | null
  /** Bytes served for any of the account's invoices' PDF. */
  pdf: Buffer
  /** Each stand-in route called: method, path and language. */
  calls: string[]
  close(): Promise<void>
}

const TAX_RATE = '0.06'

/** The smallest valid one-page PDF, with its text (the relay renders the real one with pdfkit). */
export function tinyPdf(text: string): Buffer {
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'
  ]
  const stream = `BT /F1 18 Tf 20 70 Td (${text.replace(/[()\\]/g, '')}) Tj ET`
  objs[3] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`
  let out = '%PDF-1.4\n'
  const offsets: number[] = []
  objs.forEach((o, i) => {
    offsets.push(out.length)
    out += `${i + 1} 0 obj\n${o}\nendobj\n`
  })
  const xref = out.length
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

function listPrice(item: Quote['item']): Money {
  if (item.kind === 'recharge') return money(item.amount.amount, item.amount.currency)
  const p = BUILT_IN_CATALOG.plans.find((x) => x.code === item.planCode && x.period === item.period)
  return money(p?.price ?? 0, 'CNY')
}

function quoteOf(codes: Map<string, StandInCode>, item: Quote['item'], code: string | undefined): Quote {
  const list = listPrice(item)
  const base = { item, catalogVersion: BUILT_IN_CATALOG.version, listPrice: list, taxRate: TAX_RATE }
  // 充值赠送: ¥10 on ¥100 or more, as the catalog's bonus rules would give.
  const bonus = item.kind === 'recharge' && list.amount >= 10_000 ? { bonus: money(1000, list.currency) } : {}
  const full = { ...base, discount: money(0, list.currency), tax: includedTax(list, TAX_RATE), total: list, ...bonus }
  if (!code) return full
  const c = codes.get(code)
  const refusal: CouponRefusal | null = !c ? 'unknown' : c.refusal ? c.refusal : c.plans && (item.kind !== 'plan' || !c.plans.includes(item.planCode)) ? 'not_applicable' : null
  if (refusal || !c) return { ...full, refusal: { code: refusal ?? 'unknown', message: `the code does not apply: ${refusal}` } }
  const discount = couponDiscount(list, c.off, c.maxDiscount ? { maxDiscount: c.maxDiscount } : {})
  const total = subtract(list, discount)
  return {
    ...base,
    ...bonus,
    discount,
    tax: includedTax(total, TAX_RATE),
    total,
    coupon: { couponId: `cpn-${code}`, code, name: c.name, off: c.off, duration: { kind: 'once' } }
  }
}

const send = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}
const invalid = (res: ServerResponse, issues: unknown): void =>
  send(res, 400, { error: { code: 'INVALID_INPUT', message: 'invalid request', details: { issues } } })

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

export async function startBillingStandIn(opts: { forwardTo: string }): Promise<BillingStandIn> {
  const target = new URL(opts.forwardTo)
  const state: Omit<BillingStandIn, 'url' | 'close'> = {
    codes: new Map(),
    invoices: [],
    creditNotes: [],
    fapiao: [],
    details: null,
    pdf: tinyPdf('INVOICE'),
    calls: []
  }
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req)
      const url = new URL(req.url ?? '/', 'http://stand-in')
      const path = url.pathname
      const route = `${req.method} ${path}`
      const authed = typeof req.headers.authorization === 'string' && req.headers.authorization.startsWith('Bearer ')
      const mine = (n: string) => state.invoices.find((i) => i.number === n)
      const json = (): unknown => {
        try {
          return JSON.parse(body.toString('utf8'))
        } catch {
          return undefined
        }
      }
      const ours = /^\/v1\/(quotes|billing-details|invoices)(\/|$)/.test(path)
      if (ours) {
        state.calls.push(`${route}${url.searchParams.get('lang') ? `?lang=${url.searchParams.get('lang')}` : ''}`)
        if (!authed) return send(res, 401, { error: { code: 'UNAUTHORIZED', message: 'device token required' } })
      }
      if (route === 'POST /v1/quotes') {
        const q = QuoteRequestSchema.safeParse(json())
        if (!q.success) return invalid(res, q.error.issues)
        return send(res, 200, { quote: quoteOf(state.codes, q.data.item, q.data.code) })
      }
      if (route === 'GET /v1/billing-details') return send(res, 200, { details: state.details })
      if (route === 'PUT /v1/billing-details') {
        const d = BillingDetailsSchema.safeParse(json())
        if (!d.success) return invalid(res, d.error.issues)
        state.details = d.data
        return send(res, 200, { details: d.data })
      }
      if (route === 'GET /v1/invoices') return send(res, 200, { invoices: state.invoices, creditNotes: state.creditNotes, fapiao: state.fapiao })
      const pdf = /^\/v1\/invoices\/([^/]+)\/pdf$/.exec(path)
      if (req.method === 'GET' && pdf) {
        const lang = url.searchParams.get('lang')
        if (lang !== 'zh-CN' && lang !== 'en') return invalid(res, [{ path: ['lang'], message: 'zh-CN or en' }])
        if (!mine(decodeURIComponent(pdf[1]!))) return send(res, 404, { error: { code: 'NOT_FOUND', message: 'no such invoice' } })
        return res.writeHead(200, { 'content-type': 'application/pdf' }).end(state.pdf)
      }
      const fp = /^\/v1\/invoices\/([^/]+)\/fapiao$/.exec(path)
      if (req.method === 'POST' && fp) {
        const n = decodeURIComponent(fp[1]!)
        if (!mine(n)) return send(res, 404, { error: { code: 'NOT_FOUND', message: 'no such invoice' } })
        const f: FapiaoRequest = { invoiceNumber: n, status: 'requested', requestedAt: Date.now() }
        state.fapiao = [...state.fapiao.filter((x) => x.invoiceNumber !== n), f]
        return send(res, 200, { fapiao: f })
      }
      if (ours) return send(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${route}` } })
      // `code` on POST /v1/checkouts (the same branch): a code that does not apply is refused as
      // its quote says; one that applies is passed on (the relay here prices without it).
      if (route === 'POST /v1/checkouts') {
        const b = json() as { code?: unknown; item?: Quote['item'] } | undefined
        if (typeof b?.code === 'string' && b.item) {
          state.calls.push(`${route} code=${b.code}`)
          const q = quoteOf(state.codes, b.item, b.code)
          if (q.refusal) return send(res, 409, { error: { code: 'COUPON_REFUSED', message: q.refusal.message, details: { reason: q.refusal.code } } })
        }
      }
      // Everything else is the real relay's.
      const fwd = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers)
          up.pipe(res)
        }
      )
      fwd.on('error', () => send(res, 502, { error: { code: 'UNAVAILABLE', message: 'relay unreachable' } }))
      fwd.end(body)
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return Object.assign(state, {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }) as BillingStandIn
}
