import { describe, expect, it } from 'vitest'
import { bucketKey, bucketsOf, dayOf, parseDay } from '../../src/console/lib/calendar'
import { toCsv } from '../../src/console/screens/revenue/csv'

// The revenue screen's calendar must cut ranges as the relay buckets them (Beijing days), so the
// chart's categories line up with the report's keys; and its own CSV follows the relay's rule.

describe('report calendar (Asia/Shanghai)', () => {
  it('a day is Beijing midnight to midnight', () => {
    expect(parseDay('2026-12-07')).toBe(Date.UTC(2026, 11, 6, 16))
    expect(dayOf(Date.UTC(2026, 11, 6, 15, 59, 59, 999))).toBe('2026-12-06')
    expect(dayOf(Date.UTC(2026, 11, 6, 16))).toBe('2026-12-07')
    expect(parseDay('2026-13-40x')).toBeUndefined()
  })

  it('buckets a range by day, month and year, across a leap day and the year end', () => {
    const from = parseDay('2024-02-28')!
    const to = parseDay('2024-03-02')!
    expect(bucketsOf(from, to, 'day').map((b) => b.key)).toEqual(['2024-02-28', '2024-02-29', '2024-03-01'])
    expect(bucketsOf(from, to, 'day').at(-1)!.end).toBe(to)
    const months = bucketsOf(parseDay('2025-11-15')!, parseDay('2026-02-01')!, 'month')
    expect(months.map((b) => b.key)).toEqual(['2025-11', '2025-12', '2026-01'])
    expect(months[0]!.end).toBe(parseDay('2025-12-01'))
    expect(bucketsOf(parseDay('2024-06-01')!, parseDay('2026-01-02')!, 'year').map((b) => b.key)).toEqual(['2024', '2025', '2026'])
    expect(bucketKey(Date.UTC(2026, 11, 31, 16), 'year')).toBe('2027')
  })

  it('writes CSV for Excel: BOM, CRLF, quoted fields, no formula, a negative amount bare', () => {
    expect(toCsv([['币种', '金额'], ['CNY', '-8.49'], ['=SUM(A1)', 'a,"b"']])).toBe('\uFEFF币种,金额\r\nCNY,-8.49\r\n"\'=SUM(A1)","a,""b"""\r\n')
  })
})
