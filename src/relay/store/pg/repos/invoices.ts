import type { CreditNoteRow, CreditNoteWithLines, FapiaoRow, InvoiceRow, InvoicesRepo } from '../../ports'
import { ms, msOrNull, ts, tsOrNull, type Sql } from '../sql'
import { noInvoiceKey } from './orders'

// Invoices on PostgreSQL, as the SQLite repository. Numbers: one upsert-increment of the
// (series, year) counter row inside the issuing unit; it row-locks that row until the unit commits
// or rolls back (a rollback takes the number back), so two instances never leave a hole, and a
// second issuer meanwhile fails with a serialization error and runs again with the next number.

const INVOICE_COLS = `number, account_id AS "accountId", source_kind AS "sourceKind", source_id AS "sourceId", issued_at AS "issuedAt",
  status, currency, total, tax, discount, credited, credited_tax AS "creditedTax", lines, buyer, version, updated_at AS "updatedAt"`
const NOTE_COLS = `number, invoice_number AS "invoiceNumber", account_id AS "accountId", refund_id AS "refundId", issued_at AS "issuedAt",
  currency, amount, tax`
const FAPIAO_COLS = `invoice_number AS "invoiceNumber", account_id AS "accountId", status, requested_at AS "requestedAt",
  decided_at AS "decidedAt", fapiao_number AS "fapiaoNumber", reason, file_type AS "fileType"`

type InvoiceColumns = Omit<InvoiceRow, 'issuedAt' | 'updatedAt'> & { issuedAt: Date; updatedAt: Date }
type NoteColumns = Omit<CreditNoteRow, 'issuedAt'> & { issuedAt: Date }
type FapiaoColumns = Omit<FapiaoRow, 'requestedAt' | 'decidedAt'> & { requestedAt: Date; decidedAt: Date | null }

const invoice = (r: InvoiceColumns): InvoiceRow => ({ ...r, issuedAt: ms(r.issuedAt), updatedAt: ms(r.updatedAt) })
const note = (r: NoteColumns): CreditNoteRow => ({ ...r, issuedAt: ms(r.issuedAt) })
const fapiao = (r: FapiaoColumns): FapiaoRow => ({ ...r, requestedAt: ms(r.requestedAt), decidedAt: msOrNull(r.decidedAt) })

/** Memo key (sql.ts) of an account's billing details, kept for the unit (undefined: none). */
export const billingDetailsKey = (accountId: string) => `billing_details:${accountId}`

export function pgInvoices(q: Sql): InvoicesRepo {
  return {
    // After its first number the unit holds the counter row's lock to its end, so its further
    // numbers are the next ones: counted here (sql.ts memo) and the increment queued, no round trip.
    // A savepoint rolled back forgets the count (its increments are undone with it).
    async nextNumber(series, year) {
      const key = `counter:${series}:${year}`
      const held = q.memo.get(key) as { last: number } | undefined
      if (held) {
        await q.later('UPDATE document_counters SET last = last + 1 WHERE series = $1 AND year = $2', [series, year])
        return ++held.last
      }
      const { last } = (await q.get<{ last: number }>(
        `INSERT INTO document_counters (series, year, last) VALUES ($1, $2, 1)
         ON CONFLICT (series, year) DO UPDATE SET last = document_counters.last + 1 RETURNING last`,
        [series, year]
      ))!
      q.memo.set(key, { last })
      return last
    },
    counters: () => q.all<{ series: string; year: number; last: number }>('SELECT series, year, last FROM document_counters ORDER BY series, year'),
    insert: async (r) =>
      void (q.memo.delete(noInvoiceKey(r.sourceKind, r.sourceId)),
      await q.later(
        `INSERT INTO invoices (number, account_id, source_kind, source_id, issued_at, status, currency, total, tax, discount,
           credited, credited_tax, lines, buyer, version, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
        [
          r.number,
          r.accountId,
          r.sourceKind,
          r.sourceId,
          ts(r.issuedAt),
          r.status,
          r.currency,
          r.total,
          r.tax,
          r.discount,
          r.credited,
          r.creditedTax,
          r.lines,
          r.buyer,
          r.version,
          ts(r.updatedAt)
        ]
      )),
    byNumber: async (number) => {
      const r = await q.get<InvoiceColumns>(`SELECT ${INVOICE_COLS} FROM invoices WHERE number = $1`, [number])
      return r && invoice(r)
    },
    bySource: async (kind, id) => {
      // The order's read may have told that it has none (repos/orders.ts).
      if (q.memo.has(noInvoiceKey(kind, id))) return undefined
      const r = await q.get<InvoiceColumns>(`SELECT ${INVOICE_COLS} FROM invoices WHERE source_kind = $1 AND source_id = $2`, [kind, id])
      return r && invoice(r)
    },
    update: async (number, p, now) =>
      void (await q.later('UPDATE invoices SET status = $1, credited = $2, credited_tax = $3, version = version + 1, updated_at = $4 WHERE number = $5', [
        p.status,
        p.credited,
        p.creditedTax,
        ts(now),
        number
      ])),
    ofAccount: async (accountId) =>
      (await q.all<InvoiceColumns>(`SELECT ${INVOICE_COLS} FROM invoices WHERE account_id = $1 ORDER BY issued_at, number`, [accountId])).map(invoice),
    insertCreditNote: async (r) =>
      void (await q.later(
        `INSERT INTO credit_notes (number, invoice_number, account_id, refund_id, issued_at, currency, amount, tax)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [r.number, r.invoiceNumber, r.accountId, r.refundId, ts(r.issuedAt), r.currency, r.amount, r.tax]
      )),
    creditNoteByRefund: async (refundId) => {
      const r = await q.get<NoteColumns>(`SELECT ${NOTE_COLS} FROM credit_notes WHERE refund_id = $1`, [refundId])
      return r && note(r)
    },
    creditNotesOf: async (accountId) =>
      (await q.all<NoteColumns>(`SELECT ${NOTE_COLS} FROM credit_notes WHERE account_id = $1 ORDER BY issued_at, number`, [accountId])).map(note),
    issuedIn: async (from, to, after, limit) =>
      (
        await q.all<InvoiceColumns>(`SELECT ${INVOICE_COLS} FROM invoices WHERE issued_at >= $1 AND issued_at < $2 AND number > $3 ORDER BY number LIMIT $4`, [
          ts(from),
          ts(to),
          after,
          limit
        ])
      ).map(invoice),
    creditNotesIn: async (from, to, after, limit) =>
      (
        await q.all<NoteColumns & { invoiceLines: string }>(
          `SELECT n.number, n.invoice_number AS "invoiceNumber", n.account_id AS "accountId", n.refund_id AS "refundId", n.issued_at AS "issuedAt",
             n.currency, n.amount, n.tax, i.lines AS "invoiceLines" FROM credit_notes n JOIN invoices i ON i.number = n.invoice_number
           WHERE n.issued_at >= $1 AND n.issued_at < $2 AND n.number > $3 ORDER BY n.number LIMIT $4`,
          [ts(from), ts(to), after, limit]
        )
      ).map((r): CreditNoteWithLines => ({ ...note(r), invoiceLines: r.invoiceLines })),
    // Kept for the unit (sql.ts memo): each invoice of a batch reads its buyer's details.
    async billingDetails(accountId) {
      const key = billingDetailsKey(accountId)
      if (!q.memo.has(key)) q.memo.set(key, (await q.get<{ details: string }>('SELECT details FROM billing_details WHERE account_id = $1', [accountId]))?.details)
      return q.memo.get(key) as string | undefined
    },
    putBillingDetails: async (accountId, d, now) =>
      void (q.memo.delete(billingDetailsKey(accountId)),
      await q.later(
        `INSERT INTO billing_details (account_id, details, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (account_id) DO UPDATE SET details = excluded.details, updated_at = excluded.updated_at`,
        [accountId, d, ts(now)]
      )),
    fapiao: async (n) => {
      const r = await q.get<FapiaoColumns>(`SELECT ${FAPIAO_COLS} FROM fapiao_requests WHERE invoice_number = $1`, [n])
      return r && fapiao(r)
    },
    fapiaoOf: async (accountId) =>
      (await q.all<FapiaoColumns>(`SELECT ${FAPIAO_COLS} FROM fapiao_requests WHERE account_id = $1 ORDER BY requested_at, invoice_number`, [accountId])).map(fapiao),
    fapiaoByNumber: async (n) => {
      const r = await q.get<FapiaoColumns>(`SELECT ${FAPIAO_COLS} FROM fapiao_requests WHERE fapiao_number = $1`, [n])
      return r && fapiao(r)
    },
    putFapiao: async (r, file) =>
      void (await q.run(
        `INSERT INTO fapiao_requests (invoice_number, account_id, status, requested_at, decided_at, fapiao_number, reason, file_type, file)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (invoice_number) DO UPDATE SET status = excluded.status, requested_at = excluded.requested_at,
           decided_at = excluded.decided_at, fapiao_number = excluded.fapiao_number, reason = excluded.reason,
           file_type = excluded.file_type, file = excluded.file`,
        [r.invoiceNumber, r.accountId, r.status, ts(r.requestedAt), tsOrNull(r.decidedAt), r.fapiaoNumber, r.reason, r.fileType, file]
      )),
    fapiaoFile: (n) =>
      q.get<{ fileType: 'pdf' | 'ofd'; file: Buffer }>('SELECT file_type AS "fileType", file FROM fapiao_requests WHERE invoice_number = $1 AND file IS NOT NULL', [n]),
    pdf: async (n, lang, version) =>
      (await q.get<{ pdf: Buffer }>('SELECT pdf FROM invoice_pdfs WHERE invoice_number = $1 AND lang = $2 AND version = $3', [n, lang, version]))?.pdf,
    putPdf: async (n, lang, version, bytes, now) =>
      void (await q.run('INSERT INTO invoice_pdfs (invoice_number, lang, version, pdf, rendered_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [
        n,
        lang,
        version,
        bytes,
        ts(now)
      ]))
  }
}
