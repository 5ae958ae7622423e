import { createContext, useCallback, useContext } from 'react'
import { useStore } from 'zustand'
import type { StoreApi } from 'zustand/vanilla'
import type { BillingClient } from '../../shared/ipc/client'
import { formatMoney } from '../../shared/money'
import { formatCount } from './i18n'
import type { MoneyDto } from '../../shared/ipc/types'
import { formatDate, formatDateTime, translate, type MessageKey, type Translate, type Vars } from './i18n'
import type { Stores } from './stores'

export interface Billing {
  client: BillingClient
  stores: Stores
}

const BillingContext = createContext<Billing | null>(null)
export const BillingProvider = BillingContext.Provider

export function useBilling(): Billing {
  const b = useContext(BillingContext)
  if (!b) throw new Error('BillingProvider missing')
  return b
}

type StateOf<K extends keyof Stores> = Stores[K] extends StoreApi<infer S> ? S : never

/** Selects from one of this window's stores. */
export function useS<K extends keyof Stores, T>(name: K, select: (s: StateOf<K>) => T): T {
  const store = useBilling().stores[name] as unknown as StoreApi<StateOf<K>>
  return useStore<StoreApi<StateOf<K>>, T>(store, select)
}

/** Text, money and dates in the current locale. */
export function useI18n(): {
  t: Translate
  money: (m: MoneyDto) => string
  /** A count with the locale's thousands separators (50,000). */
  number: (n: number) => string
  date: (ts: number) => string
  dateTime: (ts: number) => string
  locale: 'zh-CN' | 'en'
} {
  const locale = useS('settings', (s) => s.locale)
  const t = useCallback((key: MessageKey, vars?: Vars) => translate(locale, key, vars), [locale])
  return {
    t,
    locale,
    money: (m) => formatMoney(m, locale),
    number: (n) => formatCount(n, locale),
    date: (ts) => formatDate(ts, locale),
    dateTime: (ts) => formatDateTime(ts, locale)
  }
}
