import type { ErrorInfo } from '../../../shared/errors'
import type { Locale } from '../../../shared/ipc/types'
import { en } from './en'
import { zhCN, type MessageKey } from './zh-CN'

export type { MessageKey }
export type { Locale }

export const dictionaries: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en }
export const DEFAULT_LOCALE: Locale = 'zh-CN'

export type Vars = Record<string, string | number>
export type Translate = (key: MessageKey, vars?: Vars) => string

const plurals = { 'zh-CN': new Intl.PluralRules('zh-CN'), en: new Intl.PluralRules('en') } as const

/**
 * `{name}` is replaced by the variable; `{name|one|other}` picks the word for the variable's
 * number by the locale's plural rules ("1 live room", "3 live rooms").
 */
export function translate(locale: Locale, key: MessageKey, vars?: Vars): string {
  const text = dictionaries[locale][key]
  if (!vars) return text
  return text.replace(/\{(\w+)(?:\|([^|{}]*)\|([^|{}]*))?\}/g, (m, name: string, one?: string, other?: string) => {
    if (!(name in vars)) return m
    const v = vars[name]!
    if (one === undefined) return String(v)
    return typeof v === 'number' && plurals[locale].select(v) === 'one' ? one : (other ?? '')
  })
}

/** For codes that come from data (error codes, feature codes): the key if known, else the fallback. */
export function hasKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(zhCN, key)
}

export function errorText(t: Translate, error: ErrorInfo): string {
  // A coupon refused says why, with what to do next (coupon.refusal.*).
  const reason = error.code === 'COUPON_REFUSED' ? `coupon.refusal.${String(error.details?.['reason'])}` : ''
  if (reason && hasKey(reason)) return t(reason)
  const key = `error.${error.code}`
  if (!hasKey(key)) return error.message
  // A method named in the details is said by its name in this language.
  const method = error.details?.['method']
  const name = `method.${String(method)}`
  return t(key, typeof method === 'string' && hasKey(name) ? { method: t(name) } : {})
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>()
function fmt(locale: Locale, withTime: boolean): Intl.DateTimeFormat {
  const k = `${locale}:${withTime}`
  let f = dateTimeFormats.get(k)
  if (!f) {
    // Dates shown in the billing time zone, the one periods are computed in.
    // English: "6 Dec 2026" (dd/mm or mm/dd would be read either way); Chinese: 2026/12/06.
    f = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
      timeZone: 'Asia/Shanghai',
      year: 'numeric',
      month: locale === 'en' ? 'short' : '2-digit',
      day: locale === 'en' ? 'numeric' : '2-digit',
      ...(withTime ? { hour: '2-digit', minute: '2-digit', hour12: false } : {})
    })
    dateTimeFormats.set(k, f)
  }
  return f
}
const counts = { 'zh-CN': new Intl.NumberFormat('zh-CN'), en: new Intl.NumberFormat('en') } as const
export const formatCount = (n: number, locale: Locale): string => counts[locale].format(n)
export const formatDate = (ts: number, locale: Locale): string => fmt(locale, false).format(ts)
export const formatDateTime = (ts: number, locale: Locale): string => fmt(locale, true).format(ts)
