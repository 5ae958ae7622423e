import { useEffect, useRef } from 'react'
import { useI18n, useS } from '../context'
import { errorText, type Translate } from '../i18n'
import type { ErrorInfo } from '../../../shared/errors'
import type { GateOutcome, QuoteDecision } from '../../../shared/ipc/types'

/** Live rooms are held, not counted: "wait for the reset" would be wrong, say what frees one. */
function blockedText(t: Translate, error: ErrorInfo): string {
  const limit = error.details?.['limit']
  if (error.code === 'QUOTA_EXCEEDED' && error.details?.['feature'] === 'live_room' && typeof limit === 'number') {
    return t('gate.roomsFull', { limit })
  }
  // A quote that timed out released what it held: say that nothing was charged.
  if (error.code === 'HOLD_EXPIRED') return t('gate.expired')
  return errorText(t, error)
}

type Decision = QuoteDecision | GateOutcome
const confirmable = (d: Decision): boolean => d.outcome === 'paid' || d.outcome === 'first_free' || d.outcome === 'included'

// A paid use, before anything is spent: what main quoted (first free use, ¥x from the balance,
// included in the plan, or why not), then confirm or cancel. Escape cancels.
export function GateDialog(): React.JSX.Element | null {
  const { t, money } = useI18n()
  const { phase, quote, outcome, error, feature, request, confirm, cancel } = useS('gate', (s) => s)
  const goRecharge = useS('settings', (s) => s.goRecharge)
  const dialogRef = useRef<HTMLDivElement>(null)
  const open = phase !== 'closed'

  useEffect(() => {
    if (!open) return
    const previous = document.activeElement as HTMLElement | null
    dialogRef.current?.focus()
    return () => previous?.focus?.()
  }, [open])

  if (!open) return null
  const decision: Decision | null = quote?.decision ?? outcome
  const expired = error?.code === 'HOLD_EXPIRED' || quote?.status === 'expired'
  const onKeyDown = (e: React.KeyboardEvent): void => {
    if (e.key === 'Escape') void cancel()
  }
  const live = feature === 'live_session'
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
        <h2 id="gate-title">{live ? t('gate.title') : t(`gate.feature.${feature}`)}</h2>
        <div id="gate-body" aria-live="polite">
          {phase === 'quoting' && <p>{t('gate.checking')}</p>}
          {decision && <DecisionText decision={decision} pushed={phase === 'decided'} />}
          {error && (
            <p className="error" role="alert">
              {t('gate.blocked', { message: blockedText(t, error) })}
            </p>
          )}
        </div>
        <div className="actions">
          {phase === 'quoted' && expired && (
            <button type="button" className="primary" onClick={() => void request(feature)}>
              {t('gate.retry')}
            </button>
          )}
          {(phase === 'quoted' || phase === 'confirming') && !expired && decision && confirmable(decision) && (
            <button type="button" className="primary" disabled={phase === 'confirming'} onClick={() => void confirm()}>
              {phase === 'confirming' ? t('gate.confirming') : live ? t('gate.confirmLive') : t('gate.confirmUse')}
            </button>
          )}
          {decision?.outcome === 'needs_recharge' && (
            <button
              type="button"
              className="primary"
              onClick={() => {
                goRecharge(decision.shortfall)
                void cancel()
              }}
            >
              {t('gate.goRecharge', { shortfall: money(decision.shortfall) })}
            </button>
          )}
          <button type="button" className="secondary" disabled={phase === 'confirming'} onClick={() => void cancel()}>
            {phase === 'decided' || (decision !== null && !confirmable(decision)) ? t('common.close') : t('gate.cancel')}
          </button>
        </div>
      </div>
    </div>
  )
}

/** What the quote says will happen; a decision pushed by main says what did happen. */
function DecisionText({ decision: d, pushed }: { decision: Decision; pushed: boolean }): React.JSX.Element {
  const { t, money } = useI18n()
  switch (d.outcome) {
    case 'paid':
      return (
        <p className="success" data-outcome="paid">
          {t(pushed ? 'gate.paid' : 'gate.quote.paid', {
            price: money(d.price),
            balance: money(d.balanceAfter)
          })}
        </p>
      )
    case 'first_free':
      return (
        <p className="success" data-outcome="first_free">
          {t(pushed ? 'gate.firstFree' : 'gate.quote.firstFree', { price: money(d.price) })}
        </p>
      )
    case 'included':
      return (
        <p className="success" data-outcome="included">
          {t('gate.quote.included')}
        </p>
      )
    case 'needs_recharge':
      return (
        <p className="notice" data-outcome="needs_recharge">
          {t('gate.needsRecharge', { price: money(d.price), balance: money(d.balance), shortfall: money(d.shortfall) })}
        </p>
      )
    case 'no_room':
      return (
        <p className="error" role="alert" data-outcome="no_room">
          {t('gate.blocked', { message: d.limit === 0 ? t('gate.notInPlan') : t('gate.roomsFull', { limit: d.limit }) })}
        </p>
      )
  }
}
