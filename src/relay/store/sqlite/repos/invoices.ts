import type Database from 'better-sqlite3'
import type { CreditNoteRow, CreditNoteWithLines, FapiaoRow, InvoiceRow, InvoicesRepo } from '../../ports'
import { sqliteCounter } from './counter'

const INVOICE_COLS = `number, account_id AS accountId, source_kind AS sourceKind, source_id AS sourceId, issued_at AS issuedAt,
  status, currency, total, tax, discount, credited, credited_tax AS creditedTax, lines, buyer, version, updated_at AS updatedAt`
const NOTE_COLS = `number, invoice_number AS invoiceNumber, account_id AS accountId, refund_id AS refundId, issued_at AS issuedAt,
  currency, amount, tax`
const FAPIAO_COLS = `invoice_number AS invoiceNumber, account_id AS accountId, status, requested_at AS requestedAt,
  decided_at AS decidedAt, fapiao_number AS fapiaoNumber, reason, file_type AS fileType`

export function sqliteInvoices(s: Database.Database): InvoicesRepo {
  // The (series, year) row made at 1 or incremented, inside the caller's transaction.
  const next = sqliteCounter<[string, number]>(s, {
    increment: 'UPDATE document_counters SET last = last + 1 WHERE series = ? AND year = ?',
    read: 'SELECT last FROM document_counters WHERE series = ? AND year = ?',
    create: 'INSERT INTO document_counters (series, year, last) VALUES (?, ?, 1)'
  })
  const counters = s.prepare<[], { series: string; year: number; last: number }>('SELECT series, year, last FROM document_counters ORDER BY series, year')
  const insert = s.prepare(
    `INSERT INTO invoices (number, account_id, source_kind, source_id, issued_at, status, currency, total, tax, discount,
       credited, credited_tax, lines, buyer, version, updated_at)
     VALUES (@number, @accountId, @sourceKind, @sourceId, @issuedAt, @status, @currency, @total, @tax, @discount,
       @credited, @creditedTax, @lines, @buyer, @version, @updatedAt)`
  )
  const byNumber = s.prepare<[string], InvoiceRow>(`SELECT ${INVOICE_COLS} FROM invoices WHERE number = ?`)
  const bySource = s.prepare<[string, string], InvoiceRow>(`SELECT ${INVOICE_COLS} FROM invoices WHERE source_kind = ? AND source_id = ?`)
  const update = s.prepare(
    'UPDATE invoices SET status = ?, credited = ?, credited_tax = ?, version = version + 1, updated_at = ? WHERE number = ?'
  )
  const ofAccount = s.prepare<[string], InvoiceRow>(`SELECT ${INVOICE_COLS} FROM invoices WHERE account_id = ? ORDER BY issued_at, number`)
  const insertNote = s.prepare(
    `INSERT INTO credit_notes (number, invoice_number, account_id, refund_id, issued_at, currency, amount, tax)
     VALUES (@number, @invoiceNumber, @accountId, @refundId, @issuedAt, @currency, @amount, @tax)`
  )
  const noteByRefund = s.prepare<[string], CreditNoteRow>(`SELECT ${NOTE_COLS} FROM credit_notes WHERE refund_id = ?`)
  const notesOf = s.prepare<[string], CreditNoteRow>(`SELECT ${NOTE_COLS} FROM credit_notes WHERE account_id = ? ORDER BY issued_at, number`)
  const issuedIn = s.prepare<[number, number, string, number], InvoiceRow>(
    `SELECT ${INVOICE_COLS} FROM invoices WHERE issued_at >= ? AND issued_at < ? AND number > ? ORDER BY number LIMIT ?`
  )
  const notesIn = s.prepare<[number, number, string, number], CreditNoteWithLines>(
    `SELECT n.number, n.invoice_number AS invoiceNumber, n.account_id AS accountId, n.refund_id AS refundId, n.issued_at AS issuedAt,
       n.currency, n.amount, n.tax, i.lines AS invoiceLines FROM credit_notes n JOIN invoices i ON i.number = n.invoice_number
     WHERE n.issued_at >= ? AND n.issued_at < ? AND n.number > ? ORDER BY n.number LIMIT ?`
  )
  const details = s.prepare<[string], { details: string }>('SELECT details FROM billing_details WHERE account_id = ?')
  const putDetails = s.prepare(
    `INSERT INTO billing_details (account_id, details, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (account_id) DO UPDATE SET details = excluded.details, updated_at = excluded.updated_at`
  )
  const fapiao = s.prepare<[string], FapiaoRow>(`SELECT ${FAPIAO_COLS} FROM fapiao_requests WHERE invoice_number = ?`)
  const fapiaoOf = s.prepare<[string], FapiaoRow>(`SELECT ${FAPIAO_COLS} FROM fapiao_requests WHERE account_id = ? ORDER BY requested_at, invoice_number`)
  const fapiaoByNumber = s.prepare<[string], FapiaoRow>(`SELECT ${FAPIAO_COLS} FROM fapiao_requests WHERE fapiao_number = ?`)
  const putFapiao = s.prepare(
    `INSERT INTO fapiao_requests (invoice_number, account_id, status, requested_at, decided_at, fapiao_number, reason, file_type, file)
     VALUES (@invoiceNumber, @accountId, @status, @requestedAt, @decidedAt, @fapiaoNumber, @reason, @fileType, @file)
     ON CONFLICT (invoice_number) DO UPDATE SET status = excluded.status, requested_at = excluded.requested_at,
       decided_at = excluded.decided_at, fapiao_number = excluded.fapiao_number, reason = excluded.reason,
       file_type = excluded.file_type, file = excluded.file`
  )
  const fapiaoFile = s.prepare<[string], { fileType: 'pdf' | 'ofd'; file: Buffer }>(
    'SELECT file_type AS fileType, file FROM fapiao_requests WHERE invoice_number = ? AND file IS NOT NULL'
  )
  const pdf = s.prepare<[string, string, number], { pdf: Buffer }>('SELECT pdf FROM invoice_pdfs WHERE invoice_number = ? AND lang = ? AND version = ?')
  const putPdf = s.prepare('INSERT INTO invoice_pdfs (invoice_number, lang, version, pdf, rendered_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
  return {
    nextNumber: (series, year) => next(series, year),
    counters: () => counters.all(),
    insert: (row) => void insert.run(row),
    byNumber: (number) => byNumber.get(number),
    bySource: (kind, id) => bySource.get(kind, id),
    update: (number, p, now) => void update.run(p.status, p.credited, p.creditedTax, now, number),
    ofAccount: (accountId) => ofAccount.all(accountId),
    insertCreditNote: (row) => void insertNote.run(row),
    creditNoteByRefund: (refundId) => noteByRefund.get(refundId),
    creditNotesOf: (accountId) => notesOf.all(accountId),
    issuedIn: (from, to, after, limit) => issuedIn.all(from, to, after, limit),
    creditNotesIn: (from, to, after, limit) => notesIn.all(from, to, after, limit),
    billingDetails: (accountId) => details.get(accountId)?.details,
    putBillingDetails: (accountId, d, now) => void putDetails.run(accountId, d, now),
    fapiao: (n) => fapiao.get(n),
    fapiaoOf: (accountId) => fapiaoOf.all(accountId),
    fapiaoByNumber: (n) => fapiaoByNumber.get(n),
    putFapiao: (row, file) => void putFapiao.run({ ...row, file }),
    fapiaoFile: (n) => fapiaoFile.get(n),
    pdf: (n, lang, version) => pdf.get(n, lang, version)?.pdf,
    putPdf: (n, lang, version, bytes, now) => void putPdf.run(n, lang, version, bytes, now)
  }
}
