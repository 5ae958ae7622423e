import { useEffect } from 'react'
import Decimal from 'decimal.js'
import { useI18n, useS } from '../context'
import type { InvoiceEntry } from '../stores/invoices'
import { BillingDetailsForm } from './BillingDetailsForm'
import { ErrorNote } from './ErrorNote'

// 发票: the account's invoices (kept on this computer, listed offline), one in detail with its
// lines and credit notes, its PDF (downloaded once, then opened offline), the fapiao request,
// and the billing details (开票信息).

export function InvoicesScreen(): React.JSX.Element {
  const { t, money, date } = useI18n()
  const { invoices, loaded, error, selected, load, select } = useS('invoices', (s) => s)
  useEffect(() => {
    void load()
  }, [load])
  const open = invoices.find((e) => e.invoice.number === selected) ?? null
  return (
    <div className="screen">
      {open ? (
        <InvoiceDetail entry={open} onBack={() => select(null)} />
      ) : (
        <section className="card" aria-labelledby="invoices-title">
          <h2 id="invoices-title">{t('invoices.title')}</h2>
          <p className="muted">{t('invoices.offlineHint')}</p>
          <ErrorNote error={error} />
          {loaded && invoices.length === 0 && <p>{t('invoices.empty')}</p>}
          {invoices.length > 0 && (
            <div className="table-wrap">
              <table className="list">
                <thead>
                  <tr>
                    <th scope="col">{t('invoices.col.number')}</th>
                    <th scope="col">{t('invoices.col.date')}</th>
                    <th scope="col">{t('invoices.col.total')}</th>
                    <th scope="col">{t('invoices.col.status')}</th>
                    <th scope="col">{t('invoices.col.credited')}</th>
                    <td />
                  </tr>
                </thead>
                <tbody>
                  {invoices.map(({ invoice: inv }) => (
                    <tr key={inv.number}>
                      <td className="mono">{inv.number}</td>
                      <td>{date(inv.issuedAt)}</td>
                      <td>{money(inv.total)}</td>
                      <td>
                        <span className={`tag tag-invoice-${inv.status}`}>{t(`invoices.status.${inv.status}`)}</span>
                      </td>
                      <td>{inv.credited.amount > 0 ? money(inv.credited) : '—'}</td>
                      <td>
                        <button type="button" className="link-button" aria-label={`${t('invoices.view')} ${inv.number}`} onClick={() => select(inv.number)}>
                          {t('invoices.view')}
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
      <BillingDetailsForm />
    </div>
  )
}

/** "6%" from the rate "0.06", without floats. */
const percent = (rate: string): string => `${new Decimal(rate).times(100).toString()}%`

function InvoiceDetail({ entry, onBack }: { entry: InvoiceEntry; onBack: () => void }): React.JSX.Element {
  const { t, money, date, locale } = useI18n()
  const { busy, actionError, pdfOpened, openPdf, requestFapiao } = useS('invoices', (s) => s)
  const { invoice: inv, creditNotes, fapiao } = entry
  const left = { amount: inv.total.amount - inv.credited.amount, currency: inv.total.currency }
  const kept = entry.pdfs.includes(locale)
  return (
    <section className="card" aria-labelledby="invoice-title">
      <button type="button" className="link-button" onClick={onBack}>
        {t('invoices.back')}
      </button>
      <h2 id="invoice-title">{t('invoices.detail', { number: inv.number })}</h2>
      <p className="muted">
        {t('invoices.issuedOn', { date: date(inv.issuedAt) })} · <span className={`tag tag-invoice-${inv.status}`}>{t(`invoices.status.${inv.status}`)}</span>
      </p>
      <div className="table-wrap">
        <table className="list">
          <thead>
            <tr>
              <th scope="col">{t('invoices.line.item')}</th>
              <th scope="col">{t('invoices.line.quantity')}</th>
              <th scope="col">{t('invoices.line.unitPrice')}</th>
              <th scope="col">{t('invoices.line.discount')}</th>
              <th scope="col">{t('invoices.line.taxRate')}</th>
              <th scope="col">{t('invoices.line.tax')}</th>
              <th scope="col">{t('invoices.line.total')}</th>
            </tr>
          </thead>
          <tbody>
            {inv.lines.map((l, i) => (
              <tr key={i}>
                <td>{l.item.kind === 'recharge' ? t('invoices.item.recharge') : `${t(`plans.tier.${l.item.planCode}`)} · ${t(`plans.period.${l.item.period}`)}`}</td>
                <td>{l.quantity}</td>
                <td>{money(l.unitPrice)}</td>
                <td>{l.discount.amount > 0 ? `−${money(l.discount)}` : '—'}</td>
                <td>{percent(l.taxRate)}</td>
                <td>{money(l.tax)}</td>
                <td>{money(l.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        <strong>{t('invoices.totals', { total: money(inv.total), tax: money(inv.tax), discount: money(inv.discount) })}</strong>
      </p>
      {inv.credited.amount > 0 && <p>{t('invoices.left', { left: money(left) })}</p>}
      <h3>{t('invoices.credits')}</h3>
      {creditNotes.length === 0 ? (
        <p className="muted">{t('invoices.noCredits')}</p>
      ) : (
        <ul>
          {creditNotes.map((c) => (
            <li key={c.number}>{t('invoices.credit', { number: c.number, date: date(c.issuedAt), amount: money(c.amount), tax: money(c.tax) })}</li>
          ))}
        </ul>
      )}
      <div className="actions">
        <button type="button" className="primary" disabled={busy === 'pdf'} onClick={() => void openPdf(inv.number, locale)}>
          {kept ? t('invoices.pdfOpen') : t('invoices.pdf')}
        </button>
        {pdfOpened && (
          <p className="success" role="status">
            {t('invoices.pdfOpened')}
          </p>
        )}
        {actionError?.action === 'pdf' && <ErrorNote error={actionError.error} />}
      </div>
      <h3>{t('invoices.fapiao.title')}</h3>
      <p className="muted">{t('invoices.fapiao.hint')}</p>
      {fapiao?.status === 'requested' && <p role="status">{t('invoices.fapiao.requested', { date: date(fapiao.requestedAt) })}</p>}
      {fapiao?.status === 'issued' && (
        <p className="success" role="status">
          {t('invoices.fapiao.issued', { number: fapiao.fapiaoNumber ?? '' })}
        </p>
      )}
      {fapiao?.status === 'refused' && (
        <p className="error" role="alert">
          {t('invoices.fapiao.refused', { reason: fapiao.reason ?? '' })}
        </p>
      )}
      {(!fapiao || fapiao.status === 'refused') && (
        <button type="button" disabled={busy === 'fapiao'} onClick={() => void requestFapiao(inv.number)}>
          {t('invoices.fapiao.request')}
        </button>
      )}
      {actionError?.action === 'fapiao' && <ErrorNote error={actionError.error} />}
    </section>
  )
}
