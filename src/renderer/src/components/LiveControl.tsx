import { useI18n, useS } from '../context'
import { errorText } from '../i18n'

// The header's live control: 开始直播 opens the gate dialog (a quote to confirm); while a
// session runs, 直播中 with 结束直播, which frees the room at once. Errors sit beside it.
export function LiveControl(): React.JSX.Element {
  const { t } = useI18n()
  const request = useS('gate', (s) => s.request)
  const { sessions, ending, error, end } = useS('live', (s) => s)
  const current = sessions[0]
  if (!current) {
    return (
      <button type="button" className="primary" onClick={() => void request('live_session')}>
        {t('status.startLive')}
      </button>
    )
  }
  return (
    <span className="live-control">
      <span className="live-badge" role="status">
        {t('live.on')}
      </span>
      <button type="button" className="secondary" disabled={ending} onClick={() => void end(current.key)}>
        {ending ? t('live.ending') : t('live.end')}
      </button>
      {error && (
        <span className="error" role="alert">
          {t('live.endFailed', { message: errorText(t, error) })}
        </span>
      )}
    </span>
  )
}
