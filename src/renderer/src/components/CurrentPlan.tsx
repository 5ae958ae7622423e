import { useId, useState } from 'react'
import { CANCEL_REASONS } from '../../../shared/ipc/schemas/subscriptions'
import { useI18n, useS } from '../context'
import { hasKey } from '../i18n'
import type { CancelReason } from '../stores/plans'

// The plan in force: status, renewal or end date, the auto-renew switch and cancelling with a reason.
export function CurrentPlan(): React.JSX.Element {
  const { t, date, locale } = useI18n()
  const sub = useS('plans', (s) => s.subscription)
  const busy = useS('plans', (s) => s.busy)
  const setAutoRenew = useS('plans', (s) => s.setAutoRenew)
  const [cancelling, setCancelling] = useState(false)
  const switchId = useId()
  if (!sub) {
    return (
      <section className="card">
        <h2>{t('plans.isCurrent')}</h2>
        <p>{t('plans.none')}</p>
      </section>
    )
  }
  // The core keeps one reason string: "<code>" or "<code>: <note>" (see the handler notes).
  const reasonText = (reason: string): string => {
    const [code = '', ...note] = reason.split(': ')
    const key = `plans.reason.${code}`
    return hasKey(key) ? [t(key), ...note].join(locale === 'en' ? ': ' : '：') : reason
  }
  const name = `${t(`plans.tier.${sub.tier}`)} · ${t(`plans.period.${sub.period}`)}`
  const ending = sub.cancelAtPeriodEnd || sub.status === 'cancelled' || !sub.autoRenew
  const live = sub.status === 'active' || sub.status === 'trialing' || sub.status === 'past_due'
  return (
    <section className="card" aria-labelledby="current-plan">
      <h2 id="current-plan">{t('plans.current', { plan: name })}</h2>
      <p>
        <span className={`tag tag-${sub.status}`}>{t(`plans.status.${sub.status}`)}</span>{' '}
        {sub.status === 'trialing' && sub.trialEndsAt !== null && t('plans.trialEnds', { date: date(sub.trialEndsAt) })}
        {sub.status !== 'trialing' &&
          (sub.currentPeriodEnd === null
            ? t('plans.lifetime')
            : t(ending ? 'plans.endsOn' : 'plans.renewsOn', { date: date(sub.currentPeriodEnd) }))}
      </p>
      {sub.cancelReason && (
        <p className="muted">
          {t('plans.cancelledNote', {
            reason: reasonText(sub.cancelReason)
          })}
        </p>
      )}
      {live && sub.currentPeriodEnd !== null && !sub.cancelAtPeriodEnd && (
        <div className="switch-row">
          <label htmlFor={switchId}>{t('plans.autoRenew')}</label>
          <button
            id={switchId}
            type="button"
            role="switch"
            aria-checked={sub.autoRenew}
            className={`switch ${sub.autoRenew ? 'switch-on' : ''}`}
            disabled={busy}
            onClick={() => void setAutoRenew(!sub.autoRenew)}
          >
            <span aria-hidden="true" />
          </button>
        </div>
      )}
      {live && !sub.cancelAtPeriodEnd && !cancelling && (
        <button type="button" className="secondary" onClick={() => setCancelling(true)}>
          {t('plans.cancel')}
        </button>
      )}
      {cancelling && <CancelForm onDone={() => setCancelling(false)} />}
    </section>
  )
}

function CancelForm({ onDone }: { onDone: () => void }): React.JSX.Element {
  const { t } = useI18n()
  const cancel = useS('plans', (s) => s.cancel)
  const busy = useS('plans', (s) => s.busy)
  const [reason, setReason] = useState<CancelReason>('too_expensive')
  const [note, setNote] = useState('')
  const [atPeriodEnd, setAtPeriodEnd] = useState(true)
  const ids = { reason: useId(), note: useId() }
  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault()
    if (await cancel(reason, atPeriodEnd, note.trim() || undefined)) onDone()
  }
  return (
    <form className="cancel-form" onSubmit={(e) => void submit(e)}>
      <div className="field">
        <label htmlFor={ids.reason}>{t('plans.cancelReason')}</label>
        <select id={ids.reason} value={reason} onChange={(e) => setReason(e.target.value as CancelReason)}>
          {CANCEL_REASONS.map((r) => (
            <option key={r} value={r}>
              {t(`plans.reason.${r}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.note}>{t('plans.cancelNote')}</label>
        <textarea id={ids.note} maxLength={500} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
      </div>
      <fieldset>
        <legend>{t('plans.cancelWhen')}</legend>
        <label>
          <input type="radio" name="when" checked={atPeriodEnd} onChange={() => setAtPeriodEnd(true)} />{' '}
          {t('plans.cancelAtPeriodEnd')}
        </label>
        <label>
          <input type="radio" name="when" checked={!atPeriodEnd} onChange={() => setAtPeriodEnd(false)} />{' '}
          {t('plans.cancelNow')}
        </label>
      </fieldset>
      <div className="actions">
        <button type="submit" className="danger" disabled={busy}>
          {t('plans.cancelConfirm')}
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          {t('plans.keep')}
        </button>
      </div>
    </form>
  )
}
