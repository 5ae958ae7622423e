// Alipay speaks wall-clock time in Beijing (UTC+8, no DST): "yyyy-MM-dd HH:mm:ss".

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000

/** Epoch ms → "yyyy-MM-dd HH:mm:ss" in Beijing time (for time_expire). */
export function toBeijingTime(epochMs: number): string {
  return new Date(epochMs + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ')
}

/**
 * "yyyy-MM-dd HH:mm:ss" Beijing time (gmt_refund adds ".SSS") → epoch ms, or undefined when
 * it does not parse.
 */
export function fromBeijingTime(text: string | undefined): number | undefined {
  if (!text) return undefined
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(text.trim())
  if (!m) return undefined
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const millis = m[7] ? Number(m[7].padEnd(3, '0')) : 0
  const ms = Date.UTC(y, mo - 1, d, h, mi, s, millis) - BEIJING_OFFSET_MS
  return Number.isFinite(ms) ? ms : undefined
}
