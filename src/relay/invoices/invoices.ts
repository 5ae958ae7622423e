import type { BillingDetails, CreditNote, Invoice } from '../../shared/billing/invoices'
import { documentTaxRate } from '../../shared/catalog'
import { BillingError, NotFound } from '../../shared/errors'
import { money, type Currency } from '../../shared/money'
import type { CheckoutItem } from '../../shared/relay-contract'
import { catalogByVersion, CatalogVersions } from '../catalog/catalog'
import type { Feed } from '../feed/feed'
import { chart } from '../ledger/chart'
import type { Ledger } from '../ledger/ledger'
import type { CreditNoteRow, InvoiceRow, OrderRow, StoreTx } from '../store/ports'
import { billingYear, documentNumber, SERIES } from './numbers'
import { creditTax, invoiceLine, type LineInput } from './tax'

// Invoices and credit notes, issued inside the unit of work of the payment or refund they
// record (notify/apply.ts, outbox/outbox.ts), so a paid order has its invoice exactly when it
// is paid, and a refund its credit note.
//
// Numbers: taken only at issue from a counter row per (series, year) (document_counters),
// incremented inside the issuing transaction. A rollback or a crash before the commit takes the
// increment back with the invoice, so no number is lost; a committed number belongs to a stored
// invoice forever (a void invoice keeps its number). Two relay instances cannot leave a hole or
// a duplicate: on SQLite every write runs in one BEGIN IMMEDIATE transaction at a time (one
// writer per file), and on a shared PostgreSQL the counter upsert row-locks (series, year) until
// the issuer commits or rolls back, so the other instance waits and then increments the value
// that actually committed. The increment is never read-then-write in application code.
//
// Statuses: an invoice is issued when its payment is recorded, so it starts 'paid' ('issued' is
// for an invoice before payment, which no path makes yet); credit notes make it
// 'partially_credited' then 'credited'; 'void' is the operator's (an invoice made in error, with
// nothing credited and no fapiao issued): it keeps its number and is sent again as void.
// Every change re-sends the invoice as an 'invoice' feed record (the latest one wins on devices).

export interface InvoicingOptions {
  /** False: this relay issues no invoices (an operator who invoices from another system). */
  enabled: boolean
  /** IANA zone of the invoice year and the dates printed (Asia/Shanghai). */
  timeZone: string
}

export type InvoiceSource = Invoice['source']

export class Invoices {
  private readonly catalog = new CatalogVersions()

  constructor(
    private readonly feed: Feed,
    private readonly ledger: Ledger,
    readonly options: InvoicingOptions
  ) {}

  /**
   * The invoice of a paid provider order, inside the payment's unit of work. `discount` is the
   * order's discount in minor units (the coupon's; 0 without one): the line shows the list price
   * and the discount, its total is what was paid.
   */
  async issueForOrder(tx: StoreTx, order: OrderRow, discount: number, now: number): Promise<Invoice | null> {
    if (!this.options.enabled) return null
    const item = JSON.parse(order.item_json) as CheckoutItem
    // The rate of the catalog version that priced the order (kept on it; for an order made before
    // it was kept, the version in force when it was created).
    const version = order.catalog_version === null ? await this.catalog.inForce(tx, order.created_at) : await this.catalog.version(tx, order.catalog_version)
    const rate = documentTaxRate(version.document)
    const line: LineInput =
      item.kind === 'plan'
        ? { item: { kind: 'plan', planCode: item.planCode, period: item.period }, quantity: 1, unitPrice: order.amount + discount, discount }
        : { item: { kind: 'recharge' }, quantity: 1, unitPrice: order.amount + discount, discount }
    return this.issue(tx, order.account_id, { kind: 'order', orderNo: order.order_no }, [line], rate, order.currency, now)
  }

  /** The invoice of a plan bought from the wallet (an accepted subscription_purchase record). */
  async issueForPurchase(
    tx: StoreTx,
    accountId: string,
    rec: { id: string; planCode: string; period: string; price: { amount: number; currency: Currency }; catalogVersion: number },
    discount: number,
    now: number
  ): Promise<Invoice | null> {
    if (!this.options.enabled) return null
    const version = await catalogByVersion(tx, rec.catalogVersion)
    const rate = documentTaxRate(version?.document ?? (await this.catalog.inForce(tx, now)).document)
    const item = { kind: 'plan', planCode: rec.planCode, period: rec.period } as Extract<Invoice['lines'][number]['item'], { kind: 'plan' }>
    return this.issue(tx, accountId, { kind: 'wallet', purchaseId: rec.id }, [{ item, quantity: 1, unitPrice: rec.price.amount + discount, discount }], rate, rec.price.currency, now)
  }

  /**
   * The credit note of a refund of `source`'s payment, inside the refund's unit of work; null
   * when there is nothing to credit (no invoice: invoicing off, or paid before invoices). A void
   * invoice is credited too and stays void: voiding kept its VAT booked (the sale stood), so the
   * refund's note is what gives that VAT back.
   */
  async creditForRefund(tx: StoreTx, source: InvoiceSource, refundId: string, amount: number, now: number): Promise<CreditNote | null> {
    if (!this.options.enabled) return null
    const [kind, id] = source.kind === 'order' ? (['order', source.orderNo] as const) : (['wallet', source.purchaseId] as const)
    const inv = await tx.invoices.bySource(kind, id)
    if (!inv) return null
    const known = await tx.invoices.creditNoteByRefund(refundId)
    if (known) return toCreditNote(known)
    const tax = creditTax(inv, amount)
    const year = billingYear(now, this.options.timeZone)
    const note: CreditNoteRow = {
      number: documentNumber(SERIES.creditNote, year, await tx.invoices.nextNumber(SERIES.creditNote, year)),
      invoiceNumber: inv.number,
      accountId: inv.accountId,
      refundId,
      issuedAt: now,
      currency: inv.currency,
      amount,
      tax
    }
    await tx.invoices.insertCreditNote(note)
    if (tax > 0 && vatBooked(inv)) {
      await this.ledger.post(tx, { id: `vat_reversal:${note.number}`, kind: 'vat_reversal', debit: chart.taxPayable(inv.currency), credit: chart.refunds(inv.currency), amount: money(tax, inv.currency), customerAccountId: inv.accountId, sourceId: note.number })
    }
    const credited = inv.credited + amount
    const updated: InvoiceRow = {
      ...inv,
      status: inv.status === 'void' ? 'void' : credited === inv.total ? 'credited' : 'partially_credited',
      credited,
      creditedTax: inv.creditedTax + tax,
      version: inv.version + 1,
      updatedAt: now
    }
    await tx.invoices.update(inv.number, updated, now)
    const dto = toCreditNote(note)
    const invoice = toInvoice(updated)
    // Its notice rides in the credit_note record (notifications/events.ts).
    await this.feed.append(tx, inv.accountId, 'credit_note', dto)
    await this.feed.append(tx, inv.accountId, 'invoice', invoice)
    return dto
  }

  /** Voids an invoice issued in error (operator): nothing credited, no fapiao issued. Its number stays used. */
  async void(tx: StoreTx, number: string, now: number): Promise<Invoice> {
    const inv = await tx.invoices.byNumber(number)
    if (!inv) throw new NotFound('invoice', number)
    if (inv.status === 'void') return toInvoice(inv)
    if (inv.credited > 0) throw new BillingError('INVALID_TRANSITION', `invoice ${number} has credit notes: it cannot be voided`, { status: inv.status, reason: 'credited' })
    if ((await tx.invoices.fapiao(number))?.status === 'issued') throw new BillingError('INVALID_TRANSITION', `a fapiao was issued for ${number}: it cannot be voided`, { status: inv.status, reason: 'fapiao_issued' })
    const updated: InvoiceRow = { ...inv, status: 'void', version: inv.version + 1, updatedAt: now }
    await tx.invoices.update(number, updated, now)
    const invoice = toInvoice(updated)
    await this.feed.append(tx, inv.accountId, 'invoice', invoice)
    return invoice
  }

  private async issue(
    tx: StoreTx,
    accountId: string,
    source: InvoiceSource,
    inputs: LineInput[],
    rate: string,
    currency: Currency,
    now: number
  ): Promise<Invoice | null> {
    if (!this.options.enabled) return null
    const [kind, id] = source.kind === 'order' ? (['order', source.orderNo] as const) : (['wallet', source.purchaseId] as const)
    // One invoice per payment, whatever calls twice.
    const existing = await tx.invoices.bySource(kind, id)
    if (existing) return toInvoice(existing)
    const lines = inputs.map((l) => invoiceLine(l, rate, currency))
    const sum = (f: (l: (typeof lines)[number]) => number) => lines.reduce((s, l) => s + f(l), 0)
    const buyer = await tx.invoices.billingDetails(accountId)
    const year = billingYear(now, this.options.timeZone)
    const row: InvoiceRow = {
      number: documentNumber(SERIES.invoice, year, await tx.invoices.nextNumber(SERIES.invoice, year)),
      accountId,
      sourceKind: kind,
      sourceId: id,
      issuedAt: now,
      status: 'paid',
      currency,
      total: sum((l) => l.total.amount),
      tax: sum((l) => l.tax.amount),
      discount: sum((l) => l.discount.amount),
      credited: 0,
      creditedTax: 0,
      lines: JSON.stringify(lines),
      buyer: buyer ?? null,
      version: 1,
      updatedAt: now
    }
    await tx.invoices.insert(row)
    // The VAT of a plan sold is the state's, not revenue. A recharge's stays in the wallet (a
    // liability) until spent, so its invoice books none (docs/architecture.md, "Invoices").
    for (const [i, l] of lines.entries()) {
      if (l.item.kind !== 'plan' || l.tax.amount === 0) continue
      await this.ledger.post(tx, { id: `vat:${row.number}:${i}`, kind: 'vat', debit: chart.planRevenue(l.item.planCode, l.item.period, currency), credit: chart.taxPayable(currency), amount: l.tax, customerAccountId: accountId, sourceId: row.number })
    }
    // Built from what is at hand (no JSON read back): this runs inside every paid notification.
    const invoice = toInvoice(row, lines)
    // Its invoice_issued notice rides in this record (notifications/events.ts).
    await this.feed.append(tx, accountId, 'invoice', invoice)
    return invoice
  }
}

/** Whether issuing the invoice booked VAT (its lines are plans), so that credits reverse it. */
function vatBooked(inv: InvoiceRow): boolean {
  return (JSON.parse(inv.lines) as Invoice['lines']).some((l) => l.item.kind === 'plan')
}

export function toInvoice(r: InvoiceRow, lines?: Invoice['lines']): Invoice {
  const m = (amount: number) => money(amount, r.currency)
  return {
    number: r.number,
    issuedAt: r.issuedAt,
    status: r.status,
    source: r.sourceKind === 'order' ? { kind: 'order', orderNo: r.sourceId } : { kind: 'wallet', purchaseId: r.sourceId },
    lines: lines ?? (JSON.parse(r.lines) as Invoice['lines']),
    total: m(r.total),
    tax: m(r.tax),
    discount: m(r.discount),
    credited: m(r.credited),
    // Stored only after BillingDetailsSchema validated it.
    ...(r.buyer ? { buyer: JSON.parse(r.buyer) as BillingDetails } : {})
  }
}

export function toCreditNote(r: CreditNoteRow): CreditNote {
  return {
    number: r.number,
    invoiceNumber: r.invoiceNumber,
    issuedAt: r.issuedAt,
    amount: money(r.amount, r.currency),
    tax: money(r.tax, r.currency),
    refundId: r.refundId
  }
}
