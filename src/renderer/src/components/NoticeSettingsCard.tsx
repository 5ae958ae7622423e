import { useEffect, useId, useState } from 'react'
import { NOTICE_KINDS, type NoticeKind } from '../../../shared/relay-contract'
import type { NoticeSettings } from '../../../shared/ipc/schemas/notices'
import { useI18n, useS } from '../context'
import { ErrorNote } from './ErrorNote'

const DEFAULT_QUIET = { start: '22:00', end: '08:00' }

/** The account screen's section: which notices to show, and quiet hours for the desktop. */
export function NoticeSettingsCard(): React.JSX.Element {
  const { t } = useI18n()
  const { settings, settingsError, settingsSaved, loadSettings, saveSettings } = useS('notices', (s) => s)
  const [draft, setDraft] = useState<NoticeSettings | null>(null)
  const titleId = useId()
  const fromId = useId()
  const toId = useId()
  useEffect(() => {
    void loadSettings()
  }, [loadSettings])
  useEffect(() => setDraft(settings), [settings])
  if (!draft) {
    return (
      <section className="card" aria-labelledby={titleId}>
        <h2 id={titleId}>{t('notices.settings.title')}</h2>
        <ErrorNote error={settingsError} />
        {!settingsError && <p>{t('common.loading')}</p>}
      </section>
    )
  }
  const shown = (k: NoticeKind) => !draft.muted.includes(k)
  const flip = (k: NoticeKind) => setDraft({ ...draft, muted: shown(k) ? [...draft.muted, k] : draft.muted.filter((m) => m !== k) })
  const quiet = draft.quietHours
  const same = quiet !== null && quiet.start === quiet.end
  return (
    <section className="card" aria-labelledby={titleId} data-testid="notice-settings">
      <h2 id={titleId}>{t('notices.settings.title')}</h2>
      <fieldset className="notice-kinds">
        <legend>{t('notices.settings.kinds')}</legend>
        {NOTICE_KINDS.map((k) => (
          <label key={k}>
            <input type="checkbox" checked={shown(k)} onChange={() => flip(k)} /> {t(`notice.${k}.title`)}
          </label>
        ))}
      </fieldset>
      <label className="switch-row">
        <input type="checkbox" checked={quiet !== null} onChange={() => setDraft({ ...draft, quietHours: quiet ? null : DEFAULT_QUIET })} />
        {t('notices.settings.quiet')}
      </label>
      {quiet && (
        <div className="quiet-times">
          <div className="field">
            <label htmlFor={fromId}>{t('notices.settings.quietFrom')}</label>
            <input id={fromId} type="time" value={quiet.start} aria-invalid={same} onChange={(e) => setDraft({ ...draft, quietHours: { ...quiet, start: e.target.value } })} />
          </div>
          <div className="field">
            <label htmlFor={toId}>{t('notices.settings.quietTo')}</label>
            <input id={toId} type="time" value={quiet.end} aria-invalid={same} onChange={(e) => setDraft({ ...draft, quietHours: { ...quiet, end: e.target.value } })} />
          </div>
        </div>
      )}
      {same && (
        <p className="error" role="alert">
          {t('notices.settings.sameTimes')}
        </p>
      )}
      <div className="actions">
        <button type="button" className="primary" disabled={same} onClick={() => void saveSettings(draft)}>
          {t('notices.settings.save')}
        </button>
        <span className="success" aria-live="polite">
          {settingsSaved && draft === settings ? t('notices.settings.saved') : ''}
        </span>
      </div>
      <ErrorNote error={settingsError} />
    </section>
  )
}
