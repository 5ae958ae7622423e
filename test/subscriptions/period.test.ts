import { describe, expect, it } from 'vitest'
import {
  addDays,
  addPeriod,
  addPeriods,
  cycleContaining,
  daysRemaining,
  fromWallTime,
  monthBounds,
  periodBounds,
  startOfMonth,
  startOfNextMonth,
  wallTime,
  zoneOffset
} from '../../src/main/subscriptions'
import { BillingError } from '../../src/shared/errors'
import { at, DAY, wall } from './support'

const NY = 'America/New_York'
const HOUR = 3_600_000

describe('addPeriod in Asia/Shanghai', () => {
  it.each([
    ['Jan 31 + 1 month → Feb 28 (common year)', at(2025, 1, 31), 'monthly', '2025-02-28 10:00:00'],
    ['Jan 31 + 1 month → Feb 29 (leap year)', at(2024, 1, 31), 'monthly', '2024-02-29 10:00:00'],
    ['Mar 31 + 1 month → Apr 30', at(2025, 3, 31), 'monthly', '2025-04-30 10:00:00'],
    ['Dec 15 + 1 month wraps the year', at(2024, 12, 15), 'monthly', '2025-01-15 10:00:00'],
    ['Dec 31 23:30 + 1 month', at(2024, 12, 31, 23, 30), 'monthly', '2025-01-31 23:30:00'],
    ['Nov 30 + quarter → Feb 28', at(2024, 11, 30), 'quarterly', '2025-02-28 10:00:00'],
    ['Nov 30 + quarter → Feb 29 in a leap year', at(2023, 11, 30), 'quarterly', '2024-02-29 10:00:00'],
    ['Feb 29 + 1 year → Feb 28', at(2024, 2, 29), 'yearly', '2025-02-28 10:00:00'],
    ['Jan 1 00:00 + 1 year', at(2025, 1, 1, 0), 'yearly', '2026-01-01 00:00:00']
  ] as const)('%s', (_name, start, period, expected) => {
    expect(wall(addPeriod(start, period))).toBe(expected)
  })

  it('lifetime has no end', () => {
    expect(addPeriod(at(2025, 1, 1), 'lifetime')).toBeNull()
    expect(periodBounds(at(2025, 1, 1), 'lifetime')).toEqual({ start: at(2025, 1, 1), end: null })
  })

  it('an anchor day restores the day after a short month (Jan 31 → Feb 28 → Mar 31)', () => {
    const feb = addPeriod(at(2025, 1, 31), 'monthly')
    expect(wall(addPeriod(feb, 'monthly'))).toBe('2025-03-28 10:00:00')
    expect(wall(addPeriod(feb, 'monthly', 'Asia/Shanghai', 31))).toBe('2025-03-31 10:00:00')
    expect(wall(addPeriods(at(2025, 1, 31), 'monthly', 2))).toBe('2025-03-31 10:00:00')
    expect(wall(addPeriods(at(2024, 2, 29), 'yearly', 4))).toBe('2028-02-29 10:00:00')
  })

  it('periodBounds gives [start, end)', () => {
    expect(periodBounds(at(2025, 1, 31), 'quarterly')).toEqual({ start: at(2025, 1, 31), end: at(2025, 4, 30) })
  })

  it('rejects an unknown period, a fractional instant and an unknown zone with InvalidInput', () => {
    expect(() => addPeriod(at(2025, 1, 1), 'weekly' as never)).toThrow(BillingError)
    expect(() => addPeriod(1.5, 'monthly')).toThrow(/epoch/)
    try {
      addPeriod(at(2025, 1, 1), 'monthly', 'Mars/Olympus')
      expect.unreachable()
    } catch (e) {
      expect((e as BillingError).code).toBe('INVALID_INPUT')
    }
  })
})

describe('a zone with DST: America/New_York', () => {
  it('reads and writes wall time across the spring-forward change', () => {
    const before = at(2025, 3, 8, 12, 0, NY) // EST, UTC−5
    expect(zoneOffset(before, NY)).toBe(-5 * HOUR)
    const next = addDays(before, 1, NY) // EDT, UTC−4: the calendar day had 23 hours
    expect(wall(next, NY)).toBe('2025-03-09 12:00:00')
    expect(next - before).toBe(23 * HOUR)
    expect(zoneOffset(next, NY)).toBe(-4 * HOUR)
  })

  it('a monthly period across the change keeps the wall-clock time', () => {
    const start = at(2025, 2, 15, 9, 0, NY)
    const end = addPeriod(start, 'monthly', NY)
    expect(wall(end, NY)).toBe('2025-03-15 09:00:00')
    expect(end - start).toBe(28 * DAY - HOUR)
    const autumn = addPeriod(at(2025, 10, 15, 9, 0, NY), 'monthly', NY)
    expect(wall(autumn, NY)).toBe('2025-11-15 09:00:00')
  })

  it('a wall time in the gap moves forward; one in the overlap takes the earlier instant', () => {
    const gap = at(2025, 3, 9, 2, 30, NY)
    expect(wall(gap, NY)).toBe('2025-03-09 03:30:00')
    const overlap = fromWallTime({ year: 2025, month: 11, day: 2, hour: 1, minute: 30, second: 0, millisecond: 0 }, NY)
    expect(new Date(overlap).toISOString()).toBe('2025-11-02T05:30:00.000Z') // EDT, the first 01:30
  })

  it('month bounds start at local midnight on each side of a change', () => {
    const m = monthBounds(at(2025, 3, 20, 12, 0, NY), NY)
    expect(wall(m.start, NY)).toBe('2025-03-01 00:00:00')
    expect(wall(m.end, NY)).toBe('2025-04-01 00:00:00')
    expect(m.end - m.start).toBe(31 * DAY - HOUR)
  })

  it('days remaining counts calendar days, not 24-hour blocks', () => {
    expect(daysRemaining(at(2025, 3, 8, 12, 0, NY), at(2025, 3, 9, 12, 0, NY), NY)).toBe(1)
    expect(daysRemaining(at(2025, 11, 1, 12, 0, NY), at(2025, 11, 2, 12, 0, NY), NY)).toBe(1)
  })
})

describe('month boundaries in Shanghai (FREE plan resets)', () => {
  it('startOfMonth and startOfNextMonth, including the year wrap', () => {
    expect(wall(startOfMonth(at(2025, 3, 15)))).toBe('2025-03-01 00:00:00')
    expect(wall(startOfNextMonth(at(2024, 12, 31, 23, 59)))).toBe('2025-01-01 00:00:00')
    // 2025-01-31T17:00Z is already Feb 1 01:00 in Shanghai.
    expect(wall(startOfMonth(Date.UTC(2025, 0, 31, 17)))).toBe('2025-02-01 00:00:00')
  })
})

describe('daysRemaining', () => {
  const now = at(2025, 1, 10, 10)
  it.each([
    ['same time tomorrow', at(2025, 1, 11, 10), 1],
    ['an hour later tomorrow rounds up', at(2025, 1, 11, 11), 2],
    ['an hour earlier tomorrow', at(2025, 1, 11, 9), 1],
    ['later today', at(2025, 1, 10, 11), 1],
    ['one millisecond left', now + 1, 1],
    ['thirty days', at(2025, 2, 9, 10), 30],
    ['ended', now, 0],
    ['long ended', at(2024, 1, 1), 0]
  ])('%s', (_n, end, expected) => {
    expect(daysRemaining(now, end)).toBe(expected)
  })
  it('is null without an end', () => {
    expect(daysRemaining(now, null)).toBeNull()
  })
})

describe('cycleContaining', () => {
  it('finds the monthly cycle of an instant, anchored without drift', () => {
    const anchor = at(2025, 1, 31)
    const c = cycleContaining(anchor, 1, at(2025, 5, 1))
    expect([wall(c.start), wall(c.end)]).toEqual(['2025-04-30 10:00:00', '2025-05-31 10:00:00'])
    const first = cycleContaining(anchor, 1, anchor)
    expect([wall(first.start), wall(first.end)]).toEqual(['2025-01-31 10:00:00', '2025-02-28 10:00:00'])
    const boundary = cycleContaining(anchor, 1, at(2025, 2, 28))
    expect(wall(boundary.start)).toBe('2025-02-28 10:00:00')
  })

  it('every instant over two years falls in exactly one cycle that contains it', () => {
    const anchor = at(2024, 1, 31, 23, 30)
    for (let t = anchor; t < anchor + 730 * DAY; t += 1.37 * DAY) {
      const ms = Math.floor(t)
      const c = cycleContaining(anchor, 1, ms)
      expect(c.start <= ms && ms < c.end).toBe(true)
    }
  })

  it('wallTime reads the zone', () => {
    expect(wallTime(Date.UTC(2025, 0, 1, 0), 'Asia/Shanghai')).toMatchObject({ year: 2025, month: 1, day: 1, hour: 8 })
  })
})
