import type { InvoiceNotices } from '../invoices/notices'
import type { Notices } from './notices'

// Invoices, credit notes and fapiao tell the account through notices, in the unit of work that
// issues them: one notice per document (its number is the key), an email by the notices' rules
// (these kinds are transactional: sent even to an account that opted out of reminders).
export function invoiceNotices(notices: Notices): InvoiceNotices {
  return {
    async invoiceIssued(tx, accountId, invoice) {
      const orderNo = invoice.source.kind === 'order' ? { orderNo: invoice.source.orderNo } : {}
      await notices.notify(tx, { accountId, kind: 'invoice_issued', noticeId: `invoice:${invoice.number}`, params: { invoiceNo: invoice.number, amount: invoice.total, ...orderNo } })
    },
    async creditNoteIssued(tx, accountId, note) {
      await notices.notify(tx, {
        accountId,
        kind: 'credit_note',
        noticeId: `credit_note:${note.number}`,
        params: { creditNoteNo: note.number, invoiceNo: note.invoiceNumber, amount: note.amount }
      })
    },
    async fapiaoChanged(tx, accountId, fapiao) {
      if (fapiao.status !== 'issued' || !fapiao.fapiaoNumber) return
      await notices.notify(tx, {
        accountId,
        kind: 'fapiao_issued',
        noticeId: `fapiao:${fapiao.invoiceNumber}`,
        params: { invoiceNo: fapiao.invoiceNumber, fapiaoNo: fapiao.fapiaoNumber }
      })
    }
  }
}
