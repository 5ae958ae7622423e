import { useCallback, useEffect, useState } from 'react'
import { ConsoleApiError, type ErrorInfo } from './api'
import { errorText, type ConsoleLocale, type Messages, type T } from './i18n'
import type { common } from './i18n/common'
import './manage.css'

// Small pieces the management screens share: a load with its error, the fields a refusal
// names (catalog problems, zod issues, an InvalidInput's field) so each shows beside its
// control, and date-time inputs read in the billing time zone.

/** A refusal split into the fields it names (path → the relay's reason) and the rest. */
export interface Refusal {
  info: ErrorInfo
  fields: Record<string, string>
}

export function refusalOf(err: unknown): Refusal {
  const info: ErrorInfo = err instanceof ConsoleApiError ? err.info : { code: 'INTERNAL', message: String(err) }
  const fields: Record<string, string> = {}
  const d = info.details ?? {}
  const problems = d['problems']
  if (Array.isArray(problems)) for (const p of problems as { field?: unknown; reason?: unknown }[]) if (typeof p.field === 'string') fields[p.field] = String(p.reason ?? '')
  const issues = d['issues']
  if (Array.isArray(issues)) for (const i of issues as { path?: unknown; message?: unknown }[]) if (typeof i.path === 'string') fields[i.path || '(body)'] = String(i.message ?? '')
  if (typeof d['field'] === 'string' && !(d['field'] in fields)) fields[d['field']] = typeof d['reason'] === 'string' ? d['reason'] : info.message
  return { info, fields }
}

/** The message of the field `name` or of any field below it (`plans.3` covers `plans.3.price`). */
export function fieldError(r: Refusal | undefined, name: string): string | undefined {
  if (!r) return undefined
  if (r.fields[name] !== undefined) return r.fields[name]
  const below = Object.keys(r.fields).find((k) => k.startsWith(`${name}.`))
  return below === undefined ? undefined : r.fields[below]
}

/** Shown beside a control; nothing when there is no message. */
export function Err({ text, testId }: { text: string | undefined; testId?: string }) {
  if (!text) return null
  return (
    <span className="error" role="alert" data-testid={testId}>
      {text}
    </span>
  )
}

/** The refusal in the console's words when its code is known; the relay's own message added when no field shows it. */
export function generalText(r: Refusal | undefined, locale: ConsoleLocale): string | undefined {
  if (!r) return undefined
  const named = Object.keys(r.fields).length > 0
  const words = errorText(r.info, locale)
  // A known code's words are general ("not found"); the relay's message says which one and why.
  const detail = !named && words !== r.info.message && ['INVALID_INPUT', 'NOT_FOUND'].includes(r.info.code)
  return words + (detail ? ` (${r.info.message})` : '')
}

/**
 * A confirmation said after an action, in the language shown when it is read (kept as a
 * function, so switching language re-words it).
 */
export type Say<M extends Messages<string>> = (t: T<(keyof M['zh-CN'] & string) | keyof (typeof common)['zh-CN']>, locale: ConsoleLocale) => string

/** Loads `fn` now and on reload(); the data, its refusal, and whether it is loading. */
export function useLoad<T>(fn: () => Promise<T>, deps: readonly unknown[]): { data: T | undefined; error: Refusal | undefined; loading: boolean; reload(): void } {
  const [data, setData] = useState<T>()
  const [error, setError] = useState<Refusal>()
  const [loading, setLoading] = useState(true)
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let live = true
    setLoading(true)
    fn().then(
      (d) => live && (setData(d), setError(undefined), setLoading(false)),
      (e: unknown) => live && (setError(refusalOf(e)), setLoading(false))
    )
    return () => {
      live = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick])
  return { data, error, loading, reload: useCallback(() => setTick((n) => n + 1), []) }
}

// The billing time zone is Asia/Shanghai (the relay's default): UTC+8 all year, no DST, so a
// datetime-local value is read at that offset whatever zone the operator's browser is in.
const SHANGHAI_OFFSET_MS = 8 * 3_600_000

/** "2026-12-08T09:30" (Beijing time) → epoch ms; undefined when empty or malformed. */
export function fromLocalInput(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(value.trim())
  if (!m) return undefined
  const [, y, mo, d, h = '0', mi = '0'] = m
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)) - SHANGHAI_OFFSET_MS
}

/** Epoch ms → the datetime-local value in Beijing time. */
export function toLocalInput(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16)
}

/** A whole number typed by the operator (blank: undefined; anything else not whole: NaN). */
export function wholeNumber(text: string): number | undefined {
  const t = text.trim()
  if (t === '') return undefined
  return /^\d+$/.test(t) ? Number(t) : Number.NaN
}
