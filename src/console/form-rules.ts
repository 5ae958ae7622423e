import { ConsoleApiError, type ErrorInfo } from './api'

// The plain rules under the management screens' forms (no React, so node tests read them too):
// a refusal split into the fields it names (catalog problems, zod issues, an InvalidInput's
// field) so each shows beside its control; date-time inputs read in the billing time zone;
// whole numbers as typed.

/** A refusal split into the fields it names (path → the relay's reason) and the rest. */
export interface Refusal {
  info: ErrorInfo
  /** The relay's words per field it names. */
  fields: Record<string, string>
  /** The refusal's stable reason code (details.reason), for the console's own words. */
  reason: string | undefined
}

export function refusalOf(err: unknown): Refusal {
  const info: ErrorInfo = err instanceof ConsoleApiError ? err.info : { code: 'INTERNAL', message: String(err) }
  const fields: Record<string, string> = {}
  const d = info.details ?? {}
  const problems = d['problems']
  if (Array.isArray(problems)) for (const p of problems as { field?: unknown; reason?: unknown }[]) if (typeof p.field === 'string') fields[p.field] = String(p.reason ?? '')
  const issues = d['issues']
  if (Array.isArray(issues)) for (const i of issues as { path?: unknown; message?: unknown }[]) if (typeof i.path === 'string') fields[i.path || '(body)'] = String(i.message ?? '')
  if (typeof d['field'] === 'string' && !(d['field'] in fields)) fields[d['field']] = info.message
  return { info, fields, reason: typeof d['reason'] === 'string' ? d['reason'] : undefined }
}

/** The message of the field `name` or of any field below it (`plans.3` covers `plans.3.price`). */
export function fieldError(r: Refusal | undefined, name: string): string | undefined {
  if (!r) return undefined
  if (r.fields[name] !== undefined) return r.fields[name]
  const below = Object.keys(r.fields).find((k) => k.startsWith(`${name}.`))
  return below === undefined ? undefined : r.fields[below]
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
