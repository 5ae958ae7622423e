import { noticeSettingsSchema, type NoticeSettings } from '../../shared/ipc/schemas/notices'
import type { SettingsStore } from '../settings'

// The centre's settings live in the sync settings store (src/main/settings: a JSON file under
// Node, electron-store in the app) under `notifications`. Whatever is stored is checked again
// when read: a hand-edited value falls back to the defaults (everything on, never quiet).

export const DEFAULT_NOTICE_SETTINGS: NoticeSettings = { muted: [], quietHours: null }

export function readNoticeSettings(store: SettingsStore): NoticeSettings {
  const parsed = noticeSettingsSchema.safeParse(store.get().notifications)
  return parsed.success ? parsed.data : { ...DEFAULT_NOTICE_SETTINGS }
}

export function writeNoticeSettings(store: SettingsStore, next: NoticeSettings): NoticeSettings {
  const valid = noticeSettingsSchema.parse(next)
  // Each kind once, in a stable order: the stored file reads the same whatever the screen sent.
  const settings: NoticeSettings = { muted: [...new Set(valid.muted)].sort(), quietHours: valid.quietHours }
  store.set({ notifications: settings })
  return settings
}
