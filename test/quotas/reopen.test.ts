import { describe, expect, it } from 'vitest'
import { prepareStatements } from '../../src/main/quotas/statements'
import { dbState, fixture, memState, PERIOD, T0 } from './support'

describe('open and reopen', () => {
  it('memory after reopen equals memory before and the database', () => {
    const f = fixture({ max_ai_requests: 50, max_export_count: 5, max_streams: 3, max_storage_gb: 1 })
    for (let i = 0; i < 10; i++) f.q.consume('ai_request', 2, `a${i}`)
    f.q.consume('export', 1, 'e1')
    const room = f.q.acquire({ key: 'r1', feature: 'live_room', holder: 'room-1' })
    f.q.acquire({ key: 'r2', feature: 'live_room', holder: 'room-2' })
    f.q.acquire({ key: 's1', feature: 'storage', holder: 'rec-1', qty: 700 })
    f.q.release(room.id)
    const before = f.q.snapshot()
    const q = f.reopen()
    expect(q.snapshot()).toEqual(before)
    expect(memState(q)).toEqual(dbState(f.db, T0))
    expect(q.verify().ok).toBe(true)
    // Reopened in the next period: counters start at zero, gauges stay.
    f.clock.set(T0 + PERIOD)
    const next = f.reopen()
    expect(next.snapshot().counters).toEqual({ ai_request: 0, export: 0 })
    expect(next.snapshot().gauges.storage).toBe(700)
    expect(next.snapshot().periodStart).toBe(T0 + PERIOD)
  })

  it('continues time-ordered seqs after reopen (no clash with the last event)', () => {
    const f = fixture({ max_ai_requests: null })
    f.q.consume('ai_request', 1, 'a')
    f.clock.advance(-10_000) // clock stepped back across a restart
    const q = f.reopen()
    q.consume('ai_request', 1, 'b')
    expect(q.history().items.map((r) => r.key)).toEqual(['b', 'a'])
  })

  it('open reads only the current period and live leases: every open-time query uses an index', () => {
    const { db } = fixture()
    const st = prepareStatements(db.sqlite)
    const plan = (sql: string) =>
      (db.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array(countParams(sql)).fill(1)) as { detail: string }[])
        .map((r) => r.detail)
        .join(' | ')
    for (const stmt of [st.counterRow, st.liveLeases, st.tail, st.expireDue, st.eventByKey, st.historyAll]) {
      const p = plan(stmt.source)
      // A SCAN reads the whole table, except a scan of the partial index (live leases only).
      expect(p, stmt.source).not.toMatch(/SCAN (usage_events|usage_counters)/)
      expect(p.replace(/SCAN gauge_leases USING INDEX gauge_leases_live_idx/g, ''), stmt.source).not.toMatch(/SCAN/)
    }
    expect(plan(st.liveLeases.source)).toMatch(/gauge_leases_live_idx/)
  })
})

function countParams(sql: string): number {
  return (sql.match(/\?/g) ?? []).length
}
