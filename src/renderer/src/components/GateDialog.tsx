import { useEffect, useRef } from 'react'
import { useI18n, useS } from '../context'
import { errorText, type Translate } from '../i18n'
import type { ErrorInfo } from '../../../shared/errors'

/** Live rooms are held, not counted: "wait for the reset" would be wrong, say what frees one. */
function blockedText(t: Translate, error: ErrorInfo): string {
  const limit = error.details?.['limit']
  if (error.code === 'QUOTA_EXCEEDED' && error.details?.['feature'] === 'live_room' && typeof limit === 'number') {
    return t('gate.roomsFull', { limit })
  }
  return errorText(t, error)
}

// Shown when a paid use starts: what the wallet rule decided, and the one next step.
export function GateDialog(): React.JSX.Element | null {
  const { t, money } = useI18n()
  const { open, checking, outcome, error, feature, close } = useS('gate', (s) => s)
  const goRecharge = useS('settings', (s) => s.goRecharge)
  const dialogRef = useRef<HTMLDivElement>(null)

  useEffect(() => {
    if (!open) return
    const previous = document.activeElement as HTMLElement | null
    dialogRef.current?.focus()
    return () => previous?.focus?.()
  }, [open])

  if (!open) return null
  const onKeyDown = (e: React.KeyboardEvent): void => {
    if (e.key === 'Escape') close()
  }
  return (
    <div className="backdrop">
      <div
        ref={dialogRef}
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="gate-title"
        aria-describedby="gate-body"
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <h2 id="gate-title">{feature === 'live_session' ? t('gate.title') : t(`gate.feature.${feature}`)}</h2>
        <div id="gate-body" aria-live="polite">
          {checking && <p>{t('gate.checking')}</p>}
          {error && (
            <p className="error" role="alert">
              {t('gate.blocked', { message: blockedText(t, error) })}
            </p>
          )}
          {outcome?.outcome === 'paid' && (
            <p className="success" data-outcome="paid">
              {t('gate.paid', { price: money(outcome.price), balance: money(outcome.balanceAfter) })}
            </p>
          )}
          {outcome?.outcome === 'first_free' && (
            <p className="success" data-outcome="first_free">
              {t('gate.firstFree', { price: money(outcome.price) })}
            </p>
          )}
          {outcome?.outcome === 'needs_recharge' && (
            <p className="notice" data-outcome="needs_recharge">
              {t('gate.needsRecharge', {
                price: money(outcome.price),
                balance: money(outcome.balance),
                shortfall: money(outcome.shortfall)
              })}
            </p>
          )}
        </div>
        <div className="actions">
          {outcome?.outcome === 'needs_recharge' ? (
            <button
              type="button"
              className="primary"
              onClick={() => {
                goRecharge(outcome.shortfall)
                close()
              }}
            >
              {t('gate.goRecharge', { shortfall: money(outcome.shortfall) })}
            </button>
          ) : (
            outcome && (
              <button type="button" className="primary" onClick={close}>
                {t('gate.continue')}
              </button>
            )
          )}
          <button type="button" className="secondary" onClick={close}>
            {t('common.close')}
          </button>
        </div>
      </div>
    </div>
  )
}
