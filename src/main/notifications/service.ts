import type { Clock } from '../../node/clock'
import { InvalidInput, NotFound } from '../../shared/errors'
import type { NoticeItem, NoticeSettings, NoticesChanged } from '../../shared/ipc/schemas/notices'
import type { Locale } from '../../shared/ipc/types'
import { noticeText } from '../../shared/notices/text'
import { NoticeSchema, type Notice } from '../../shared/relay-contract'
import type { BillingDb } from '../db/open'
import type { SettingsStore } from '../settings'
import { inQuietHours, localTimeZone, type DesktopNotifier } from './desktop'
import { dedupeKey } from './keys'
import { dueReminders, type ReminderInput } from './reminders'
import { readNoticeSettings, writeNoticeSettings } from './settings'
import { prepareNoticeStore, type NoticeRow, type NoticeStore } from './store'

// The notification centre: notices from the relay's feed (applied with the feed page, in its
// transaction) and reminders computed here (reminders.ts), one row per event; the list, the
// unread count, mark read; and the desktop: each new unread notice of a kind switched on is
// shown once, outside quiet hours, remembered in the file (shown_at) so a restart shows none
// again. What arrives during quiet hours, or while its kind is off, waits in the centre only.
// At most DESKTOP_BURST per pass and none older than a day: a first sync of a new device,
// with months of notices, does not fill the screen.

const DESKTOP_BURST = 3
const DESKTOP_MAX_AGE_MS = 86_400_000

export interface NotificationDeps {
  db: BillingDb
  clock: Clock
  settings: SettingsStore
  desktop: DesktopNotifier
  /** The user's language for desktop text. */
  locale: () => Locale
  /** The billing time zone (the end's day of a reminder). */
  timeZone: string
  /** For quiet hours; default the computer's zone. */
  localTimeZone?: string
  /** What the reminder rule needs now. */
  facts: () => Omit<ReminderInput, 'now' | 'timeZone'>
}

export type NoticeListener = (change: NoticesChanged) => void

export class NotificationCentre {
  private readonly store: NoticeStore
  private readonly listeners = new Set<NoticeListener>()
  private readonly zone: string

  constructor(private readonly d: NotificationDeps) {
    this.store = prepareNoticeStore(d.db)
    this.zone = d.localTimeZone ?? localTimeZone()
  }

  /**
   * A verified 'notice' feed record, inside the page's transaction. True when it is new here
   * (added, or taking over the local reminder of the same event); a record seen again is false.
   */
  applyRelay(n: Notice, now: number): boolean {
    const key = dedupeKey(n, this.d.timeZone)
    if (this.store.byId.get(n.noticeId)) return false
    const params = JSON.stringify(n.params)
    if (key !== null && this.store.adoptLocal.run(n.noticeId, n.at, params, key).changes > 0) return true
    return this.store.insert.run(n.noticeId, n.kind, n.at, params, 'relay', key, now).changes > 0
  }

  /** Computes the reminders due now and keeps the new ones; tells listeners and the desktop. */
  checkReminders(): NoticeItem[] {
    const now = this.d.clock.now()
    const due = dueReminders({ now, timeZone: this.d.timeZone, ...this.d.facts() })
    const added: string[] = []
    this.d.db.tx(() => {
      for (const n of due) {
        const key = dedupeKey(n, this.d.timeZone)
        if (this.store.insert.run(n.noticeId, n.kind, n.at, JSON.stringify(n.params), 'local', key, now).changes > 0) added.push(n.noticeId)
      }
    })
    return this.announce(added)
  }

  /** After a commit that added notices: the desktop, then the listeners (the renderer, the host app). */
  announce(ids: readonly string[]): NoticeItem[] {
    if (ids.length === 0) return []
    const settings = this.settings()
    const items = this.store.byIds.all(JSON.stringify(ids)).map(toItem).filter((n) => !settings.muted.includes(n.kind))
    this.deliver(settings)
    this.emit(items)
    return items
  }

  list(input: { before?: string | undefined; limit: number }): { items: NoticeItem[]; nextCursor: string | null; unread: number } {
    const muted = JSON.stringify(this.settings().muted)
    const { at, id } = input.before === undefined ? { at: Number.MAX_SAFE_INTEGER, id: '' } : parseCursor(input.before)
    const rows = this.store.page.all(muted, at, at, input.before === undefined ? '\uffff' : id, input.limit + 1)
    const items = rows.slice(0, input.limit).map(toItem)
    const last = items.at(-1)
    return { items, nextCursor: rows.length > input.limit && last ? `${last.at}|${last.id}` : null, unread: this.unread() }
  }

  unread(): number {
    return this.store.unread.get(JSON.stringify(this.settings().muted))!.n
  }

  /** All or nothing: an id not in the centre is NOT_FOUND and none is marked. Marking again changes nothing. */
  markRead(ids: readonly string[]): number {
    const unique = [...new Set(ids)]
    const json = JSON.stringify(unique)
    const changed = this.d.db.tx(() => {
      const known = this.store.countIds.get(json)!.n
      if (known !== unique.length) {
        const missing = unique.find((id) => !this.store.byId.get(id))!
        throw new NotFound('notice', missing)
      }
      return this.store.markRead.run(this.d.clock.now(), json).changes
    })
    if (changed > 0) this.emit([])
    return this.unread()
  }

  markAllRead(): number {
    const changed = this.store.markAllRead.run(this.d.clock.now(), JSON.stringify(this.settings().muted)).changes
    if (changed > 0) this.emit([])
    return this.unread()
  }

  settings(): NoticeSettings {
    return readNoticeSettings(this.d.settings)
  }

  setSettings(next: NoticeSettings): NoticeSettings {
    const saved = writeNoticeSettings(this.d.settings, next)
    this.emit([])
    return saved
  }

  onChange(listener: NoticeListener): () => void {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  /** Decides, once per notice, whether the desktop shows it; the decision is stored before it is shown. */
  private deliver(settings: NoticeSettings): void {
    const now = this.d.clock.now()
    const quiet = inQuietHours(settings.quietHours, now, this.zone)
    let burst = 0
    for (const row of this.store.undecided.all()) {
      const show =
        !quiet && burst < DESKTOP_BURST && row.read_at === null && now - row.at <= DESKTOP_MAX_AGE_MS && !settings.muted.includes(row.kind as Notice['kind'])
      if (this.store.decide.run(now, show ? 1 : 0, row.id).changes === 0 || !show) continue
      burst++
      const text = noticeText(this.d.locale(), toItem(row))
      this.d.desktop.show({ id: row.id, ...text })
    }
  }

  private emit(added: NoticeItem[]): void {
    const change = { unread: this.unread(), added }
    for (const l of this.listeners) l(change)
  }
}

function toItem(row: NoticeRow): NoticeItem {
  return {
    id: row.id,
    kind: NoticeSchema.shape.kind.parse(row.kind),
    at: row.at,
    params: NoticeSchema.shape.params.parse(JSON.parse(row.params)),
    source: row.source,
    readAt: row.read_at
  }
}

function parseCursor(cursor: string): { at: number; id: string } {
  const bar = cursor.indexOf('|')
  const at = Number(cursor.slice(0, bar))
  if (bar <= 0 || !Number.isSafeInteger(at) || bar === cursor.length - 1) throw new InvalidInput('not a cursor this list gave', { before: cursor })
  return { at, id: cursor.slice(bar + 1) }
}
