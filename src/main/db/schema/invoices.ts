// Invoices, credit notes and fapiao requests as the relay's feed delivered them (owned by
// src/main/invoices), listed offline. `seq` is the feed sequence of the record kept: a later
// record of the same number replaces it, an earlier or the same one changes nothing.
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

export const invoices = sqliteTable(
  'invoices',
  {
    number: text('number').primaryKey(),
    seq: integer('seq').notNull(),
    issuedAt: integer('issued_at').notNull(),
    status: text('status').notNull(),
    body: text('body').notNull()
  },
  (t) => [index('invoices_issued_idx').on(t.issuedAt)]
)

export const creditNotes = sqliteTable(
  'credit_notes',
  {
    number: text('number').primaryKey(),
    invoiceNumber: text('invoice_number').notNull(),
    seq: integer('seq').notNull(),
    issuedAt: integer('issued_at').notNull(),
    body: text('body').notNull()
  },
  (t) => [index('credit_notes_invoice_idx').on(t.invoiceNumber)]
)

/** One request per invoice; `seq` 0: the relay's HTTP answer to this device's request, until the feed's record. */
export const fapiaoRequests = sqliteTable('fapiao_requests', {
  invoiceNumber: text('invoice_number').primaryKey(),
  seq: integer('seq').notNull(),
  status: text('status').notNull(),
  body: text('body').notNull()
})
