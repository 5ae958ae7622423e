import type { Locale } from './ipc/types'

// Dates for people, in the billing time zone periods are computed in. One formatter per
// (locale, with time), built once. English: "6 Dec 2026" (dd/mm or mm/dd would be read either
// way); Chinese: 2026/12/06. The renderer and main's desktop notices use the same ones.

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>()
function fmt(locale: Locale, withTime: boolean): Intl.DateTimeFormat {
  const k = `${locale}:${withTime}`
  let f = dateTimeFormats.get(k)
  if (!f) {
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
export const formatDate = (ts: number, locale: Locale): string => fmt(locale, false).format(ts)
export const formatDateTime = (ts: number, locale: Locale): string => fmt(locale, true).format(ts)
