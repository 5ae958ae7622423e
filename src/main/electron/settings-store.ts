// Electron adapter: the sync settings (relay URL, device id, cursor copy) in electron-store.
import Store from 'electron-store'
import type { SettingsStore, SyncSettings } from '../settings'

export function electronSettingsStore(name = 'sync-settings'): SettingsStore {
  const store = new Store<SyncSettings>({ name })
  return {
    get: () => ({ ...store.store }),
    set(patch) {
      for (const [k, v] of Object.entries(patch) as [keyof SyncSettings, string | undefined][]) {
        if (v === undefined) store.delete(k)
        else store.set(k, v)
      }
      return { ...store.store }
    }
  }
}
