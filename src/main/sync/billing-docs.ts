import { BillingError, InvalidInput, NotFound } from '../../shared/errors'
import { ERROR_CODES, type ErrorCode } from '../../shared/errors'
import { BillingDetailsSchema, type BillingDetails, type FapiaoRequest } from '../../shared/billing/invoices'
import type { Quote, QuoteRequest } from '../../shared/billing/coupons'
import type { InvoiceBook, InvoiceEntry, InvoicePdfs, FileOpener, PdfLang } from '../invoices'
import { RelayError, type RelayClient } from './relay-client'

// The relay calls behind coupons and invoices (quotes, 开票信息, PDFs, fapiao requests), with
// relay errors mapped to the app's typed ones as the checkout does: a refusal keeps its code
// (COUPON_REFUSED with its reason, INVALID_INPUT with the field issues, NOT_FOUND), a relay out
// of reach is UNAVAILABLE (try again). Invoices are listed from the feed's records (offline);
// a PDF downloaded once is kept and opens offline.

export interface BillingDocsDeps {
  client: () => RelayClient
  invoices: InvoiceBook
  pdfs: InvoicePdfs
  open: FileOpener
  enrolled: () => boolean
}

export class BillingDocs {
  constructor(private readonly d: BillingDocsDeps) {}

  quote(req: QuoteRequest): Promise<Quote> {
    return this.relay(async (c) => (await c.quote(req)).quote)
  }

  billingDetails(): Promise<BillingDetails | null> {
    return this.relay(async (c) => (await c.billingDetails()).details)
  }

  async setBillingDetails(raw: unknown): Promise<BillingDetails | null> {
    // The same schema as the relay's: a bad form never leaves the device.
    const parsed = BillingDetailsSchema.safeParse(raw)
    if (!parsed.success) {
      throw new InvalidInput('invalid billing details', { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) })
    }
    return this.relay(async (c) => (await c.putBillingDetails(parsed.data)).details)
  }

  invoices(): InvoiceEntry[] {
    return this.d.invoices.list()
  }

  invoice(number: string): InvoiceEntry {
    const e = this.d.invoices.get(number)
    if (!e) throw new NotFound('invoice', number)
    return e
  }

  /** Downloads the PDF once (kept in the data dir); true when it is on disk. */
  async downloadPdf(number: string, lang: PdfLang): Promise<{ downloaded: boolean }> {
    this.invoice(number)
    if (this.d.pdfs.has(number, lang)) return { downloaded: true }
    const bytes = await this.relay((c) => c.invoicePdf(number, lang))
    this.d.pdfs.save(number, lang, bytes)
    return { downloaded: true }
  }

  /** Opens the kept PDF (downloading it first when online and not kept yet). */
  async openPdf(number: string, lang: PdfLang): Promise<{ opened: true }> {
    await this.downloadPdf(number, lang)
    const problem = await this.d.open(this.d.pdfs.path(number, lang))
    if (problem) throw new BillingError('UNAVAILABLE', `the PDF could not be opened: ${problem}`, { number })
    return { opened: true }
  }

  hasPdf(number: string, lang: PdfLang): boolean {
    return this.d.pdfs.has(number, lang)
  }

  async requestFapiao(number: string): Promise<FapiaoRequest> {
    const entry = this.invoice(number)
    if (entry.fapiao && entry.fapiao.status !== 'refused') return entry.fapiao
    const f = await this.relay(async (c) => (await c.requestFapiao(number)).fapiao)
    // Shown at once; the feed's signed record replaces it.
    this.d.invoices.applyFapiao(f, 0)
    return f
  }

  private async relay<T>(fn: (c: RelayClient) => Promise<T>): Promise<T> {
    if (!this.d.enrolled()) throw new BillingError('UNAVAILABLE', 'this needs the device to be signed in to the relay')
    try {
      return await fn(this.d.client())
    } catch (err) {
      throw relayFailure(err)
    }
  }
}

/** A relay failure as the app's typed error. */
export function relayFailure(err: unknown): BillingError {
  if (err instanceof BillingError) return err
  if (err instanceof RelayError) {
    if (err.retryable) return new BillingError('UNAVAILABLE', `the relay cannot be reached; try again (${err.message})`)
    const known = (ERROR_CODES as readonly string[]).includes(err.code) ? (err.code as ErrorCode) : 'INVALID_INPUT'
    return new BillingError(known, err.message, { ...err.details, relayCode: err.code })
  }
  return new BillingError('INTERNAL', err instanceof Error ? err.message : String(err))
}
