import type { BillingDb } from '../db/open'

// Prepared statements over the notices table (src/main/db/schema/notifications.ts), made once.

export interface NoticeRow {
  id: string
  kind: string
  at: number
  params: string
  source: 'relay' | 'local'
  dedupe_key: string | null
  read_at: number | null
  shown_at: number | null
  shown: number
  created_at: number
}

export type NoticeStore = ReturnType<typeof prepareNoticeStore>

export function prepareNoticeStore(db: BillingDb) {
  const s = db.sqlite
  return {
    /** A notice new to this device; nothing when its id or its event's key is known. */
    insert: s.prepare<[string, string, number, string, string, string | null, number]>(
      `INSERT OR IGNORE INTO notices (id, kind, at, params, source, dedupe_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
    ),
    /**
     * The relay's notice for an event a local reminder told first: the row becomes the relay's
     * (its id and facts), keeping whether it was read and shown.
     */
    adoptLocal: s.prepare<[string, number, string, string]>(
      `UPDATE notices SET id = ?, at = ?, params = ?, source = 'relay' WHERE dedupe_key = ? AND source = 'local'`
    ),
    byId: s.prepare<[string], NoticeRow>('SELECT * FROM notices WHERE id = ?'),
    byIds: s.prepare<[string], NoticeRow>('SELECT * FROM notices WHERE id IN (SELECT value FROM json_each(?)) ORDER BY at DESC, id DESC'),
    /** A page, newest first, after the cursor (at, id), without the muted kinds (JSON array). */
    page: s.prepare<[string, number, number, string, number], NoticeRow>(
      `SELECT * FROM notices WHERE kind NOT IN (SELECT value FROM json_each(?)) AND (at < ? OR (at = ? AND id < ?))
        ORDER BY at DESC, id DESC LIMIT ?`
    ),
    unread: s.prepare<[string], { n: number }>(
      'SELECT count(*) AS n FROM notices WHERE read_at IS NULL AND kind NOT IN (SELECT value FROM json_each(?))'
    ),
    countIds: s.prepare<[string], { n: number }>('SELECT count(*) AS n FROM notices WHERE id IN (SELECT value FROM json_each(?))'),
    markRead: s.prepare<[number, string]>('UPDATE notices SET read_at = ? WHERE read_at IS NULL AND id IN (SELECT value FROM json_each(?))'),
    markAllRead: s.prepare<[number, string]>(
      'UPDATE notices SET read_at = ? WHERE read_at IS NULL AND kind NOT IN (SELECT value FROM json_each(?))'
    ),
    /** Notices the desktop has not decided on yet, newest first. */
    undecided: s.prepare<[], NoticeRow>('SELECT * FROM notices WHERE shown_at IS NULL ORDER BY at DESC, id DESC'),
    decide: s.prepare<[number, number, string]>('UPDATE notices SET shown_at = ?, shown = ? WHERE id = ? AND shown_at IS NULL')
  }
}
