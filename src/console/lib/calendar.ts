// Report ranges in the billing time zone. The relay buckets in RELAY_BILLING_TIME_ZONE, by
// default Asia/Shanghai (UTC+8, no daylight saving), and the console shows times in that zone
// too (i18n time()): a day is [00:00, 24:00) Beijing time, written as the relay writes bucket keys.

import type { Bucket } from '../../shared/console/reports'
export type { Bucket }

export const BILLING_TIME_ZONE = 'Asia/Shanghai'
const OFFSET_MS = 8 * 3_600_000
const DAY_MS = 86_400_000

/** Midnight Beijing time of a calendar day (month and day may overflow, as Date.UTC allows). */
export function midnight(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) - OFFSET_MS
}

/** "2026-12-07" → its midnight; undefined when not a date. */
export function parseDay(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  return m ? midnight(Number(m[1]), Number(m[2]), Number(m[3])) : undefined
}

/** The calendar day (Beijing) of an instant, as "2026-12-07". */
export function dayOf(at: number): string {
  return new Date(at + OFFSET_MS).toISOString().slice(0, 10)
}

/** The relay's bucket key of an instant ("2026-12-07", "2026-12", "2026"). */
export function bucketKey(at: number, bucket: Bucket): string {
  const day = dayOf(at)
  return bucket === 'day' ? day : bucket === 'month' ? day.slice(0, 7) : day.slice(0, 4)
}

/** The buckets [from, to) touches, in order, each with the instant it ends (capped at `to`). */
export function bucketsOf(from: number, to: number, bucket: Bucket): { key: string; end: number }[] {
  const out: { key: string; end: number }[] = []
  let at = from
  // The relay refuses more than 3,700 days per report; the bound only stops a runaway loop.
  while (at < to && out.length < 100_000) {
    const [y, m, d] = dayOf(at).split('-').map(Number) as [number, number, number]
    const next = bucket === 'day' ? midnight(y, m, d + 1) : bucket === 'month' ? midnight(y, m + 1, 1) : midnight(y + 1, 1, 1)
    out.push({ key: bucketKey(at, bucket), end: Math.min(next, to) })
    at = next
  }
  return out
}

export const addDays = (at: number, days: number): number => at + days * DAY_MS
