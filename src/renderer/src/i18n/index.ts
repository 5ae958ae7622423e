import type { ErrorInfo } from '../../../shared/errors'
import type { Locale } from '../../../shared/ipc/types'
import { en } from './en'
import { zhCN, type MessageKey } from './zh-CN'
import { fillTemplate, type Vars } from '../../../shared/template'

export type { MessageKey }
export type { Locale }

export const dictionaries: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en }
export const DEFAULT_LOCALE: Locale = 'zh-CN'

export type { Vars }
export type Translate = (key: MessageKey, vars?: Vars) => string

/** The placeholder rule is shared with main's notice sentences (src/shared/template.ts). */
export function translate(locale: Locale, key: MessageKey, vars?: Vars): string {
  return fillTemplate(locale, dictionaries[locale][key], vars)
}

/** For codes that come from data (error codes, feature codes): the key if known, else the fallback. */
export function hasKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(zhCN, key)
}

export function errorText(t: Translate, error: ErrorInfo): string {
  // A coupon refused says why, with what to do next (coupon.refusal.*).
  const reason = error.code === 'COUPON_REFUSED' ? `coupon.refusal.${String(error.details?.['reason'])}` : ''
  if (reason && hasKey(reason)) return t(reason)
  // A transition refused for a known reason says that reason (e.g. a checkout already paid).
  const d = error.details
  const specific = error.code === 'INVALID_TRANSITION' ? `error.INVALID_TRANSITION.${String(d?.['entity'])}.${String(d?.['from'])}` : ''
  if (specific && hasKey(specific)) return t(specific)
  const key = `error.${error.code}`
  if (!hasKey(key)) return error.message
  // A method named in the details is said by its name in this language.
  const method = error.details?.['method']
  const name = `method.${String(method)}`
  return t(key, typeof method === 'string' && hasKey(name) ? { method: t(name) } : {})
}

const counts = { 'zh-CN': new Intl.NumberFormat('zh-CN'), en: new Intl.NumberFormat('en') } as const
export const formatCount = (n: number, locale: Locale): string => counts[locale].format(n)
export { formatDate, formatDateTime } from '../../../shared/dates'
