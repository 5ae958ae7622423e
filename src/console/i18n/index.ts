import { create } from 'zustand'
import { formatMoney, type Money } from '../../shared/money'
import { fillTemplate, type Vars } from '../../shared/template'
import type { ErrorInfo } from '../api'
import { common } from './common'

// The console speaks Simplified Chinese first and English second. Each screen keeps its own
// dictionary beside it (screens/<name>/messages.ts: `{ 'zh-CN': {...}, en: {...} }`, the
// English typed after the Chinese so a missing key fails the typecheck); the shell's words are
// in ./common.ts. The choice is kept in localStorage.

export type ConsoleLocale = 'zh-CN' | 'en'
export type Dictionary<K extends string = string> = Record<K, string>
export type Messages<K extends string> = { 'zh-CN': Dictionary<K>; en: Dictionary<K> }

const STORAGE_KEY = 'console.locale'

function initialLocale(): ConsoleLocale {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY)
    if (saved === 'en' || saved === 'zh-CN') return saved
  } catch {
    // storage off: the default
  }
  return 'zh-CN'
}

export const useLocaleStore = create<{ locale: ConsoleLocale; setLocale(l: ConsoleLocale): void }>((set) => ({
  locale: initialLocale(),
  setLocale(locale) {
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, locale)
    } catch {
      // storage off: this page only
    }
    document.documentElement.lang = locale
    set({ locale })
  }
}))

export type T<K extends string> = (key: K, vars?: Vars) => string

/** A screen's translate function over its own dictionary (and the shell's words as a fallback). */
export function useT<K extends string>(messages: Messages<K>): T<K | keyof typeof common['zh-CN']> {
  const locale = useLocaleStore((s) => s.locale)
  return (key, vars) => {
    const own = (messages[locale] as Record<string, string>)[key]
    const text = own ?? (common[locale] as Record<string, string>)[key] ?? key
    return fillTemplate(locale, text, vars)
  }
}

export const useLocale = (): ConsoleLocale => useLocaleStore((s) => s.locale)

export function money(m: Money, locale: ConsoleLocale): string {
  return formatMoney(m, locale)
}

const times = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short' }),
  en: new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short' })
}
/** An instant in the billing time zone (Asia/Shanghai, the relay's default). */
export function time(ms: number | null | undefined, locale: ConsoleLocale): string {
  return ms === null || ms === undefined ? '—' : times[locale].format(ms)
}

/** An error from the relay in the console's words when its code is known, else the relay's message. */
export function errorText(error: ErrorInfo, locale: ConsoleLocale): string {
  const key = `error.${error.code}`
  const text = (common[locale] as Record<string, string>)[key]
  return text ?? error.message
}
