import { useEffect } from 'react'
import { useI18n, useS } from '../context'
import { ErrorNote } from './ErrorNote'
import { useQrDataUrl } from './qr'

// The checkout in progress: a QR to scan (Alipay, WeChat Pay) or a page opened in the system
// browser (Stripe, PayPal); waiting until main reports the payment, then paid, or an end state.
export function CheckoutPanel({ purpose }: { purpose: 'recharge' | 'plan' }): React.JSX.Element | null {
  const { t, money, dateTime } = useI18n()
  const phase = useS('checkout', (s) => s.phase)
  const checkout = useS('checkout', (s) => s.checkout)
  const error = useS('checkout', (s) => s.error)
  const startedFor = useS('checkout', (s) => s.purpose)
  const { cancel, reset, openExternal, tick } = useS('checkout', (s) => s)
  const qr = useQrDataUrl(checkout?.display.kind === 'qr' && phase === 'waiting' ? checkout.display.content : null)

  useEffect(() => {
    if (phase !== 'waiting') return
    const timer = setInterval(() => void tick(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [phase, tick])

  // The wallet shows top-ups, the plans screen plan payments; one checkout runs at a time. A
  // top-up main refused before any checkout is said beside its pay button (RechargePanel).
  if (phase === 'idle' || startedFor !== purpose || (phase === 'error' && purpose === 'recharge')) return null
  const method = checkout ? t(`method.${checkout.method}`) : ''
  return (
    <section className="card checkout" aria-live="polite" aria-busy={phase === 'creating'}>
      {phase === 'creating' && <p>{t('checkout.creating')}</p>}
      {phase === 'waiting' && checkout && (
        <>
          {checkout.display.kind === 'qr' ? (
            <>
              <p className="lead">
                {t(checkout.method === 'wechat' ? 'checkout.scan.wechat' : 'checkout.scan.alipay', {
                  amount: money(checkout.amount)
                })}
              </p>
              <div className="qr-frame">
                {qr ? (
                  <img src={qr} width={220} height={220} alt={t('checkout.qrAlt', { method })} data-qr-content={checkout.display.content} />
                ) : (
                  <span className="muted">{t('common.loading')}</span>
                )}
              </div>
            </>
          ) : (
            <>
              <p className="lead">{t('checkout.openedExternal')}</p>
              <button type="button" onClick={() => void openExternal()}>
                {t('checkout.reopen')}
              </button>
            </>
          )}
          <p className="waiting">
            <span className="spinner" aria-hidden="true" /> {t('checkout.waiting')}
          </p>
          <p className="muted">{t('checkout.expiresAt', { time: dateTime(checkout.expiresAt) })}</p>
          <button type="button" className="secondary" onClick={() => void cancel()}>
            {t('checkout.cancel')}
          </button>
        </>
      )}
      {phase === 'paid' && checkout && (
        <p className="success" role="status">
          {checkout.purpose.kind === 'plan'
            ? t('checkout.planPaid')
            : t('checkout.paid', { amount: money(checkout.amount) })}
        </p>
      )}
      {(phase === 'partially_refunded' || phase === 'refunded') && checkout && (
        <>
          <p role="status">{t(`checkout.${phase}`)}</p>
          {checkout.purpose.kind === 'recharge' && <p className="muted">{t('checkout.refundFromWallet')}</p>}
        </>
      )}
      {phase === 'expired' && <p role="status">{t('checkout.expired')}</p>}
      {phase === 'cancelled' && <p role="status">{t('checkout.cancelled')}</p>}
      {phase === 'failed' && (
        <p className="error" role="alert">
          {t('checkout.failed', { reason: checkout?.failureReason ?? '' })}
        </p>
      )}
      <ErrorNote error={error} />
      {phase !== 'waiting' && phase !== 'creating' && (
        <button type="button" onClick={reset}>
          {phase === 'paid' || phase === 'partially_refunded' || phase === 'refunded' ? t('checkout.done') : t('checkout.again')}
        </button>
      )}
    </section>
  )
}
