import type { ConsoleTaxReport } from '../../../shared/console/api'
import { api, query } from '../../api'
import { errorText, useLocale, useT } from '../../i18n'
import { RelayCsvLink } from './CsvLink'
import { amount, percent } from './format'
import { messages } from './messages'
import type { Range } from './Overview'
import { useLoad } from '../../lib/useLoad'

// VAT of the invoices and credit notes issued in the range, per currency, rate and whether the
// ledger books it (GET /v1/console/reports/tax).

const COLUMNS = ['gross', 'tax', 'net', 'credited', 'creditedTax', 'payable'] as const
const HEAD = { gross: 'revenue.col.taxGross', tax: 'revenue.col.taxAmount', net: 'revenue.col.taxNet', credited: 'revenue.col.credited', creditedTax: 'revenue.col.creditedTax', payable: 'revenue.col.payable' } as const

export function TaxSection({ range }: { range: Range }) {
  const t = useT(messages)
  const locale = useLocale()
  const q = { from: range.from, to: range.to }
  const tax = useLoad(`${range.from}:${range.to}`, async () => (await api<{ report: ConsoleTaxReport }>('GET', `/v1/console/reports/tax${query(q)}`)).report)
  return (
    <section className="card">
      <header className="table-head">
        <h2>{t('revenue.tax.title')}</h2>
        <RelayCsvLink href={`/v1/console/reports/tax.csv${query({ ...q, lang: locale })}`} label={t('revenue.csv.tax')} filename="tax.csv" />
      </header>
      {tax.error && (
        <p className="error" role="alert" data-testid="tax-error">
          {errorText(tax.error, locale)}
        </p>
      )}
      {tax.loading && <p className="loading">{t('common.loading')}</p>}
      {tax.data && (
        <table data-testid="tax">
          <thead>
            <tr>
              <th>{t('revenue.col.currency')}</th>
              <th className="num">{t('revenue.col.rateTax')}</th>
              <th>{t('revenue.col.booked')}</th>
              <th className="num">{t('revenue.col.invoices')}</th>
              <th className="num">{t('revenue.col.creditNotes')}</th>
              {COLUMNS.map((k) => (
                <th key={k} className="num">{t(HEAD[k])}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {tax.data.rows.map((r, i) => (
              <tr key={`${r.currency}:${r.rate}:${i}`}>
                <td>{r.currency}</td>
                <td className="num">{percent(r.rate)}</td>
                <td>{r.booked ? t('revenue.booked.yes') : t('revenue.booked.no')}</td>
                <td className="num">{r.invoices}</td>
                <td className="num">{r.creditNotes}</td>
                {COLUMNS.map((k) => (
                  <td key={k} className="num">{amount(r[k], r.currency, locale)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {tax.data?.rows.length === 0 && <p>{t('common.empty')}</p>}
      {tax.data?.rows.some((r) => !r.booked) && <p className="hint">{t('revenue.booked.hint')}</p>}
    </section>
  )
}
