import { lazy, Suspense, useMemo } from 'react'
import { api, query } from '../../api'
import { errorText, useLocale, useT } from '../../i18n'
import { BILLING_TIME_ZONE, bucketsOf } from '../../lib/calendar'
import { csvRows, DataTable, type Column } from '../../lib/DataTable'
import { RelayCsvLink, TableCsvLink } from './CsvLink'
import { amount, major, percent } from './format'
import { messages, type RevenueKey } from './messages'
import type { ChartSeries } from './RevenueChart'
import type { Bucket, MrrAt, MrrMovement, RevenueLine, RevenueReport, TrialsReport } from './types'
import { useLoad } from '../../lib/useLoad'

// The revenue of a range from the relay's ledger: the chart, the totals per currency, the
// tables (per period, provider, plan and period), MRR movement and trial conversion.

/** MRR is one read per point: the chart draws it for the last this many buckets. */
const MRR_POINTS = 24
/** ECharts is most of the console's code: loaded when a chart is first shown. */
const RevenueChart = lazy(async () => ({ default: (await import('./RevenueChart')).RevenueChart }))
const LINE_KEYS: (keyof RevenueLine)[] = ['gross', 'discounts', 'refunds', 'promotions', 'net', 'tax']

export interface Range {
  from: number
  to: number
  bucket: Bucket
}

export function Overview({ range, now }: { range: Range; now: number }) {
  const t = useT(messages)
  const locale = useLocale()
  const key = `${range.from}:${range.to}:${range.bucket}`
  const end = Math.min(range.to, now)
  const revenue = useLoad(key, async () => (await api<{ report: RevenueReport }>('GET', `/v1/console/reports/revenue${query({ ...range })}`)).report)
  const buckets = useMemo(() => bucketsOf(range.from, range.to, range.bucket), [range])
  const mrrPoints = useMemo(() => buckets.filter((b) => b.end - 1 <= now || b.end === range.to).slice(-MRR_POINTS), [buckets, now, range.to])
  // Each point keeps its bucket's key: while the next range loads, the last one's points still show.
  const mrr = useLoad(key, () =>
    Promise.all(
      [...mrrPoints.map((b) => ({ key: b.key, at: Math.min(b.end - 1, now) })), { key: '', at: now }].map(async (p) => ({
        key: p.key,
        report: (await api<{ report: MrrAt }>('GET', `/v1/console/reports/mrr${query({ at: p.at })}`)).report
      }))
    )
  )
  const movement = useLoad(range.from < end ? key : null, async () => (await api<{ report: MrrMovement }>('GET', `/v1/console/reports/mrr-movement${query({ from: range.from, to: end })}`)).report)
  const trials = useLoad(key, async () => (await api<{ report: TrialsReport }>('GET', `/v1/console/reports/trials${query({ from: range.from, to: range.to })}`)).report)

  const report = revenue.data
  const currencies = useMemo(() => (report ? [...new Set([...Object.keys(report.totals), ...Object.keys(report.walletLiability)])].sort() : []), [report])
  const categories = useMemo(() => buckets.map((b) => b.key), [buckets])
  const series = useMemo<ChartSeries[]>(() => {
    if (!report) return []
    const out: ChartSeries[] = []
    for (const c of Object.keys(report.periods).sort()) {
      out.push({ kind: 'net', currency: c, name: t('revenue.chart.net', { currency: c }), values: categories.map((k) => report.periods[c]?.[k]?.net ?? 0) })
    }
    const points = mrr.data?.slice(0, -1) ?? []
    const mrrCurrencies = [...new Set(points.flatMap((p) => Object.keys(p.report.mrr)))].sort()
    for (const c of mrrCurrencies) {
      const byKey = new Map(points.map((p) => [p.key, p.report.mrr[c] ?? 0]))
      out.push({ kind: 'mrr', currency: c, name: t('revenue.chart.mrr', { currency: c }), values: categories.map((k) => byKey.get(k) ?? null) })
    }
    return out
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [report, mrr.data, categories, locale])
  const mrrNow = mrr.data?.at(-1)?.report
  const csvQuery = query({ from: range.from, to: range.to, bucket: range.bucket, lang: locale })
  const file = (name: string) => `${name}-${categories[0] ?? ''}-${categories.at(-1) ?? ''}.csv`

  const providerName = (p: string) => (`revenue.provider.${p}` in messages['zh-CN'] ? t(`revenue.provider.${p}` as RevenueKey) : p)
  // Plans by the names the app's plans screen uses; another code as it is.
  const planName = (p: string) => (`revenue.plan.${p}` in messages['zh-CN'] ? t(`revenue.plan.${p}` as RevenueKey) : p)
  const periodName = (p: string) => (`revenue.period.${p}` in messages['zh-CN'] ? t(`revenue.period.${p}` as RevenueKey) : p)

  if (revenue.error) return <p className="error" role="alert" data-testid="revenue-error">{rangeError(revenue.error, t, locale)}</p>
  if (!report) return <p className="loading">{t('common.loading')}</p>

  /** A money column of rows in one currency each. */
  const money = <R extends { currency: string }>(label: string, get: (r: R) => number): Column<R> => ({
    label,
    num: true,
    cell: (r) => amount(get(r), r.currency, locale),
    csv: (r) => major(get(r), r.currency)
  })
  const currencyColumn = { label: t('revenue.col.currency'), cell: (r: { currency: string }) => r.currency, csv: (r: { currency: string }) => r.currency }

  const periodRows = Object.entries(report.periods)
    .sort()
    .flatMap(([c, periods]) => Object.entries(periods).sort().map(([k, l]) => ({ currency: c, period: k, line: l })))
  const periodColumns: Column<(typeof periodRows)[number]>[] = [
    currencyColumn,
    { label: t('revenue.col.period'), cell: (r) => r.period },
    ...LINE_KEYS.map((k) => money<(typeof periodRows)[number]>(t(`revenue.${k}`), (r) => r.line[k]))
  ]
  const providerRows = Object.entries(report.providers)
    .sort()
    .flatMap(([c, ps]) => Object.entries(ps).sort().map(([p, v]) => ({ currency: c, provider: p, amount: v })))
  const providerColumns: Column<(typeof providerRows)[number]>[] = [
    currencyColumn,
    { label: t('revenue.col.provider'), cell: (r) => providerName(r.provider), csv: (r) => r.provider },
    money<(typeof providerRows)[number]>(t('revenue.col.amount'), (r) => r.amount)
  ]
  const planRows = Object.entries(report.plans)
    .sort()
    .flatMap(([c, ps]) => Object.entries(ps).sort().map(([k, v]) => ({ currency: c, plan: k.split(':')[0] ?? k, period: k.split(':')[1] ?? '', amount: v })))
  const planColumns: Column<(typeof planRows)[number]>[] = [
    currencyColumn,
    { label: t('revenue.col.plan'), cell: (r) => planName(r.plan), csv: (r) => r.plan },
    { label: t('revenue.col.planPeriod'), cell: (r) => periodName(r.period), csv: (r) => r.period },
    money<(typeof planRows)[number]>(t('revenue.gross'), (r) => r.amount)
  ]
  const movementRows = Object.entries(movement.data?.movement ?? {})
    .sort()
    .map(([currency, m]) => ({ currency, ...m }))
  const movementColumns: Column<(typeof movementRows)[number]>[] = [currencyColumn, ...MOVEMENT.map((k) => money<(typeof movementRows)[number]>(t(`revenue.col.${k}`), (r) => r[k]))]
  const trialRows = trials.data?.plans ?? []
  const trialColumns: Column<(typeof trialRows)[number]>[] = [
    { label: t('revenue.col.plan'), cell: (r) => planName(r.planCode), csv: (r) => r.planCode },
    { label: t('revenue.col.trials'), num: true, cell: (r) => r.trials, csv: (r) => String(r.trials) },
    { label: t('revenue.col.converted'), num: true, cell: (r) => r.converted, csv: (r) => String(r.converted) },
    { label: t('revenue.col.rate'), num: true, cell: (r) => percent(r.rate), csv: (r) => r.rate }
  ]

  return (
    <>
      <section className="card">
        <h2>{t('revenue.chart.title')}</h2>
        {report.timeZone !== BILLING_TIME_ZONE && <p className="hint">{t('revenue.timeZone', { zone: report.timeZone })}</p>}
        {mrr.error && <p className="error">{errorText(mrr.error, locale)}</p>}
        {buckets.length > MRR_POINTS && <p className="hint">{t('revenue.mrr.partial', { count: MRR_POINTS })}</p>}
        <Suspense fallback={<div className="chart" />}>
          <RevenueChart categories={categories} series={series} locale={locale} label={t('revenue.chart.label')} />
        </Suspense>
      </section>

      {currencies.length === 0 && <p data-testid="revenue-none">{t('revenue.none')}</p>}
      <div className="cards">
        {currencies.map((c) => {
          const total = report.totals[c]
          const liability = report.walletLiability[c]
          return (
            <section key={c} className="card summary" data-testid={`summary-${c}`}>
              <h3>{t('revenue.summary.title', { currency: c })}</h3>
              <dl>
                {LINE_KEYS.map((k) => (
                  <Figure key={k} label={t(`revenue.${k}`)} value={amount(total?.[k] ?? 0, c, locale)} testId={`${k}-${c}`} />
                ))}
                <Figure label={t('revenue.arpu')} value={amount(report.arpu[c]?.arpu ?? 0, c, locale)} note={t('revenue.arpu.accounts', { count: report.arpu[c]?.accounts ?? 0 })} testId={`arpu-${c}`} />
                <Figure label={t('revenue.wallets')} value={amount(liability?.wallets ?? 0, c, locale)} testId={`wallets-${c}`} />
                <Figure label={t('revenue.promotionCredit')} value={amount(liability?.promotionCredit ?? 0, c, locale)} testId={`promotionCredit-${c}`} />
                {mrrNow && <Figure label={t('revenue.mrrNow')} value={amount(mrrNow.mrr[c] ?? 0, c, locale)} note={t('revenue.payingAccounts', { count: mrrNow.payingAccounts[c] ?? 0 })} testId={`mrr-${c}`} />}
                {mrrNow && <Figure label={t('revenue.arrNow')} value={amount(mrrNow.arr[c] ?? 0, c, locale)} testId={`arr-${c}`} />}
              </dl>
            </section>
          )
        })}
      </div>

      <section className="card">
        <header className="table-head">
          <h2>{t('revenue.periods.title')}</h2>
          <RelayCsvLink href={`/v1/console/reports/revenue.csv${csvQuery}`} label={t('revenue.csv.periods')} filename={file('revenue')} />
        </header>
        <DataTable testId="periods" columns={periodColumns} rows={periodRows} rowKey={(r) => `${r.currency}:${r.period}`} empty={t('common.empty')} />
      </section>

      <div className="two">
        <section className="card">
          <header className="table-head">
            <h2>{t('revenue.providers.title')}</h2>
            <TableCsvLink label={t('revenue.csv.table')} filename={file('providers')} rows={csvRows(providerColumns, providerRows)} />
          </header>
          <DataTable testId="providers" columns={providerColumns} rows={providerRows} rowKey={(r) => `${r.currency}:${r.provider}`} empty={t('common.empty')} />
        </section>
        <section className="card">
          <header className="table-head">
            <h2>{t('revenue.plans.title')}</h2>
            <TableCsvLink label={t('revenue.csv.table')} filename={file('plans')} rows={csvRows(planColumns, planRows)} />
          </header>
          <DataTable testId="plans" columns={planColumns} rows={planRows} rowKey={(r) => `${r.currency}:${r.plan}:${r.period}`} empty={t('common.empty')} />
        </section>
      </div>

      <section className="card">
        <header className="table-head">
          <h2>{t('revenue.movement.title')}</h2>
          <TableCsvLink label={t('revenue.csv.table')} filename={file('mrr-movement')} rows={csvRows(movementColumns, movementRows)} />
        </header>
        {movement.error && <p className="error">{errorText(movement.error, locale)}</p>}
        <DataTable testId="movement" columns={movementColumns} rows={movementRows} rowKey={(r) => r.currency} empty={t('common.empty')} />
      </section>

      <section className="card">
        <header className="table-head">
          <h2>{t('revenue.trials.title')}</h2>
          <TableCsvLink label={t('revenue.csv.table')} filename={file('trials')} rows={csvRows(trialColumns, trialRows)} />
        </header>
        {trials.error && <p className="error">{errorText(trials.error, locale)}</p>}
        <DataTable testId="trials" columns={trialColumns} rows={trialRows} rowKey={(r) => r.planCode} empty={t('common.empty')} />
      </section>
    </>
  )
}

const MOVEMENT = ['start', 'new', 'expansion', 'contraction', 'churn', 'end'] as const

function Figure({ label, value, note, testId }: { label: string; value: string; note?: string; testId: string }) {
  return (
    <div className="figure">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
      {note && <dd className="note">{note}</dd>}
    </div>
  )
}

/** A refused range in the console's words (the relay names the field it refused). */
export function rangeError(error: { code: string; message: string; details?: Record<string, unknown> }, t: (k: RevenueKey) => string, locale: 'zh-CN' | 'en'): string {
  if (error.code === 'INVALID_INPUT' && error.details?.['field'] === 'bucket') return t('revenue.range.tooMany')
  if (error.code === 'INVALID_INPUT' && (error.details?.['field'] === 'from' || error.details?.['field'] === 'to')) return t('revenue.range.invalid')
  return errorText(error, locale)
}
