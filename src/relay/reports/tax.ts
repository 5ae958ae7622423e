import Decimal from 'decimal.js'
import type { Invoice } from '../../shared/billing/invoices'
import type { ConsoleTaxReport } from '../../shared/console/api'
import { InvalidInput } from '../../shared/errors'
import type { Clock } from '../../node/clock'
import type { CreditNoteWithLines, InvoiceRow, RelayStore } from '../store/ports'
import { minor, reportCsv, type CsvColumn, type CsvLang } from './csv'
import { END_OF_TIME } from './service'

// VAT per currency and rate from the invoices and credit notes themselves (each line carries its
// rate and tax), kept apart by whether the ledger books it (invoices/invoices.ts):
// - a plan line's VAT is booked (vat: plan revenue → tax payable) when the invoice is issued;
// - a credit note on such an invoice gives its tax back (vat_reversal) when the note is issued,
//   so the tax a refund returns lowers the credit note's month, not the invoice's;
// - a recharge's invoice prints VAT but books none (the money stays a wallet liability).
// A void invoice still counts: voiding posts no reversal, so its VAT stays in tax payable until a
// refund's credit note (a void invoice is credited like any other) gives it back.
// Hence over all time the booked rows' payable (tax − creditedTax) is the tax payable account's
// posted balance, to the unit (test/relay/reports/tax.test.ts).

type Row = ConsoleTaxReport['rows'][number]
type Line = Invoice['lines'][number]

const PAGE = 2_000

const rateOf = (line: Line): string => new Decimal(line.taxRate).toString()

export class TaxReportBuilder {
  private readonly rows = new Map<string, Row & { numbers: Set<string> }>()

  constructor(private readonly opts: { from: number; to: number; timeZone: string }) {}

  private row(currency: string, rate: string, booked: boolean) {
    const key = `${currency}|${rate}|${booked}`
    let r = this.rows.get(key)
    if (!r) {
      r = { currency, rate, booked, invoices: 0, gross: 0, tax: 0, net: 0, creditNotes: 0, credited: 0, creditedTax: 0, payable: 0, numbers: new Set() }
      this.rows.set(key, r)
    }
    return r
  }

  addInvoice(inv: InvoiceRow): void {
    for (const line of JSON.parse(inv.lines) as Line[]) {
      const r = this.row(inv.currency, rateOf(line), line.item.kind === 'plan')
      r.numbers.add(inv.number)
      r.gross += line.total.amount
      r.tax += line.tax.amount
    }
  }

  /** The note counts at its invoice's rate, booked as the ledger reverses it (the invoice has a plan line). */
  addCreditNote(note: CreditNoteWithLines): void {
    const lines = JSON.parse(note.invoiceLines) as Line[]
    const plan = lines.find((l) => l.item.kind === 'plan')
    const r = this.row(note.currency, rateOf(plan ?? lines[0]!), plan !== undefined)
    r.creditNotes += 1
    r.credited += note.amount
    r.creditedTax += note.tax
  }

  result(): ConsoleTaxReport {
    const rows: Row[] = []
    const payable: Record<string, number> = {}
    for (const { numbers, ...r } of this.rows.values()) {
      const row = { ...r, invoices: numbers.size, net: r.gross - r.tax, payable: r.tax - r.creditedTax }
      rows.push(row)
      if (row.booked) payable[row.currency] = (payable[row.currency] ?? 0) + row.payable
    }
    rows.sort((a, b) => a.currency.localeCompare(b.currency) || new Decimal(a.rate).comparedTo(b.rate) || Number(b.booked) - Number(a.booked))
    return { from: this.opts.from, to: this.opts.to, timeZone: this.opts.timeZone, rows, payable }
  }
}

/** The tax report over [from, to) (to clamped to now), reading invoices and credit notes in pages of `page` rows. */
export async function taxReport(store: RelayStore, clock: Clock, opts: { from: number; to?: number; timeZone: string }, page = PAGE): Promise<ConsoleTaxReport> {
  const to = Math.min(opts.to ?? END_OF_TIME, clock.now() + 1)
  if (!Number.isSafeInteger(opts.from) || opts.from < 0 || opts.from >= to) throw new InvalidInput('from must be an instant (ms) before to', { field: 'from' })
  const builder = new TaxReportBuilder({ from: opts.from, to, timeZone: opts.timeZone })
  for (let after = ''; ; ) {
    const rows = await store.read(async (tx) => tx.invoices.issuedIn(opts.from, to, after, page))
    for (const inv of rows) builder.addInvoice(inv)
    if (rows.length < page) break
    after = rows.at(-1)!.number
  }
  for (let after = ''; ; ) {
    const rows = await store.read(async (tx) => tx.invoices.creditNotesIn(opts.from, to, after, page))
    for (const note of rows) builder.addCreditNote(note)
    if (rows.length < page) break
    after = rows.at(-1)!.number
  }
  return builder.result()
}

/** The rows as CSV for Excel (csv.ts). */
export function taxCsv(report: ConsoleTaxReport, lang: CsvLang): string {
  const columns: CsvColumn<Row>[] = [
    { zh: '币种', en: 'currency', value: (r) => r.currency },
    { zh: '税率', en: 'rate', value: (r) => r.rate },
    { zh: '计入应交税费', en: 'booked', value: (r) => (r.booked ? (lang === 'en' ? 'yes' : '是') : lang === 'en' ? 'no' : '否') },
    { zh: '发票数', en: 'invoices', value: (r) => String(r.invoices) },
    { zh: '价税合计', en: 'gross', value: (r) => minor(r.gross) },
    { zh: '税额', en: 'tax', value: (r) => minor(r.tax) },
    { zh: '不含税金额', en: 'net', value: (r) => minor(r.net) },
    { zh: '红字发票数', en: 'credit notes', value: (r) => String(r.creditNotes) },
    { zh: '冲红金额', en: 'credited', value: (r) => minor(r.credited) },
    { zh: '冲红税额', en: 'credited tax', value: (r) => minor(r.creditedTax) },
    { zh: '应交税额', en: 'payable', value: (r) => minor(r.payable) }
  ]
  return reportCsv(columns, report.rows, lang)
}
