import type Database from 'better-sqlite3'
import type { DebtEpisodeRow, NoticeEmailRow, NoticeLanguage, NoticesRepo } from '../../ports'

export function sqliteNotices(s: Database.Database): NoticesRepo {
  const claim = s.prepare(
    'INSERT INTO notices (account_id, notice_id, kind, at) VALUES (@accountId, @noticeId, @kind, @at) ON CONFLICT DO NOTHING'
  )
  const language = s.prepare<[string], { language: NoticeLanguage }>('SELECT language FROM account_settings WHERE account_id = ?')
  const setLanguage = s.prepare(
    `INSERT INTO account_settings (account_id, language, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (account_id) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at`
  )
  const optedOut = s.prepare<[string, string], { n: number }>('SELECT 1 AS n FROM notice_opt_outs WHERE account_id = ? AND kind = ?')
  const optOut = s.prepare('INSERT INTO notice_opt_outs (account_id, kind, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING')
  const emailCols = 'notice_id AS noticeId, recipient, account_id AS accountId, kind, language, message_id AS messageId, sent_at AS sentAt'
  const email = s.prepare<[string, string], NoticeEmailRow>(`SELECT ${emailCols} FROM notice_emails WHERE notice_id = ? AND recipient = ?`)
  const recordEmail = s.prepare(
    `INSERT INTO notice_emails (notice_id, recipient, account_id, kind, language, message_id, sent_at)
     VALUES (@noticeId, @recipient, @accountId, @kind, @language, @messageId, @sentAt) ON CONFLICT DO NOTHING`
  )
  const episode = s.prepare<[string], DebtEpisodeRow>(
    'SELECT account_id AS accountId, debt_id AS debtId, source_id AS sourceId, started_at AS startedAt, grace_ends_at AS graceEndsAt FROM debt_episodes WHERE account_id = ?'
  )
  const startEpisode = s.prepare(
    `INSERT INTO debt_episodes (account_id, debt_id, source_id, started_at, grace_ends_at)
     VALUES (@accountId, @debtId, @sourceId, @startedAt, @graceEndsAt) ON CONFLICT DO NOTHING`
  )
  const endEpisode = s.prepare('DELETE FROM debt_episodes WHERE account_id = ?')
  const purchase = s.prepare<[string, string], { body: string; receivedAt: number }>(
    "SELECT body, received_at AS receivedAt FROM outbox_records WHERE account_id = ? AND id = ? AND kind = 'subscription_purchase'"
  )
  return {
    claim: (row) => claim.run(row).changes === 1,
    language: (accountId) => language.get(accountId)?.language ?? 'zh-CN',
    setLanguage: (accountId, lang, now) => void setLanguage.run(accountId, lang, now),
    optedOut: (accountId, kind) => optedOut.get(accountId, kind) !== undefined,
    optOut: (accountId, kind, now) => optOut.run(accountId, kind, now).changes === 1,
    email: (noticeId, recipient) => email.get(noticeId, recipient),
    recordEmail: (row) => recordEmail.run(row).changes === 1,
    episode: (accountId) => episode.get(accountId),
    startEpisode: (row) => startEpisode.run(row).changes === 1,
    endEpisode: (accountId) => void endEpisode.run(accountId),
    purchase: (accountId, id) => purchase.get(accountId, id)
  }
}
