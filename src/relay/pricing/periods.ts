import type { BillingPeriod } from '../../shared/relay-contract'

// Period arithmetic by calendar in the billing time zone, Asia/Shanghai. China has had no
// daylight saving since 1991, so a fixed +08:00 offset is exact. A month added to Jan 31
// ends on the last day of February (the day is clamped, not rolled over).

const OFFSET_MS = 8 * 3600_000
const MONTHS: Record<Exclude<BillingPeriod, 'lifetime'>, number> = { monthly: 1, quarterly: 3, yearly: 12 }

export function addMonths(at: number, months: number): number {
  const local = new Date(at + OFFSET_MS)
  const y = local.getUTCFullYear()
  const m = local.getUTCMonth() + months
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate()
  const day = Math.min(local.getUTCDate(), lastDay)
  const shifted = Date.UTC(
    y,
    m,
    day,
    local.getUTCHours(),
    local.getUTCMinutes(),
    local.getUTCSeconds(),
    local.getUTCMilliseconds()
  )
  return shifted - OFFSET_MS
}

/** The end of a period that starts at `start`; null for lifetime. */
export function periodEnd(start: number, period: BillingPeriod): number | null {
  return period === 'lifetime' ? null : addMonths(start, MONTHS[period])
}
