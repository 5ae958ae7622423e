import { InvalidInput } from './errors'
import { isBillingPeriod, PERIOD_MONTHS, type BillingPeriod, type RecurringPeriod } from './catalog/periods'

// The one calendar-period implementation, used by the app and the relay. Billing periods are
// calendar periods in one billing time zone, not fixed millisecond spans: a month after
// Jan 31 10:00 is Feb 28 (29) 10:00 wall-clock time in that zone, and a period counted on
// from there keeps its anchor day (Jan 31 → Feb 28 → Mar 31). Wall-clock fields are read with
// Intl.DateTimeFormat and converted back by searching the zone's UTC offset, so zones with
// DST work (gaps move forward, overlaps take the earlier).

export const DEFAULT_BILLING_TZ = 'Asia/Shanghai'

const DAY_MS = 86_400_000

export interface WallTime {
  year: number
  /** 1–12 */
  month: number
  day: number
  hour: number
  minute: number
  second: number
  millisecond: number
}

export interface Bounds {
  start: number
  /** Exclusive; null = never ends (lifetime). */
  end: number | null
}

export interface ClosedBounds {
  start: number
  end: number
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz)
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric'
      })
    } catch {
      throw new InvalidInput(`unknown time zone: ${tz}`, { timeZone: tz })
    }
    formatters.set(tz, f)
  }
  return f
}

/** Throws InvalidInput unless `tz` is an IANA zone this runtime knows. */
export function assertTimeZone(tz: string): string {
  if (typeof tz !== 'string' || tz === '') throw new InvalidInput('time zone must be a non-empty string')
  formatter(tz)
  return tz
}

function assertInstant(ms: number, what = 'instant'): void {
  if (!Number.isSafeInteger(ms)) throw new InvalidInput(`${what} must be integer epoch milliseconds`, { [what]: ms })
}

/** The wall-clock fields of `instantMs` in `tz`. */
export function wallTime(instantMs: number, tz: string = DEFAULT_BILLING_TZ): WallTime {
  const w: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, millisecond: 0 }
  for (const p of formatter(tz).formatToParts(instantMs)) {
    if (p.type === 'year' || p.type === 'month' || p.type === 'day' || p.type === 'hour' || p.type === 'minute' || p.type === 'second') {
      w[p.type] = Number(p.value)
    }
  }
  w.millisecond = ((instantMs % 1000) + 1000) % 1000
  return w
}

function wallAsUtc(w: WallTime): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond)
}

/** The zone's offset from UTC at `instantMs`, in ms (Shanghai: +8h). */
export function zoneOffset(instantMs: number, tz: string = DEFAULT_BILLING_TZ): number {
  return wallAsUtc(wallTime(instantMs, tz)) - instantMs
}

/**
 * The instant at which the zone's clocks show `w`. A wall time skipped by a DST gap maps to
 * the same time shifted forward by the gap; one repeated by an overlap maps to the earlier
 * instant (Temporal's 'compatible' disambiguation).
 */
export function fromWallTime(w: WallTime, tz: string = DEFAULT_BILLING_TZ): number {
  const local = wallAsUtc(w)
  // Assumes at most one offset change within ±1 day, true of every real zone.
  const before = zoneOffset(local - DAY_MS, tz)
  const after = zoneOffset(local + DAY_MS, tz)
  const a = local - before
  const b = local - after
  const aOk = zoneOffset(a, tz) === before
  const bOk = zoneOffset(b, tz) === after
  if (aOk && bOk) return Math.min(a, b)
  if (aOk) return a
  if (bOk) return b
  return local - before
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/**
 * `instantMs` plus `months` calendar months at the same wall-clock time. The day is
 * `anchorDay` (default: the instant's own day) clamped to the target month's length.
 */
export function addMonths(instantMs: number, months: number, tz: string = DEFAULT_BILLING_TZ, anchorDay?: number): number {
  assertInstant(instantMs)
  if (!Number.isInteger(months)) throw new InvalidInput('months must be an integer', { months })
  const w = wallTime(instantMs, tz)
  const total = w.year * 12 + (w.month - 1) + months
  const year = Math.floor(total / 12)
  const month = total - year * 12 + 1
  const day = Math.min(anchorDay ?? w.day, daysInMonth(year, month))
  return fromWallTime({ ...w, year, month, day }, tz)
}

/**
 * The day of month that periods started at `instantMs` land on, kept across renewals and
 * clamped to short months (31: Feb 28, Mar 31, Apr 30).
 */
export function anchorDayOf(instantMs: number, tz: string = DEFAULT_BILLING_TZ): number {
  return wallTime(instantMs, tz).day
}

/** `instantMs` plus `days` calendar days at the same wall-clock time (a DST day is 23 or 25 h). */
export function addDays(instantMs: number, days: number, tz: string = DEFAULT_BILLING_TZ): number {
  assertInstant(instantMs)
  if (!Number.isInteger(days)) throw new InvalidInput('days must be an integer', { days })
  const w = wallTime(instantMs, tz)
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + days))
  return fromWallTime({ ...w, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }, tz)
}

/** The end of a period that starts at `instantMs`; null for 'lifetime'. */
export function addPeriod(instantMs: number, period: RecurringPeriod, tz?: string, anchorDay?: number): number
export function addPeriod(instantMs: number, period: BillingPeriod, tz?: string, anchorDay?: number): number | null
export function addPeriod(
  instantMs: number,
  period: BillingPeriod,
  tz: string = DEFAULT_BILLING_TZ,
  anchorDay?: number
): number | null {
  return addPeriods(instantMs, period, 1, tz, anchorDay)
}

/**
 * `count` periods after `instantMs`, computed from the start in one step so day clamping
 * never drifts (Jan 31 + 2 months = Mar 31, not Mar 28).
 */
export function addPeriods(
  instantMs: number,
  period: BillingPeriod,
  count: number,
  tz: string = DEFAULT_BILLING_TZ,
  anchorDay?: number
): number | null {
  if (!isBillingPeriod(period)) throw new InvalidInput(`unknown billing period: ${String(period)}`, { period })
  if (period === 'lifetime') return null
  return addMonths(instantMs, PERIOD_MONTHS[period] * count, tz, anchorDay)
}

/** The period that starts at `startMs`: [start, end), end null for lifetime. */
export function periodBounds(startMs: number, period: BillingPeriod, tz: string = DEFAULT_BILLING_TZ, anchorDay?: number): Bounds {
  return { start: startMs, end: addPeriod(startMs, period, tz, anchorDay) }
}

/**
 * The cycle of `months` calendar months, counted from `anchorMs`, that contains `atMs`
 * (the first cycle when `atMs` precedes the anchor). Boundaries are anchor + k·months,
 * each computed from the anchor, so they never drift.
 */
export function cycleContaining(
  anchorMs: number,
  months: number,
  atMs: number,
  tz: string = DEFAULT_BILLING_TZ,
  anchorDay?: number
): ClosedBounds {
  if (!Number.isInteger(months) || months <= 0) throw new InvalidInput('months must be a positive integer', { months })
  const boundary = (k: number): number => (k === 0 ? anchorMs : addMonths(anchorMs, k * months, tz, anchorDay))
  const a = wallTime(anchorMs, tz)
  const n = wallTime(atMs, tz)
  let k = Math.max(0, Math.floor(((n.year - a.year) * 12 + (n.month - a.month)) / months) - 1)
  while (k > 0 && boundary(k) > atMs) k--
  while (boundary(k + 1) <= atMs) k++
  return { start: boundary(k), end: boundary(k + 1) }
}

/** Midnight of the first day of the month containing `instantMs`, in `tz`. */
export function startOfMonth(instantMs: number, tz: string = DEFAULT_BILLING_TZ): number {
  const w = wallTime(instantMs, tz)
  return fromWallTime({ year: w.year, month: w.month, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 }, tz)
}

/** Midnight of the first day of the next month, in `tz`: where a monthly counter resets. */
export function startOfNextMonth(instantMs: number, tz: string = DEFAULT_BILLING_TZ): number {
  const w = wallTime(instantMs, tz)
  const year = w.month === 12 ? w.year + 1 : w.year
  const month = w.month === 12 ? 1 : w.month + 1
  return fromWallTime({ year, month, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 }, tz)
}

/** The calendar month containing `instantMs`: [first midnight, next month's first midnight). */
export function monthBounds(instantMs: number, tz: string = DEFAULT_BILLING_TZ): ClosedBounds {
  return { start: startOfMonth(instantMs, tz), end: startOfNextMonth(instantMs, tz) }
}

/** Midnight of the day containing `instantMs`, in `tz`. */
export function startOfDay(instantMs: number, tz: string = DEFAULT_BILLING_TZ): number {
  const w = wallTime(instantMs, tz)
  return fromWallTime({ ...w, hour: 0, minute: 0, second: 0, millisecond: 0 }, tz)
}

function timeOfDay(w: WallTime): number {
  return ((w.hour * 60 + w.minute) * 60 + w.second) * 1000 + w.millisecond
}

/**
 * Calendar days left until `endMs`, rounded up: any part of a day counts as a day, so
 * "ends tomorrow at the same time" is 1 and "ends later today" is 1. 0 once ended;
 * null when there is no end (lifetime).
 */
export function daysRemaining(nowMs: number, endMs: number | null, tz: string = DEFAULT_BILLING_TZ): number | null {
  if (endMs === null) return null
  if (endMs <= nowMs) return 0
  const a = wallTime(nowMs, tz)
  const b = wallTime(endMs, tz)
  let days = Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / DAY_MS)
  if (timeOfDay(b) > timeOfDay(a)) days += 1
  // A DST overlap can show an earlier wall time for a later instant on the same day.
  return Math.max(1, days)
}
