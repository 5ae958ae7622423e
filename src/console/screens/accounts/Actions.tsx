import { useState } from 'react'
import { BILLING_PERIODS } from '../../../shared/catalog/periods'
import { PLAN_CODES } from '../../../shared/catalog/plans'
import { api } from '../../api'
import { Err, fieldError, generalText, refusalOf, type Refusal, type Say } from '../../form-kit'
import { time, useLocale, useT } from '../../i18n'
import { messages } from './messages'

// What accounts.manage does from an account's detail: grant or extend a plan with a reason
// (POST /v1/admin/accounts/:id/grants, body as src/relay/subscriptions/operator.ts reads it), and
// revoke a device behind a confirm step.

const PAID = PLAN_CODES.filter((c) => c !== 'FREE')

export function Grant(props: { accountId: string; onDone(message: Say<typeof messages>): void }) {
  const t = useT(messages)
  const locale = useLocale()
  const [plan, setPlan] = useState<string>(PAID[0]!)
  const [period, setPeriod] = useState<string>('monthly')
  const [reason, setReason] = useState('')
  const [short, setShort] = useState(false)
  const [refusal, setRefusal] = useState<Refusal>()
  const [busy, setBusy] = useState(false)
  const submit = async () => {
    setRefusal(undefined)
    setShort(reason.trim().length < 3)
    if (reason.trim().length < 3) return
    setBusy(true)
    try {
      const g = await api<{ planCode: string; period: string; endsAt: number | null }>('POST', `/v1/admin/accounts/${encodeURIComponent(props.accountId)}/grants`, {
        planCode: plan,
        period,
        reason: reason.trim()
      })
      setReason('')
      props.onDone((t, locale) => t('grant.done', { plan: g.planCode, period: t(`period.${g.period}` as 'period.monthly'), endsAt: time(g.endsAt, locale) }))
    } catch (e) {
      setRefusal(refusalOf(e))
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="subform" data-testid="grant-form">
      <strong>{t('grant.title')}</strong>
      <div className="toolbar">
        <label>
          {t('grant.plan')}
          <select name="grantPlan" value={plan} onChange={(e) => setPlan(e.target.value)}>
            {PAID.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          {t('grant.period')}
          <select name="grantPeriod" value={period} onChange={(e) => setPeriod(e.target.value)}>
            {BILLING_PERIODS.map((p) => (
              <option key={p} value={p}>
                {t(`period.${p}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('grant.reason')}
          <input name="grantReason" size={40} value={reason} onChange={(e) => setReason(e.target.value)} />
          <Err text={short ? t('grant.reasonShort') : fieldError(refusal, 'reason')} />
        </label>
        <button type="button" className="primary" disabled={busy} onClick={() => void submit()}>
          {t('grant.submit')}
        </button>
      </div>
      <Err text={generalText(refusal, locale)} />
    </div>
  )
}

export function Revoke(props: { deviceId: string; name: string; onDone(message: Say<typeof messages>): void }) {
  const t = useT(messages)
  const locale = useLocale()
  const [asking, setAsking] = useState(false)
  const [refusal, setRefusal] = useState<Refusal>()
  const [busy, setBusy] = useState(false)
  const revoke = async () => {
    setBusy(true)
    try {
      await api('POST', `/v1/admin/devices/${encodeURIComponent(props.deviceId)}/revoke`, {})
      props.onDone((t) => t('revoke.done', { name: props.name }))
    } catch (e) {
      setRefusal(refusalOf(e))
    } finally {
      setBusy(false)
    }
  }
  if (!asking)
    return (
      <button type="button" onClick={() => setAsking(true)}>
        {t('revoke')}
      </button>
    )
  return (
    <div className="confirm" role="dialog">
      <p>{t('revoke.confirm', { name: props.name })}</p>
      <button type="button" className="primary" disabled={busy} onClick={() => void revoke()}>
        {t('revoke.yes')}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        {t('common.cancel')}
      </button>
      <Err text={generalText(refusal, locale)} />
    </div>
  )
}
