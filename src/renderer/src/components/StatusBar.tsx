import { useI18n, useS } from '../context'
import { hasKey } from '../i18n'

// Always visible: is the relay reachable, when did we last sync, what is still pending.
export function StatusBar(): React.JSX.Element {
  const { t, dateTime } = useI18n()
  const state = useS('sync', (s) => s.state)
  const unreachable = useS('sync', (s) => s.unreachable)
  const syncNow = useS('sync', (s) => s.syncNow)
  // Signed out is not a sync failure: the app runs on the free tier, one click from signing in.
  const signedOut = useS('account', (s) => s.view?.signedIn === false)
  const go = useS('settings', (s) => s.go)
  const online = state?.online ?? false
  /** The plan's name in this language (the code itself when unknown). */
  const planName = (code: string | undefined): string => {
    const key = `plans.tier.${code ?? ''}`
    return hasKey(key) ? t(key) : (code ?? '')
  }
  return (
    <footer className="status-bar" aria-label={t('status.region')}>
      {unreachable && (
        <p className="banner banner-error" role="alert">
          {t('status.disconnected')}
        </p>
      )}
      {state && !state.online && (
        <p className="banner banner-offline" role="status">
          {t('status.offlineBanner')}
        </p>
      )}
      {state?.warnings.map((w) => (
        <p key={w} className="banner banner-warning" role="alert">
          {t(`status.warning.${w}`, { plan: planName(state.trialRefused?.planCode) })}
        </p>
      ))}
      <div className="status-line" role="status" aria-live="polite">
        <span className={`dot ${online ? 'dot-online' : 'dot-offline'}`} aria-hidden="true" />
        <span>{state?.syncing ? t('status.syncing') : online ? t('status.online') : t('status.offline')}</span>
        <span>
          {state?.lastSyncAt != null
            ? t('status.lastSync', { time: dateTime(state.lastSyncAt) })
            : t('status.neverSynced')}
        </span>
        {state && state.pendingCount > 0 && <span>{t('status.pending', { count: state.pendingCount })}</span>}
        {state && state.pendingCheckouts > 0 && (
          <span>{t('status.pendingCheckouts', { count: state.pendingCheckouts })}</span>
        )}
        {state && state.rejectedCount > 0 && (
          // Kept for an operator to reconcile; the relay's reason on hover.
          <span className="muted" title={state.lastRejection?.reason}>
            {t('status.rejected', { count: state.rejectedCount })}
          </span>
        )}
        {state && state.skippedCount > 0 && (
          <span className="muted" title={state.lastSkipped?.reason}>
            {t('status.skipped', { count: state.skippedCount })}
          </span>
        )}
        {signedOut && (
          <button type="button" className="link-button" onClick={() => go('account')}>
            {t('status.signedOut')}
          </button>
        )}
        {state?.lastError && !signedOut && (
          // main's error text is technical and English; people get a sentence in their language,
          // support gets the detail on hover.
          <span className="muted" title={state.lastError}>
            {t('status.lastError')}
          </span>
        )}
        <button type="button" className="link-button" onClick={() => void syncNow()} disabled={state?.syncing}>
          {t('status.syncNow')}
        </button>
      </div>
    </footer>
  )
}
