import { useEffect, useState, type FormEvent } from 'react'
import type { ConsoleAccountPage, ConsoleAccountSummary } from '../../../shared/console/api'
import { api, query } from '../../api'
import { Err, generalText, refusalOf, type Refusal } from '../../form-kit'
import { time, useLocale, useT } from '../../i18n'
import { registerScreen, type ScreenProps } from '../registry'
import { AccountDetail } from './Detail'
import { messages } from './messages'

// 用户: search accounts (by id, email or phone as the relay matches them), pages on by `next`;
// an account's detail at #/accounts/<accountId>.

function AccountsScreen({ rest, navigate }: ScreenProps) {
  const t = useT(messages)
  const locale = useLocale()
  const [q, setQ] = useState('')
  const [rows, setRows] = useState<ConsoleAccountSummary[]>()
  const [next, setNext] = useState<string | null>(null)
  const [refusal, setRefusal] = useState<Refusal>()
  const [busy, setBusy] = useState(false)

  const load = async (before?: string) => {
    setBusy(true)
    setRefusal(undefined)
    try {
      const page = await api<ConsoleAccountPage>('GET', `/v1/console/accounts${query({ q: q.trim(), before, limit: 50 })}`)
      setRows(before ? [...(rows ?? []), ...page.accounts] : page.accounts)
      setNext(page.next)
    } catch (e) {
      setRefusal(refusalOf(e))
    } finally {
      setBusy(false)
    }
  }
  const search = (e: FormEvent) => {
    e.preventDefault()
    void load()
  }

  // The newest accounts first, before any search.
  useEffect(() => {
    if (!rest) void load()
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rest])

  if (rest) return <AccountDetail accountId={rest} onBack={() => navigate('accounts')} />
  const period = (p: string) => (`period.${p}` in messages['zh-CN'] ? t(`period.${p}` as 'period.monthly') : p)
  return (
    <section className="card manage">
      <h2>{t('search.title')}</h2>
      <form className="toolbar" onSubmit={search}>
        <label>
          {t('search.q')}
          <input name="q" size={36} value={q} onChange={(e) => setQ(e.target.value)} />
        </label>
        <button type="submit" disabled={busy}>
          {t('common.search')}
        </button>
        <Err text={generalText(refusal, locale)} />
      </form>
      {rows && rows.length === 0 && <p>{t('search.none')}</p>}
      {rows && rows.length > 0 && (
        <table data-testid="accounts">
          <thead>
            <tr>
              <th>{t('search.account')}</th>
              <th>{t('search.plan')}</th>
              <th className="num">{t('search.devices')}</th>
              <th>{t('search.createdAt')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.accountId}>
                <td>
                  <a href={`#/accounts/${encodeURIComponent(a.accountId)}`}>{a.accountId}</a>
                </td>
                <td>
                  {a.plan
                    ? a.plan.endsAt === null
                      ? t('plan.lineForever', { plan: a.plan.planCode, period: period(a.plan.period) })
                      : t('plan.line', { plan: a.plan.planCode, period: period(a.plan.period), endsAt: time(a.plan.endsAt, locale) })
                    : t('search.free')}
                </td>
                <td className="num">{a.devices}</td>
                <td>{time(a.createdAt, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <button type="button" disabled={busy} onClick={() => void load(next)}>
          {t('common.more')}
        </button>
      )}
    </section>
  )
}

registerScreen({ id: 'accounts', title: 'nav.accounts', permission: 'read', component: AccountsScreen })
