import { describe, expect, it } from 'vitest'
import { SCAN_BUDGET } from '../../src/node/sqlite/scan-window'
import { fixture, PERIOD, T0 } from './support'

describe('usage history and summary', () => {
  it('pages newest first, by feature and by time, with a stable cursor', () => {
    const { q, clock } = fixture({ max_ai_requests: null, max_export_count: null })
    const start = clock.now()
    for (let i = 0; i < 25; i++) {
      q.consume(i % 5 === 0 ? 'export' : 'ai_request', 1, `k${i}`)
      if (i % 2 === 0) clock.advance(1000) // several events share a millisecond
    }
    const all: string[] = []
    let cursor: string | null = null
    do {
      const page = q.history({ limit: 7, cursor })
      expect(page.items.length).toBeLessThanOrEqual(7)
      all.push(...page.items.map((r) => r.key))
      cursor = page.nextCursor
    } while (cursor !== null)
    expect(all).toEqual(Array.from({ length: 25 }, (_, i) => `k${24 - i}`))

    const exports = q.history({ feature: 'export', limit: 2 })
    expect(exports.items.map((r) => r.key)).toEqual(['k20', 'k15'])
    const rest = q.history({ feature: 'export', limit: 10, cursor: exports.nextCursor })
    expect(rest.items.map((r) => r.key)).toEqual(['k10', 'k5', 'k0'])
    expect(rest.nextCursor).toBeNull()

    // [from, to): events at start+2000 .. start+3999 are k3..k6
    const window = q.history({ from: start + 2000, to: start + 4000 })
    expect(window.items.map((r) => r.key)).toEqual(['k6', 'k5', 'k4', 'k3'])
    expect(window.items.every((r) => r.at >= start + 2000 && r.at < start + 4000)).toBe(true)
  })

  it('keeps recording order when the clock steps back', () => {
    const { q, clock } = fixture({ max_ai_requests: null })
    q.consume('ai_request', 1, 'first')
    clock.advance(-500)
    q.consume('ai_request', 1, 'second')
    expect(q.history().items.map((r) => r.key)).toEqual(['second', 'first'])
  })

  it('history spans periods; the summary shows the current period', () => {
    const { q, clock } = fixture({ max_ai_requests: 10, max_streams: 3, max_storage_gb: 2, max_export_count: 0 })
    q.consume('ai_request', 4, 'old')
    clock.set(T0 + PERIOD + 10)
    q.consume('ai_request', 1, 'new')
    q.acquire({ key: 'r', feature: 'live_room', holder: 'room' })
    q.acquire({ key: 's', feature: 'storage', holder: 'rec', qty: 512 })
    expect(q.history().items.map((r) => [r.key, r.periodStart])).toEqual([
      ['new', T0 + PERIOD],
      ['old', T0]
    ])
    expect(q.usage()).toEqual({
      planCode: 'BASIC',
      periodStart: T0 + PERIOD,
      periodEnd: T0 + 2 * PERIOD,
      liveRoomsInUse: 1,
      features: [
        { feature: 'ai_request', kind: 'counter', unit: 'requests', limit: 10, used: 1, remaining: 9, resetsAt: T0 + 2 * PERIOD },
        { feature: 'export', kind: 'counter', unit: 'exports', limit: 0, used: 0, remaining: 0, resetsAt: T0 + 2 * PERIOD },
        { feature: 'live_room', kind: 'gauge', unit: 'rooms', limit: 3, used: 1, remaining: 2, resetsAt: null },
        { feature: 'storage', kind: 'gauge', unit: 'MB', limit: 2048, used: 512, remaining: 1536, resetsAt: null }
      ]
    })
  })

  it('record(key) finds one applied event', () => {
    const { q } = fixture({ max_ai_requests: 3 })
    const r = q.consume('ai_request', 1, 'x')
    expect(q.record('x')).toEqual(r)
    expect(q.record('y')).toBeUndefined()
  })
})

describe('usage history walks a bounded window per call', () => {
  it('a rare feature among more than SCAN_BUDGET events comes back in short pages that together hold every match once', () => {
    const { q, db, clock } = fixture({ max_ai_requests: null, max_export_count: null })
    const n = SCAN_BUDGET + 700
    db.sqlite.transaction(() => {
      for (let i = 0; i < n; i++) {
        clock.advance(1)
        q.consume(i === 1 || i === n - 1 ? 'export' : 'ai_request', 1, `k${i}`)
      }
    })()
    const seqs = db.sqlite.prepare('SELECT seq FROM usage_events ORDER BY seq DESC').pluck().all() as number[]
    const keys: string[] = []
    const cursors: (string | null)[] = []
    let cursor: string | null = null
    do {
      const page = q.history({ feature: 'export', limit: 10, cursor })
      keys.push(...page.items.map((r) => r.key))
      cursor = page.nextCursor
      cursors.push(cursor)
    } while (cursor !== null)
    expect(keys).toEqual([`k${n - 1}`, 'k1'])
    // The first call walked exactly SCAN_BUDGET events and stopped below them; the second the rest.
    expect(cursors).toEqual([String(seqs[SCAN_BUDGET - 1]), null])
    // Without a feature every event matches: a full page.
    expect(q.history({ limit: 500 }).items).toHaveLength(500)
  })
})
