import { useState } from 'react'
import { api } from '../../api'
import { Err, generalText, refusalOf, useLoad, type Refusal, type Say } from '../../form-kit'
import { money, time, useLocale, useT } from '../../i18n'
import { useSession } from '../../session'
import { registerScreen, type ScreenProps } from '../registry'
import { ImportBill } from './Import'
import { FetchBill } from './Fetch'
import { messages } from './messages'
import type { ReconciliationDifference, ReconciliationRun } from '../../../shared/console/api'

// 对账: the bills imported (runs), a run's differences at #/reconciliation/<runId>, each marked
// resolved with a reason by reconciliation.manage.

type Run = ReconciliationRun
type Difference = ReconciliationDifference

const days = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'medium' }),
  en: new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', dateStyle: 'medium' })
}
/** A bill's period is whole days in Beijing time: shown as its first and last day. */
const day = (ms: number, locale: 'zh-CN' | 'en') => days[locale].format(ms)

function ReconciliationScreen({ rest, navigate }: ScreenProps) {
  const t = useT(messages)
  const locale = useLocale()
  const manage = useSession((s) => s.can('reconciliation.manage'))
  const runs = useLoad(() => api<{ runs: Run[] }>('GET', '/v1/console/reconciliation'), [])
  const [done, setDone] = useState<Say<typeof messages>>()
  const list = runs.data?.runs ?? []
  const provider = (p: string) => (`provider.${p}` in messages['zh-CN'] ? t(`provider.${p}` as 'provider.alipay') : p)

  const imported = (message: Say<typeof messages>, runId: string) => {
    setDone(() => message)
    runs.reload()
    navigate('reconciliation', runId)
  }

  return (
    <>
      {manage ? (
        <>
          <ImportBill onImported={imported} />
          <FetchBill onImported={imported} />
        </>
      ) : (
        <p className="hint">{t('import.noPermission')}</p>
      )}
      <section className="card manage">
        <h2>{t('runs.title')}</h2>
        {done && (
          <p className="ok" role="status">
            {done(t, locale)}
          </p>
        )}
        <Err text={generalText(runs.error, locale)} />
        {runs.data && list.length === 0 && <p>{t('runs.none')}</p>}
        {list.length > 0 && (
          <table data-testid="runs">
            <thead>
              <tr>
                <th>{t('runs.importedAt')}</th>
                <th>{t('runs.provider')}</th>
                <th>{t('runs.period')}</th>
                <th className="num">{t('runs.lines')}</th>
                <th className="num">{t('runs.differences')}</th>
                <th>{t('runs.by')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.id}>
                  <td>{time(r.importedAt, locale)}</td>
                  <td>{provider(r.provider)}</td>
                  <td className="nowrap">
                    {day(r.periodFrom, locale)} – {day(r.periodTo - 1, locale)}
                  </td>
                  <td className="num">{r.lines}</td>
                  <td className="num">{r.differences}</td>
                  <td>{r.importedBy}</td>
                  <td>
                    <button type="button" className="link" onClick={() => navigate('reconciliation', r.id)}>
                      {t('runs.open')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {rest && <Differences runId={rest} manage={manage} />}
    </>
  )
}

function Differences({ runId, manage }: { runId: string; manage: boolean }) {
  const t = useT(messages)
  const locale = useLocale()
  const diffs = useLoad(() => api<{ differences: Difference[] }>('GET', `/v1/console/reconciliation/runs/${encodeURIComponent(runId)}`), [runId])
  const list = diffs.data?.differences ?? []
  const amount = (n: number | null) => (n === null ? '—' : money({ amount: n, currency: 'CNY' }, locale))
  const kind = (k: string) => (`kind.${k}` in messages['zh-CN'] ? t(`kind.${k}` as 'kind.missing_here') : k)
  return (
    <section className="card manage" data-testid="differences">
      <h2>{t('diff.title', { run: runId })}</h2>
      <Err text={generalText(diffs.error, locale)} />
      {diffs.data && list.length === 0 && <p>{t('diff.none')}</p>}
      {list.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>{t('diff.kind')}</th>
              <th>{t('diff.order')}</th>
              <th>{t('diff.refund')}</th>
              <th className="num">{t('diff.bill')}</th>
              <th className="num">{t('diff.relay')}</th>
              <th className="num">{t('diff.line')}</th>
              <th>{t('diff.state')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((d) => (
              <tr key={d.id} data-difference={d.id}>
                <td>{kind(d.kind)}</td>
                <td>
                  <a href={`#/orders/${encodeURIComponent(d.orderNo)}`}>{d.orderNo}</a>
                </td>
                <td>{d.refundId ?? '—'}</td>
                <td className="num">{amount(d.billAmount)}</td>
                <td className="num">{amount(d.relayAmount)}</td>
                <td className="num">{d.line ?? '—'}</td>
                <td>
                  {d.resolvedAt !== null ? (
                    t('diff.resolvedBy', { by: d.resolvedBy ?? '', at: time(d.resolvedAt, locale), resolution: d.resolution ?? '' })
                  ) : manage ? (
                    <Resolve id={d.id} onDone={diffs.reload} />
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

function Resolve({ id, onDone }: { id: string; onDone(): void }) {
  const t = useT(messages)
  const locale = useLocale()
  const [open, setOpen] = useState(false)
  const [reason, setReason] = useState('')
  const [short, setShort] = useState(false)
  const [refusal, setRefusal] = useState<Refusal>()
  const submit = async () => {
    setRefusal(undefined)
    setShort(reason.trim().length < 3)
    if (reason.trim().length < 3) return
    try {
      await api('POST', `/v1/console/reconciliation/differences/${encodeURIComponent(id)}/resolve`, { reason: reason.trim() })
      onDone()
    } catch (e) {
      setRefusal(refusalOf(e))
    }
  }
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t('diff.resolve')}
      </button>
    )
  return (
    <div className="subform">
      <label>
        {t('diff.reason')}
        <input name="resolution" size={30} value={reason} onChange={(e) => setReason(e.target.value)} />
        <Err text={short ? t('diff.reasonShort') : undefined} />
      </label>
      <div className="row-actions">
        <button type="button" className="primary" onClick={() => void submit()}>
          {t('diff.submit')}
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          {t('common.cancel')}
        </button>
      </div>
      <Err text={generalText(refusal, locale)} />
    </div>
  )
}

registerScreen({ id: 'reconciliation', title: 'nav.reconciliation', permission: 'read', component: ReconciliationScreen })
