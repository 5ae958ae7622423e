// The notification centre's table (owned by src/main/notifications): notices from the relay's
// feed and reminders computed here, one row each.
import { sql } from 'drizzle-orm'
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * One notice. `id`: the relay's noticeId, or `local:…` for a reminder computed offline.
 * `dedupe_key`: for reminders (subscription_ending, renewal_short, trial_ending) the event they
 * tell about, (kind, plan, end day, days left): a relay reminder for an event a local one already
 * announced takes over that row instead of adding a second (src/main/notifications/keys.ts).
 * `shown_at`: when the desktop decision was taken (`shown` 1: shown, 0: held back), once per notice.
 */
export const notices = sqliteTable(
  'notices',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    at: integer('at').notNull(),
    params: text('params').notNull(),
    source: text('source').notNull(),
    dedupeKey: text('dedupe_key'),
    readAt: integer('read_at'),
    shownAt: integer('shown_at'),
    shown: integer('shown').notNull().default(0),
    createdAt: integer('created_at').notNull()
  },
  (t) => [
    uniqueIndex('notices_dedupe_idx').on(t.dedupeKey),
    index('notices_at_idx').on(t.at, t.id),
    index('notices_unread_idx').on(t.at).where(sql`read_at IS NULL`),
    check('notices_source_known', sql`${t.source} IN ('relay', 'local')`)
  ]
)
