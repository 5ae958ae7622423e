import { useState, type FormEvent } from 'react'
import { useT } from '../../i18n'
import type { ScreenProps } from '../registry'
import { addDays, dayOf, parseDay } from '../../lib/calendar'
import { messages } from './messages'
import { Overview, type Range } from './Overview'
import { StatementSection } from './StatementSection'
import { TaxSection } from './TaxSection'
import type { Bucket } from './types'

// 收入与报表: a range and a bucket for the revenue, its chart and tables; the tax report over the
// same range; the monthly or annual statement by its own period. The tab is the hash's rest
// (#/revenue/tax), so a reload keeps it.

const TABS = ['overview', 'tax', 'statement'] as const
type Tab = (typeof TABS)[number]

function defaultRange(now: number): { from: string; to: string } {
  const today = dayOf(now)
  const [y, m] = today.split('-').map(Number) as [number, number]
  const start = new Date(Date.UTC(y, m - 12, 1)).toISOString().slice(0, 10)
  return { from: start, to: today }
}

export function RevenueScreen({ rest, navigate }: ScreenProps) {
  const t = useT(messages)
  const tab: Tab = (TABS as readonly string[]).includes(rest) ? (rest as Tab) : 'overview'
  const [now, setNow] = useState(() => Date.now())
  const [form, setForm] = useState(() => ({ ...defaultRange(now), bucket: 'month' as Bucket }))
  const [range, setRange] = useState<Range>(() => toRange(form)!)
  const [invalid, setInvalid] = useState(false)

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const r = toRange(form)
    setInvalid(!r)
    if (r) {
      setNow(Date.now())
      setRange(r)
    }
  }

  return (
    <div className="revenue">
      <h1>{t('revenue.title')}</h1>
      <div className="tabs" role="tablist">
        {TABS.map((id) => (
          <button key={id} type="button" role="tab" aria-selected={tab === id} className={tab === id ? 'active' : ''} onClick={() => navigate('revenue', id === 'overview' ? '' : id)}>
            {t(`revenue.tab.${id}`)}
          </button>
        ))}
      </div>
      {tab !== 'statement' && (
        <form className="toolbar" onSubmit={submit}>
          <label>
            {t('revenue.from')}
            <input type="date" name="from" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
          </label>
          <label>
            {t('revenue.to')}
            <input type="date" name="to" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
          </label>
          {tab === 'overview' && (
            <label>
              {t('revenue.bucket')}
              <select name="bucket" value={form.bucket} onChange={(e) => setForm({ ...form, bucket: e.target.value as Bucket })}>
                <option value="day">{t('revenue.bucket.day')}</option>
                <option value="month">{t('revenue.bucket.month')}</option>
                <option value="year">{t('revenue.bucket.year')}</option>
              </select>
            </label>
          )}
          <button type="submit">{t('revenue.apply')}</button>
          {invalid && (
            <p className="error" role="alert">
              {t('revenue.range.invalid')}
            </p>
          )}
        </form>
      )}
      {tab === 'overview' && <Overview range={range} now={now} />}
      {tab === 'tax' && <TaxSection range={range} />}
      {tab === 'statement' && <StatementSection now={now} />}
    </div>
  )
}

/** The form's days as [from 00:00, the day after `to` 00:00) Beijing time; undefined when not a range. */
function toRange(form: { from: string; to: string; bucket: Bucket }): Range | undefined {
  const from = parseDay(form.from)
  const to = parseDay(form.to)
  if (from === undefined || to === undefined || from > to) return undefined
  return { from, to: addDays(to, 1), bucket: form.bucket }
}
