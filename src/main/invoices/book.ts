import { CreditNoteSchema, FapiaoRequestSchema, InvoiceSchema, type CreditNote, type FapiaoRequest, type Invoice } from '../../shared/billing/invoices'
import type { BillingDb } from '../db/open'

// The account's invoices, credit notes and fapiao requests as the relay's signed feed delivered
// them, kept for the invoices screen (发票) offline. Each is keyed by its number (a fapiao request
// by its invoice's number) with the feed sequence of the record kept: a later record of the same
// number wins, the same or an earlier one changes nothing.

export interface InvoiceEntry {
  invoice: Invoice
  creditNotes: CreditNote[]
  fapiao: FapiaoRequest | null
}

export class InvoiceBook {
  private readonly putInvoice
  private readonly putCredit
  private readonly putFapiao
  private readonly invoicesAll
  private readonly invoiceOne
  private readonly creditsOf
  private readonly fapiaoOf

  constructor(db: BillingDb) {
    const s = db.sqlite
    this.putInvoice = s.prepare<[string, number, number, string, string]>(
      `INSERT INTO invoices (number, seq, issued_at, status, body) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (number) DO UPDATE SET seq = excluded.seq, issued_at = excluded.issued_at, status = excluded.status, body = excluded.body
       WHERE excluded.seq > invoices.seq`
    )
    this.putCredit = s.prepare<[string, string, number, number, string]>(
      `INSERT INTO credit_notes (number, invoice_number, seq, issued_at, body) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (number) DO UPDATE SET invoice_number = excluded.invoice_number, seq = excluded.seq, issued_at = excluded.issued_at, body = excluded.body
       WHERE excluded.seq > credit_notes.seq`
    )
    // seq 0 (the relay's HTTP answer to this device's request) never replaces a feed record.
    this.putFapiao = s.prepare<[string, number, string, string]>(
      `INSERT INTO fapiao_requests (invoice_number, seq, status, body) VALUES (?, ?, ?, ?)
       ON CONFLICT (invoice_number) DO UPDATE SET seq = excluded.seq, status = excluded.status, body = excluded.body
       WHERE excluded.seq > fapiao_requests.seq OR (excluded.seq = 0 AND fapiao_requests.seq = 0)`
    )
    this.invoicesAll = s.prepare<[], { body: string }>('SELECT body FROM invoices ORDER BY issued_at DESC, number DESC')
    this.invoiceOne = s.prepare<[string], { body: string }>('SELECT body FROM invoices WHERE number = ?')
    this.creditsOf = s.prepare<[string], { body: string }>('SELECT body FROM credit_notes WHERE invoice_number = ? ORDER BY issued_at, number')
    this.fapiaoOf = s.prepare<[string], { body: string }>('SELECT body FROM fapiao_requests WHERE invoice_number = ?')
  }

  /** Feed records; true when the record is now the one kept. */
  applyInvoice(inv: Invoice, seq: number): boolean {
    return this.putInvoice.run(inv.number, seq, inv.issuedAt, inv.status, JSON.stringify(inv)).changes > 0
  }
  applyCreditNote(note: CreditNote, seq: number): boolean {
    return this.putCredit.run(note.number, note.invoiceNumber, seq, note.issuedAt, JSON.stringify(note)).changes > 0
  }
  applyFapiao(f: FapiaoRequest, seq: number): boolean {
    return this.putFapiao.run(f.invoiceNumber, seq, f.status, JSON.stringify(f)).changes > 0
  }

  list(): InvoiceEntry[] {
    return this.invoicesAll.all().map((r) => this.entry(InvoiceSchema.parse(JSON.parse(r.body))))
  }

  get(number: string): InvoiceEntry | null {
    const r = this.invoiceOne.get(number)
    return r ? this.entry(InvoiceSchema.parse(JSON.parse(r.body))) : null
  }

  private entry(invoice: Invoice): InvoiceEntry {
    const f = this.fapiaoOf.get(invoice.number)
    return {
      invoice,
      creditNotes: this.creditsOf.all(invoice.number).map((r) => CreditNoteSchema.parse(JSON.parse(r.body))),
      fapiao: f ? FapiaoRequestSchema.parse(JSON.parse(f.body)) : null
    }
  }
}
