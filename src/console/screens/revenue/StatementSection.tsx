import { useState, type FormEvent } from 'react'
import type { ConsoleStatement } from '../../../shared/console/api'
import { api, query } from '../../api'
import { errorText, useLocale, useT } from '../../i18n'
import { dayOf } from '../../lib/calendar'
import { RelayCsvLink } from './CsvLink'
import { amount } from './format'
import { messages, type RevenueKey } from './messages'
import { useLoad } from '../../lib/useLoad'

// The monthly or annual financial statement (GET /v1/console/reports/statement?bucket=&period=).

const LINES = ['gross', 'discounts', 'refunds', 'promotions', 'net', 'tax'] as const
const PERIOD = { month: /^\d{4}-(0[1-9]|1[0-2])$/, year: /^\d{4}$/ }

export function StatementSection({ now }: { now: number }) {
  const t = useT(messages)
  const locale = useLocale()
  const [kind, setKind] = useState<'month' | 'year'>('month')
  const [period, setPeriod] = useState(dayOf(now).slice(0, 7))
  const [asked, setAsked] = useState({ bucket: 'month' as 'month' | 'year', period: dayOf(now).slice(0, 7) })
  const [invalid, setInvalid] = useState(false)
  const stated = useLoad(`${asked.bucket}:${asked.period}`, async () => (await api<{ report: ConsoleStatement }>('GET', `/v1/console/reports/statement${query(asked)}`)).report)

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const p = period.trim()
    setInvalid(!PERIOD[kind].test(p))
    if (PERIOD[kind].test(p)) setAsked({ bucket: kind, period: p })
  }
  const providerName = (p: string) => (`revenue.provider.${p}` in messages['zh-CN'] ? t(`revenue.provider.${p}` as RevenueKey) : p)
  const refused = stated.error?.code === 'INVALID_INPUT' && stated.error.details?.['field'] === 'period' ? t('revenue.statement.period.invalid') : stated.error && errorText(stated.error, locale)

  return (
    <>
      <form className="toolbar" onSubmit={submit}>
        <label>
          {t('revenue.statement.kind')}
          <select
            name="statementKind"
            value={kind}
            onChange={(e) => {
              const k = e.target.value as 'month' | 'year'
              setKind(k)
              setPeriod(k === 'month' ? dayOf(now).slice(0, 7) : dayOf(now).slice(0, 4))
            }}
          >
            <option value="month">{t('revenue.statement.month')}</option>
            <option value="year">{t('revenue.statement.year')}</option>
          </select>
        </label>
        <label>
          {t('revenue.statement.period')}
          <input name="period" value={period} onChange={(e) => setPeriod(e.target.value)} />
        </label>
        <button type="submit">{t('revenue.apply')}</button>
        <RelayCsvLink href={`/v1/console/reports/statement.csv${query({ ...asked, lang: locale })}`} label={t('revenue.csv.statement')} filename={`statement-${asked.period}.csv`} />
      </form>
      {(invalid || refused) && (
        <p className="error" role="alert" data-testid="statement-error">
          {invalid ? t('revenue.statement.period.invalid') : refused}
        </p>
      )}
      {stated.loading && <p className="loading">{t('common.loading')}</p>}
      {stated.data && Object.keys(stated.data.currencies).length === 0 && <p>{t('revenue.none')}</p>}
      {stated.data &&
        Object.entries(stated.data.currencies)
          .sort()
          .map(([c, s]) => (
            <section className="card" key={c} data-testid={`statement-${c}`}>
              <h3>{t('revenue.statement.title', { period: stated.data!.period, currency: c })}</h3>
              <table>
                <tbody>
                  {LINES.map((k) => (
                    <tr key={k}>
                      <th>{t(`revenue.${k}`)}</th>
                      <td className="num">{amount(s[k], c, locale)}</td>
                    </tr>
                  ))}
                  {Object.entries(s.providers)
                    .sort()
                    .map(([p, v]) => (
                      <tr key={p}>
                        <th>
                          {t('revenue.statement.providersIn')} · {providerName(p)}
                        </th>
                        <td className="num">{amount(v, c, locale)}</td>
                      </tr>
                    ))}
                  <tr>
                    <th>{t('revenue.wallets')}</th>
                    <td className="num">{amount(s.walletLiability.wallets, c, locale)}</td>
                  </tr>
                  <tr>
                    <th>{t('revenue.promotionCredit')}</th>
                    <td className="num">{amount(s.walletLiability.promotionCredit, c, locale)}</td>
                  </tr>
                  <tr>
                    <th>{t('revenue.statement.mrrAtEnd')}</th>
                    <td className="num">{amount(s.mrrAtEnd, c, locale)}</td>
                  </tr>
                </tbody>
              </table>
            </section>
          ))}
    </>
  )
}
