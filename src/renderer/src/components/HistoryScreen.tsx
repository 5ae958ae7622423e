import { useEffect, useId } from 'react'
import { PAYMENT_KINDS } from '../../../shared/ipc/schemas/checkout'
import { WALLET_ENTRY_TYPES } from '../../../shared/ipc/schemas/wallet'
import { useI18n, useS } from '../context'
import type { EntryType, HistoryTab, PaymentKind } from '../stores/history'
import { DateField } from './DateField'
import { ErrorNote } from './ErrorNote'
import { hasKey } from '../i18n'

/** A date input (YYYY-MM-DD) as the start of that day in the billing time zone. */
const dayStart = (value: string): number | null => (value ? Date.parse(`${value}T00:00:00+08:00`) : null)
const dayValue = (ts: number | null): string =>
  ts === null ? '' : new Date(ts + 8 * 3600_000).toISOString().slice(0, 10)
const DAY = 86_400_000

export function HistoryScreen(): React.JSX.Element {
  const { t } = useI18n()
  const h = useS('history', (s) => s)
  const ids = { type: useId() }
  // From this year back to 2020 (before any billing data), newest first.
  const thisYear = Number(dayValue(Date.now()).slice(0, 4))
  const years = Array.from({ length: thisYear - 2019 }, (_, i) => thisYear - i)
  const load = h.load
  // Load when the screen opens; filters and paging load by themselves.
  useEffect(() => {
    void load()
  }, [load])
  const tabs: HistoryTab[] = ['wallet', 'payments']
  return (
    <div className="screen">
      <section className="card">
        <h2>{t('history.title')}</h2>
        <div role="tablist" className="tabs" aria-label={t('history.title')}>
          {tabs.map((tab) => (
            <button
              key={tab}
              type="button"
              role="tab"
              aria-selected={h.tab === tab}
              className={h.tab === tab ? 'tab tab-on' : 'tab'}
              onClick={() => void h.setTab(tab)}
            >
              {t(`history.tab.${tab}`)}
            </button>
          ))}
        </div>
        <div className="filters">
          <div className="field">
            <label htmlFor={ids.type}>{t('history.filterType')}</label>
            {h.tab === 'wallet' ? (
              <select
                id={ids.type}
                value={h.filter.entryType ?? ''}
                onChange={(e) => void h.setFilter({ entryType: (e.target.value || null) as EntryType | null })}
              >
                <option value="">{t('history.all')}</option>
                {WALLET_ENTRY_TYPES.map((type) => (
                  <option key={type} value={type}>
                    {t(`entry.${type}`)}
                  </option>
                ))}
              </select>
            ) : (
              <select
                id={ids.type}
                value={h.filter.paymentKind ?? ''}
                onChange={(e) => void h.setFilter({ paymentKind: (e.target.value || null) as PaymentKind | null })}
              >
                <option value="">{t('history.all')}</option>
                {PAYMENT_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`payment.kind.${k}`)}
                  </option>
                ))}
              </select>
            )}
          </div>
          <DateField label={t('history.from')} years={years} value={dayValue(h.filter.from)} onChange={(v) => void h.setFilter({ from: dayStart(v) })} />
          <DateField
            label={t('history.to')}
            years={years}
            value={dayValue(h.filter.to === null ? null : h.filter.to - DAY)}
            onChange={(v) => {
              const start = dayStart(v)
              void h.setFilter({ to: start === null ? null : start + DAY })
            }}
          />
        </div>
        <ErrorNote error={h.error} />
        {h.tab === 'wallet' ? <EntriesTable /> : <PaymentsTable />}
        <nav className="pager" aria-label={t('history.pager')}>
          <button type="button" onClick={() => void h.prev()} disabled={h.page === 0 || h.loading}>
            {t('history.prev')}
          </button>
          <span aria-live="polite">{t('history.page', { page: h.page + 1 })}</span>
          <button type="button" onClick={() => void h.next()} disabled={!h.nextCursor || h.loading}>
            {t('history.next')}
          </button>
        </nav>
      </section>
    </div>
  )
}

function EntriesTable(): React.JSX.Element {
  const { t, money, dateTime } = useI18n()
  const featureText = (f: string): string => {
    const key = `gate.feature.${f}`
    return hasKey(key) ? t(key) : f
  }
  const entries = useS('history', (s) => s.entries)
  if (entries.length === 0) return <p className="muted">{t('history.empty')}</p>
  return (
    <table className="history">
      <thead>
        <tr>
          <th scope="col">{t('history.col.time')}</th>
          <th scope="col">{t('history.col.type')}</th>
          <th scope="col" className="num">{t('history.col.amount')}</th>
          <th scope="col" className="num">{t('history.col.balanceAfter')}</th>
          <th scope="col">{t('history.col.detail')}</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e) => (
          <tr key={e.id}>
            <td>{dateTime(e.createdAt)}</td>
            <td>
              {t(`entry.${e.type}`)}
              {e.bonus && <span className="tag">{t('history.bonus')}</span>}
            </td>
            <td className={`num ${e.amount.amount < 0 ? 'neg' : 'pos'}`}>{money(e.amount)}</td>
            <td className="num">{e.balanceAfter ? money(e.balanceAfter) : ''}</td>
            <td>{e.reason ?? (e.feature ? featureText(e.feature) : '')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function PaymentsTable(): React.JSX.Element {
  const { t, money, dateTime } = useI18n()
  const payments = useS('history', (s) => s.payments)
  if (payments.length === 0) return <p className="muted">{t('history.empty')}</p>
  return (
    <table className="history">
      <thead>
        <tr>
          <th scope="col">{t('history.col.time')}</th>
          <th scope="col">{t('history.col.type')}</th>
          <th scope="col" className="num">{t('history.col.amount')}</th>
          <th scope="col">{t('history.col.method')}</th>
          <th scope="col">{t('history.col.status')}</th>
          <th scope="col">{t('history.col.detail')}</th>
        </tr>
      </thead>
      <tbody>
        {payments.map((p) => (
          <tr key={p.id}>
            <td>{dateTime(p.createdAt)}</td>
            <td>{t(`payment.kind.${p.kind}`)}</td>
            <td className={`num ${p.kind === 'refund' ? 'neg' : 'pos'}`}>{money(p.amount)}</td>
            <td>{t(`method.${p.method}`)}</td>
            <td>{t(`payment.status.${p.status}`)}</td>
            <td>{t(`payment.purpose.${p.purpose}`)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
