import { useEffect, useId } from 'react'
import type { NoticeItem } from '../../../shared/ipc/schemas/notices'
import { noticeText } from '../../../shared/notices/text'
import { useI18n, useS } from '../context'
import { ErrorNote } from './ErrorNote'

/** The header's bell: the unread count, and the panel it opens. */
export function NoticeCentre(): React.JSX.Element {
  const { t, number } = useI18n()
  const { unread, open, toggle, load } = useS('notices', (s) => s)
  const panelId = useId()
  useEffect(() => {
    void load()
  }, [load])
  return (
    <div className="notice-centre">
      <button
        type="button"
        className="bell"
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={t('notices.bell', { count: unread })}
        data-testid="notice-bell"
        onClick={() => toggle()}
      >
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" fill="currentColor" />
        </svg>
        {unread > 0 && (
          <span className="bell-count" data-testid="notice-count">
            {number(unread)}
          </span>
        )}
      </button>
      {open && <NoticePanel id={panelId} />}
    </div>
  )
}

function NoticePanel({ id }: { id: string }): React.JSX.Element {
  const { t } = useI18n()
  const { items, unread, nextCursor, error, loaded, markAllRead, more, toggle } = useS('notices', (s) => s)
  const titleId = useId()
  return (
    <section
      id={id}
      className="notice-panel"
      role="dialog"
      aria-labelledby={titleId}
      data-testid="notice-panel"
      onKeyDown={(e) => {
        if (e.key === 'Escape') toggle(false)
      }}
    >
      <div className="notice-head">
        <h2 id={titleId}>{t('notices.title')}</h2>
        <button type="button" onClick={() => void markAllRead()} disabled={unread === 0}>
          {t('notices.markAllRead')}
        </button>
        <button type="button" className="link-button" onClick={() => toggle(false)}>
          {t('common.close')}
        </button>
      </div>
      <ErrorNote error={error} />
      {loaded && items.length === 0 ? (
        <p className="muted notice-empty">{t('notices.empty')}</p>
      ) : (
        <ul className="notice-list">
          {items.map((n) => (
            <NoticeRow key={n.id} notice={n} />
          ))}
        </ul>
      )}
      {nextCursor !== null && (
        <button type="button" onClick={() => void more()}>
          {t('notices.more')}
        </button>
      )}
    </section>
  )
}

function NoticeRow({ notice }: { notice: NoticeItem }): React.JSX.Element {
  const { t, locale, dateTime } = useI18n()
  const markRead = useS('notices', (s) => s.markRead)
  const { title, body } = noticeText(locale, notice)
  const unread = notice.readAt === null
  return (
    <li className={unread ? 'notice-item notice-unread' : 'notice-item'} data-testid="notice-item">
      <div className="notice-title">
        {unread && <span className="sr-only">{t('notices.unreadTag')}</span>}
        <strong>{title}</strong>
        <time className="muted">{dateTime(notice.at)}</time>
      </div>
      <p>{body}</p>
      <div className="notice-foot">
        {notice.source === 'local' && <span className="tag">{t('notices.local')}</span>}
        {unread && (
          <button type="button" className="link-button" onClick={() => void markRead(notice.id)}>
            {t('notices.markRead')}
          </button>
        )}
      </div>
    </li>
  )
}
