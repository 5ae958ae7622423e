import type { DebtEpisodeRow, NoticeEmailRow, NoticeLanguage, NoticesRepo } from '../../ports'
import { ms, ts, type Sql } from '../sql'

// Notices, their emails and the dunning state on PostgreSQL, as the SQLite repository. Each
// "unless recorded" is one INSERT … ON CONFLICT DO NOTHING whose row count answers: a unit that
// inserts the same key at the same time waits for the other's commit, then inserts nothing.

type EmailColumns = Omit<NoticeEmailRow, 'sentAt'> & { sentAt: Date }
type EpisodeColumns = Omit<DebtEpisodeRow, 'startedAt' | 'graceEndsAt'> & { startedAt: Date; graceEndsAt: Date }

const EMAIL_COLS = 'notice_id AS "noticeId", recipient, account_id AS "accountId", kind, language, message_id AS "messageId", sent_at AS "sentAt"'

/** Memo key (sql.ts) of an account's opt-outs read ahead: the set of kinds. */
export const optOutsKey = (accountId: string) => `opt_outs:${accountId}`

export function pgNotices(q: Sql): NoticesRepo {
  return {
    claim: async (r) =>
      (await q.run('INSERT INTO notices (account_id, notice_id, kind, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [r.accountId, r.noticeId, r.kind, ts(r.at)])) ===
      1,
    language: async (accountId) =>
      (await q.get<{ language: NoticeLanguage }>('SELECT language FROM account_settings WHERE account_id = $1', [accountId]))?.language ?? 'zh-CN',
    setLanguage: async (accountId, lang, now) =>
      void (await q.later(
        `INSERT INTO account_settings (account_id, language, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (account_id) DO UPDATE SET language = excluded.language, updated_at = excluded.updated_at`,
        [accountId, lang, ts(now)]
      )),
    // An account's opt-outs read ahead (ahead.ts) answer for the unit; otherwise one read per question.
    optedOut: async (accountId, kind) => {
      const kept = q.memo.get(optOutsKey(accountId)) as Set<string> | undefined
      if (kept) return kept.has(kind)
      return (await q.get('SELECT 1 AS n FROM notice_opt_outs WHERE account_id = $1 AND kind = $2', [accountId, kind])) !== undefined
    },
    optOut: async (accountId, kind, now) =>
      (q.memo.delete(optOutsKey(accountId)),
      await q.run('INSERT INTO notice_opt_outs (account_id, kind, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [accountId, kind, ts(now)])) === 1,
    email: async (noticeId, recipient) => {
      const r = await q.get<EmailColumns>(`SELECT ${EMAIL_COLS} FROM notice_emails WHERE notice_id = $1 AND recipient = $2`, [noticeId, recipient])
      return r && { ...r, sentAt: ms(r.sentAt) }
    },
    recordEmail: async (r) =>
      (await q.run(
        `INSERT INTO notice_emails (notice_id, recipient, account_id, kind, language, message_id, sent_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        [r.noticeId, r.recipient, r.accountId, r.kind, r.language, r.messageId, ts(r.sentAt)]
      )) === 1,
    episode: async (accountId) => {
      const r = await q.get<EpisodeColumns>(
        `SELECT account_id AS "accountId", debt_id AS "debtId", source_id AS "sourceId", started_at AS "startedAt", grace_ends_at AS "graceEndsAt"
         FROM debt_episodes WHERE account_id = $1`,
        [accountId]
      )
      return r && { ...r, startedAt: ms(r.startedAt), graceEndsAt: ms(r.graceEndsAt) }
    },
    startEpisode: async (r) =>
      (await q.run(
        `INSERT INTO debt_episodes (account_id, debt_id, source_id, started_at, grace_ends_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [r.accountId, r.debtId, r.sourceId, ts(r.startedAt), ts(r.graceEndsAt)]
      )) === 1,
    endEpisode: async (accountId) => void (await q.later('DELETE FROM debt_episodes WHERE account_id = $1', [accountId])),
    purchase: async (accountId, id) => {
      const r = await q.get<{ body: string; receivedAt: Date }>(
        `SELECT body, received_at AS "receivedAt" FROM outbox_records WHERE account_id = $1 AND id = $2 AND kind = 'subscription_purchase'`,
        [accountId, id]
      )
      return r && { body: r.body, receivedAt: ms(r.receivedAt) }
    }
  }
}
