import { createStore } from 'zustand/vanilla'
import type { BillingClient } from '../../../shared/ipc/client'
import type { Locale } from '../../../shared/ipc/types'
import { DEFAULT_LOCALE } from '../i18n'

export type Screen = 'wallet' | 'plans' | 'usage' | 'history' | 'invoices' | 'account'

export interface SettingsState {
  locale: Locale
  screen: Screen
  /** Set when another screen sends the user to top up a known amount (the gate's shortfall). */
  rechargePrefill: { amount: number; currency: string } | null
  load(): Promise<void>
  setLocale(locale: Locale): Promise<void>
  go(screen: Screen): void
  goRecharge(amount: { amount: number; currency: string }): void
  clearPrefill(): void
}

export const createSettingsStore = (client: BillingClient) =>
  createStore<SettingsState>()((set) => ({
    locale: DEFAULT_LOCALE,
    screen: 'wallet',
    rechargePrefill: null,
    async load() {
      const r = await client.invoke('settings.get', {})
      if (r.ok) set({ locale: r.value.locale })
    },
    async setLocale(locale) {
      // Switch at once; persisting is best effort (the choice still holds for this session).
      set({ locale })
      await client.invoke('settings.set', { locale })
    },
    go: (screen) => set({ screen }),
    goRecharge: (amount) => set({ screen: 'wallet', rechargePrefill: amount }),
    clearPrefill: () => set({ rechargePrefill: null })
  }))
