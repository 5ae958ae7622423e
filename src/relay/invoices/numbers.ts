// Document numbers: `${series}-${year}-${n}` with n zero-padded to six digits (INV-2026-000001),
// one gap-free sequence per (series, year). The year is the calendar year in the billing time
// zone (Asia/Shanghai by default): an invoice issued at 2026-12-31T17:00Z is already 2027's.

export const SERIES = { invoice: 'INV', creditNote: 'CN' } as const

const years = new Map<string, { fmt: Intl.DateTimeFormat; slot: number; year: number }>()
/** Every zone's offset is a multiple of 15 minutes, so a year never changes inside such a slot. */
const SLOT_MS = 15 * 60_000

/** The calendar year of `at` (epoch ms) in `timeZone`. */
export function billingYear(at: number, timeZone: string): number {
  let c = years.get(timeZone)
  if (!c) {
    c = { fmt: new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric' }), slot: NaN, year: 0 }
    years.set(timeZone, c)
  }
  // Intl's format costs a large share of an invoice's CPU; issues come in time order, so the
  // last slot's answer is nearly always the one asked for.
  const slot = Math.floor(at / SLOT_MS)
  if (slot !== c.slot) {
    c.year = Number(c.fmt.format(at))
    c.slot = slot
  }
  return c.year
}

export function documentNumber(series: string, year: number, n: number): string {
  return `${series}-${year}-${String(n).padStart(6, '0')}`
}

/** Series, year and sequence of a number this module made; null for anything else. */
export function parseDocumentNumber(text: string): { series: string; year: number; n: number } | null {
  const m = /^([A-Z]{2,4})-(\d{4})-(\d{6,})$/.exec(text)
  return m ? { series: m[1]!, year: Number(m[2]), n: Number(m[3]) } : null
}

/** Whether `timeZone` is an IANA zone this runtime knows (config validation). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone })
    return true
  } catch {
    return false
  }
}
