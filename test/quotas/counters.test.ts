import { describe, expect, it } from 'vitest'
import { IdempotencyConflict, QuotaExceeded } from '../../src/shared/errors'
import { countRows, dbState, fixture, memState, PERIOD, T0 } from './support'

describe('counters: check and consume', () => {
  it('allows up to the limit, then refuses with quota_exhausted and records nothing', () => {
    const { q, db } = fixture({ max_ai_requests: 3 })
    expect(q.check('ai_request')).toEqual({
      allowed: true,
      remaining: 3,
      limit: 3,
      resetsAt: T0 + PERIOD,
      reason: null
    })
    const r1 = q.consume('ai_request', 2, 'k1')
    expect(r1).toMatchObject({ feature: 'ai_request', qty: 2, usedAfter: 2, limit: 3, remaining: 1, periodStart: T0 })
    expect(q.check('ai_request', 2)).toEqual({
      allowed: false,
      remaining: 1,
      limit: 3,
      resetsAt: T0 + PERIOD,
      reason: 'quota_exhausted'
    })
    expect(q.check('ai_request', 1).allowed).toBe(true)
    q.consume('ai_request', 1, 'k2') // exactly at the limit
    expect(q.check('ai_request')).toMatchObject({ allowed: false, remaining: 0, reason: 'quota_exhausted' })

    const before = countRows(db, 'usage_events')
    const err = (() => {
      try {
        q.consume('ai_request', 1, 'k3')
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(QuotaExceeded)
    expect((err as QuotaExceeded).details).toMatchObject({ feature: 'ai_request', limit: 3, used: 3, requested: 1 })
    expect(countRows(db, 'usage_events')).toBe(before)
    expect(dbState(db, T0).counters.ai_request).toBe(3)
    expect(q.verify()).toMatchObject({ ok: true, problems: [] })
  })

  it('unlimited (null) always allows and reports remaining and limit as null', () => {
    const { q } = fixture({ max_ai_requests: null })
    for (let i = 0; i < 20; i++) q.consume('ai_request', 100, `k${i}`)
    expect(q.check('ai_request', 10_000)).toEqual({
      allowed: true,
      remaining: null,
      limit: null,
      resetsAt: T0 + PERIOD,
      reason: null
    })
    expect(q.snapshot().counters.ai_request).toBe(2000)
  })

  it('limit 0 means not in the plan', () => {
    const { q, db } = fixture({ max_export_count: 0 })
    expect(q.check('export')).toEqual({
      allowed: false,
      remaining: 0,
      limit: 0,
      resetsAt: T0 + PERIOD,
      reason: 'not_in_plan'
    })
    expect(() => q.consume('export', 1, 'e1')).toThrow(QuotaExceeded)
    expect(countRows(db, 'usage_events')).toBe(0)
  })

  it('resets at the period end: a new counter row, old rows stay as history', () => {
    const { q, db, clock } = fixture({ max_ai_requests: 2 })
    q.consume('ai_request', 2, 'p1-a')
    expect(q.check('ai_request').allowed).toBe(false)
    clock.set(T0 + PERIOD - 1)
    expect(q.check('ai_request').allowed).toBe(false)
    clock.set(T0 + PERIOD) // periodEnd is exclusive
    expect(q.check('ai_request')).toEqual({
      allowed: true,
      remaining: 2,
      limit: 2,
      resetsAt: T0 + 2 * PERIOD,
      reason: null
    })
    const r = q.consume('ai_request', 1, 'p2-a')
    expect(r.periodStart).toBe(T0 + PERIOD)
    const rows = db.sqlite
      .prepare('SELECT feature, period_start, used FROM usage_counters ORDER BY period_start')
      .all()
    expect(rows).toEqual([
      { feature: 'ai_request', period_start: T0, used: 2 },
      { feature: 'ai_request', period_start: T0 + PERIOD, used: 1 }
    ])
    expect(countRows(db, 'usage_events')).toBe(2)
    expect(q.verify().ok).toBe(true)
  })

  it('asks the entitlement port only at open, at period end and after invalidate()', () => {
    const { q, port, clock } = fixture({ max_ai_requests: 10 })
    const calls = port.calls
    for (let i = 0; i < 50; i++) q.check('ai_request')
    q.consume('ai_request', 1, 'a')
    expect(port.calls).toBe(calls)
    // A plan change inside the period keeps the usage and applies the new limit.
    port.limits.max_ai_requests = 1
    expect(q.check('ai_request').limit).toBe(10) // cached until invalidated
    q.invalidate()
    expect(q.check('ai_request')).toMatchObject({ allowed: false, limit: 1, remaining: 0 })
    expect(port.calls).toBe(calls + 1)
    clock.set(T0 + PERIOD + 5)
    expect(q.check('ai_request')).toMatchObject({ allowed: true, limit: 1, remaining: 1 })
    expect(port.calls).toBe(calls + 2)
  })

  it('honours the port validUntil before the period end', () => {
    const { q, port, clock } = fixture({ max_ai_requests: 10 })
    const base = port.current.bind(port)
    port.current = (now) => (now < T0 + 5000 ? { ...base(now), validUntil: T0 + 5000 } : { ...base(now), planCode: 'FREE' })
    q.invalidate()
    expect(q.usage().planCode).toBe('BASIC')
    clock.set(T0 + 5000)
    q.check('ai_request')
    expect(q.usage().planCode).toBe('FREE')
  })
})

describe('counters: idempotency', () => {
  it('the same key and request returns the first record and applies once', () => {
    const { q, db, clock } = fixture({ max_ai_requests: 5 })
    const first = q.consume('ai_request', 2, 'same')
    clock.advance(10_000)
    const again = q.consume('ai_request', 2, 'same')
    expect(again).toEqual(first)
    expect(q.snapshot().counters.ai_request).toBe(2)
    expect(countRows(db, 'usage_events')).toBe(1)
  })

  it('a replay is answered even when the quota is now exhausted', () => {
    const { q } = fixture({ max_ai_requests: 2 })
    const first = q.consume('ai_request', 2, 'full')
    expect(q.consume('ai_request', 2, 'full')).toEqual(first)
  })

  it('a replay after a period rollover returns the first record and changes nothing', () => {
    const { q, clock } = fixture({ max_ai_requests: 2 })
    const first = q.consume('ai_request', 1, 'old')
    clock.set(T0 + PERIOD + 1)
    expect(q.consume('ai_request', 1, 'old')).toEqual(first)
    expect(q.snapshot().counters.ai_request).toBe(0)
  })

  it('the same key with another request is an IdempotencyConflict and changes nothing', () => {
    const { q, db } = fixture({ max_ai_requests: 5, max_export_count: 5 })
    q.consume('ai_request', 1, 'k')
    expect(() => q.consume('ai_request', 2, 'k')).toThrow(IdempotencyConflict)
    expect(() => q.consume('export', 1, 'k')).toThrow(IdempotencyConflict)
    expect(q.snapshot().counters).toEqual({ ai_request: 1, export: 0 })
    expect(countRows(db, 'usage_events')).toBe(1)
  })

  it('a conflicting key is reported as a conflict even when the quota is exhausted', () => {
    const { q } = fixture({ max_ai_requests: 1 })
    q.consume('ai_request', 1, 'k')
    expect(() => q.consume('ai_request', 2, 'k')).toThrow(IdempotencyConflict)
  })
})

describe('counters: sync hook and transactions', () => {
  it('onRecord runs inside the transaction: the record is visible and a throw rolls back', () => {
    const seen: number[] = []
    const f = fixture({ max_ai_requests: 5 }, {})
    const q = f.reopen({
      onRecord: (r) => {
        expect(f.db.sqlite.inTransaction).toBe(true)
        seen.push(f.db.sqlite.prepare('SELECT count(*) FROM usage_events WHERE key = ?').pluck().get(r.key) as number)
        if (r.key === 'boom') throw new Error('outbox full')
      }
    })
    q.consume('ai_request', 1, 'ok')
    expect(seen).toEqual([1])
    expect(() => q.consume('ai_request', 1, 'boom')).toThrow('outbox full')
    expect(countRows(f.db, 'usage_events')).toBe(1)
    expect(memState(q)).toEqual(dbState(f.db, T0))
    q.consume('ai_request', 1, 'boom2')
    expect(q.snapshot().counters.ai_request).toBe(2)
  })

  it('onRecord is not called for replays', () => {
    const f = fixture({ max_ai_requests: 5 })
    f.q.consume('ai_request', 1, 'x')
    f.q.consume('ai_request', 1, 'x')
    expect(f.records.map((r) => r.key)).toEqual(['x'])
  })

  it('inside a caller transaction that rolls back, memory follows the database', () => {
    const { q, db } = fixture({ max_ai_requests: 5 })
    q.consume('ai_request', 1, 'before')
    expect(() =>
      db.tx(() => {
        q.consume('ai_request', 2, 'inner')
        expect(q.check('ai_request').remaining).toBe(2) // visible inside the transaction
        throw new Error('caller failed')
      })
    ).toThrow('caller failed')
    expect(q.check('ai_request').remaining).toBe(4)
    expect(memState(q)).toEqual(dbState(db, T0))
    db.tx(() => q.consume('ai_request', 2, 'inner'))
    expect(q.check('ai_request').remaining).toBe(2)
    expect(q.verify().ok).toBe(true)
  })

  it('storage limits come in GB and are counted in MB (1 GB = 1024 MB)', () => {
    const { q } = fixture({ max_storage_gb: 2 })
    expect(q.check('storage', 2048)).toMatchObject({ allowed: true, limit: 2048, remaining: 2048, resetsAt: null })
    expect(q.check('storage', 2049)).toMatchObject({ allowed: false, reason: 'quota_exhausted' })
  })
})
