import type { InvoicesResponseSchema } from '../../shared/billing/invoices'
import { NotFound } from '../../shared/errors'
import type { Clock } from '../../node/clock'
import type { DeviceContext } from '../accounts/accounts'
import type { RelayStore } from '../store/ports'
import type { z } from 'zod'
import { toFapiao } from './fapiao'
import type { PdfRenderer } from './pdf-renderer'
import { catalogInForce } from '../catalog/catalog'
import { toCreditNote, toInvoice } from './invoices'
import type { InvoiceLang, Seller } from './pdf'

// What a device reads of its invoices: the list (GET /v1/invoices) and each invoice's PDF,
// rendered once per (invoice, language, version) and kept in invoice_pdfs. A credit note or a
// status change raises the invoice's version, so the next download renders the new state; the
// older versions stay kept (what was handed out before). Another account's invoice is 404, as
// one that does not exist.

export class InvoiceReads {
  constructor(
    private readonly store: RelayStore,
    private readonly clock: Clock,
    private readonly renderer: PdfRenderer,
    private readonly seller: Seller,
    private readonly timeZone: string
  ) {}

  list(accountId: string): Promise<z.infer<typeof InvoicesResponseSchema>> {
    return this.store.read(
      async (tx) => ({
        invoices: (await tx.invoices.ofAccount(accountId)).map((r) => toInvoice(r)),
        creditNotes: (await tx.invoices.creditNotesOf(accountId)).map(toCreditNote),
        fapiao: (await tx.invoices.fapiaoOf(accountId)).map(toFapiao)
      }),
      { durable: true }
    )
  }

  async pdf(ctx: DeviceContext, number: string, lang: InvoiceLang): Promise<Buffer> {
    const found = await this.store.read(
      async (tx) => {
        const inv = await tx.invoices.byNumber(number)
        if (!inv || inv.accountId !== ctx.accountId) return undefined
        const kept = await tx.invoices.pdf(number, lang, inv.version)
        const notes = kept ? [] : (await tx.invoices.creditNotesOf(ctx.accountId)).filter((n) => n.invoiceNumber === number)
        // Plans are named as the catalog named them when the invoice was issued.
        const planNames = kept ? {} : Object.fromEntries((await catalogInForce(tx, inv.issuedAt)).document.plans.map((p) => [`${p.code}:${p.period}`, p.name]))
        return { inv, kept, notes, planNames }
      },
      { durable: true }
    )
    if (!found) throw new NotFound('invoice', number)
    if (found.kept) return found.kept
    // Rendered outside any unit of work, on the renderer's thread; kept unless a concurrent
    // render kept its identical bytes first.
    const bytes = await this.renderer.render({
      invoice: toInvoice(found.inv),
      creditNotes: found.notes.map(toCreditNote),
      seller: this.seller,
      timeZone: this.timeZone,
      lang,
      planNames: found.planNames
    })
    await this.store.unit(async (tx) => tx.invoices.putPdf(number, lang, found.inv.version, bytes, this.clock.now()))
    return bytes
  }
}
