import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { settingsSchema } from '../../shared/ipc/schemas/sync'
import type { Locale } from '../../shared/ipc/types'

// The renderer's preferences (the locale). A port, so Electron can keep them in its own
// store; this file gives an in-memory one (tests) and a small JSON file (host, Electron).

export interface Settings {
  locale: Locale
}
export interface SettingsPort {
  get(): Settings
  set(next: Settings): Settings
}

export const DEFAULT_SETTINGS: Settings = { locale: 'zh-CN' }

export function memorySettings(initial: Settings = DEFAULT_SETTINGS): SettingsPort {
  let current = { ...initial }
  return {
    get: () => ({ ...current }),
    set(next) {
      current = { ...next }
      return { ...current }
    }
  }
}

/** A JSON file written by rename, so a crash leaves the old or the new file, never half. */
export function fileSettings(path: string): SettingsPort {
  const read = (): Settings => {
    if (!existsSync(path)) return { ...DEFAULT_SETTINGS }
    try {
      const parsed = settingsSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')))
      return parsed.success ? parsed.data : { ...DEFAULT_SETTINGS }
    } catch {
      return { ...DEFAULT_SETTINGS }
    }
  }
  let current = read()
  return {
    get: () => ({ ...current }),
    set(next) {
      mkdirSync(dirname(path), { recursive: true })
      const tmp = `${path}.tmp`
      writeFileSync(tmp, JSON.stringify(next))
      renameSync(tmp, path)
      current = { ...next }
      return { ...current }
    }
  }
}
