import type { CreditNote, FapiaoRequest, Invoice } from '../../shared/billing/invoices'
import type { Awaitable, StoreTx } from '../store/ports'

// The hook for notices (invoice_issued, credit_note, fapiao_issued): called inside the unit of
// work that issues the document, after its feed record, so a notice exists exactly when the
// document does. Use only `tx` (the caller's transaction); do no I/O here (an email is a job
// enqueued in the same unit).

export interface InvoiceNotices {
  invoiceIssued(tx: StoreTx, accountId: string, invoice: Invoice): Awaitable<void>
  creditNoteIssued(tx: StoreTx, accountId: string, note: CreditNote, invoice: Invoice): Awaitable<void>
  /** Every fapiao change (requested, issued, refused); `fapiao_issued` is the issued one. */
  fapiaoChanged(tx: StoreTx, accountId: string, fapiao: FapiaoRequest): Awaitable<void>
}

export const NO_NOTICES: InvoiceNotices = {
  invoiceIssued: () => {},
  creditNoteIssued: () => {},
  fapiaoChanged: () => {}
}
