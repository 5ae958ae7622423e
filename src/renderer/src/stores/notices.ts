import { createStore } from 'zustand/vanilla'
import type { ErrorInfo } from '../../../shared/errors'
import type { BillingClient } from '../../../shared/ipc/client'
import type { NoticeItem, NoticeSettings } from '../../../shared/ipc/schemas/notices'

// The notification centre: the bell's unread count, the panel's list (newest first, paged),
// mark read, and the settings section. `notices.changed` from main keeps the count and puts
// what just arrived at the top, without a reload.

export interface NoticesState {
  items: NoticeItem[]
  nextCursor: string | null
  unread: number
  open: boolean
  loaded: boolean
  /** The list or a mark-read failed: shown beside the panel's controls. */
  error: ErrorInfo | null
  settings: NoticeSettings | null
  settingsError: ErrorInfo | null
  settingsSaved: boolean
  load(): Promise<void>
  more(): Promise<void>
  toggle(open?: boolean): void
  markRead(id: string): Promise<void>
  markAllRead(): Promise<void>
  loadSettings(): Promise<void>
  saveSettings(next: NoticeSettings): Promise<void>
}

const PAGE = 20

export const createNoticesStore = (client: BillingClient) =>
  createStore<NoticesState>()((set, get) => {
    client.on('notices.changed', ({ unread, added }) => {
      const known = new Set(get().items.map((n) => n.id))
      const fresh = added.filter((n) => !known.has(n.id))
      set({ unread, items: [...fresh, ...get().items].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1)) })
      // Read or muted elsewhere: the list shows what main holds.
      if (added.length === 0 && get().loaded) void get().load()
    })
    const readLocally = (ids: Set<string> | null, at: number): void =>
      set({ items: get().items.map((n) => (n.readAt === null && (ids === null || ids.has(n.id)) ? { ...n, readAt: at } : n)) })
    return {
      items: [],
      nextCursor: null,
      unread: 0,
      open: false,
      loaded: false,
      error: null,
      settings: null,
      settingsError: null,
      settingsSaved: false,
      async load() {
        const r = await client.invoke('notices.list', { limit: Math.max(PAGE, get().items.length) })
        if (r.ok) set({ items: r.value.items, nextCursor: r.value.nextCursor, unread: r.value.unread, loaded: true, error: null })
        else set({ error: r.error })
      },
      async more() {
        const before = get().nextCursor
        if (before === null) return
        const r = await client.invoke('notices.list', { limit: PAGE, before })
        if (r.ok) set({ items: [...get().items, ...r.value.items], nextCursor: r.value.nextCursor, unread: r.value.unread, error: null })
        else set({ error: r.error })
      },
      toggle(open) {
        const next = open ?? !get().open
        set({ open: next })
        if (next) void get().load()
      },
      async markRead(id) {
        const r = await client.invoke('notices.markRead', { ids: [id] })
        if (!r.ok) return set({ error: r.error })
        readLocally(new Set([id]), Date.now())
        set({ unread: r.value.unread, error: null })
      },
      async markAllRead() {
        const r = await client.invoke('notices.markAllRead', {})
        if (!r.ok) return set({ error: r.error })
        readLocally(null, Date.now())
        set({ unread: r.value.unread, error: null })
      },
      async loadSettings() {
        const r = await client.invoke('notices.settings', {})
        if (r.ok) set({ settings: r.value, settingsError: null })
        else set({ settingsError: r.error })
      },
      async saveSettings(next) {
        set({ settingsSaved: false })
        const r = await client.invoke('notices.setSettings', next)
        if (r.ok) set({ settings: r.value, settingsError: null, settingsSaved: true })
        else set({ settingsError: r.error })
      }
    }
  })
