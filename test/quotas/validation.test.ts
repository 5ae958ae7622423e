import { describe, expect, it } from 'vitest'
import { InvalidInput } from '../../src/shared/errors'
import type { Quotas } from '../../src/main/quotas'
import { countRows, dbState, fixture, memState, T0 } from './support'

// Every bad input gets InvalidInput and leaves memory and database exactly as they were.

function unchanged(run: (q: Quotas) => unknown) {
  const f = fixture({ max_ai_requests: 5, max_streams: 2 })
  f.q.consume('ai_request', 1, 'seed')
  f.q.acquire({ key: 'room-seed', feature: 'live_room', holder: 'room-1' })
  const mem = memState(f.q)
  const db = dbState(f.db, T0)
  const events = countRows(f.db, 'usage_events')
  const leases = countRows(f.db, 'gauge_leases')
  expect(() => run(f.q)).toThrow(InvalidInput)
  expect(memState(f.q)).toEqual(mem)
  expect(dbState(f.db, T0)).toEqual(db)
  expect(countRows(f.db, 'usage_events')).toBe(events)
  expect(countRows(f.db, 'gauge_leases')).toBe(leases)
  expect(f.q.verify().ok).toBe(true)
}

const any = <T>(v: unknown) => v as T

describe('invalid input changes nothing', () => {
  it.each([
    ['unknown feature', (q: Quotas) => q.consume(any('ai_requests'), 1, 'k')],
    ['prototype key as feature', (q: Quotas) => q.consume(any('toString'), 1, 'k')],
    ['gauge via consume', (q: Quotas) => q.consume(any('live_room'), 1, 'k')],
    ['qty 0', (q: Quotas) => q.consume('ai_request', 0, 'k')],
    ['qty negative', (q: Quotas) => q.consume('ai_request', -1, 'k')],
    ['qty fractional', (q: Quotas) => q.consume('ai_request', 1.5, 'k')],
    ['qty NaN', (q: Quotas) => q.consume('ai_request', Number.NaN, 'k')],
    ['qty Infinity', (q: Quotas) => q.consume('ai_request', Number.POSITIVE_INFINITY, 'k')],
    ['qty as string', (q: Quotas) => q.consume('ai_request', any('1'), 'k')],
    ['qty above the sane max', (q: Quotas) => q.consume('ai_request', 10_001, 'k')],
    ['empty key', (q: Quotas) => q.consume('ai_request', 1, '')],
    ['key not a string', (q: Quotas) => q.consume('ai_request', 1, any(42))],
    ['key too long', (q: Quotas) => q.consume('ai_request', 1, 'k'.repeat(201))],
    ['check unknown feature', (q: Quotas) => q.check(any('gpu'))],
    ['check qty 0', (q: Quotas) => q.check('ai_request', 0)],
    ['check qty fractional', (q: Quotas) => q.check('live_room', 0.5)],
    ['acquire a counter', (q: Quotas) => q.acquire({ key: 'a', feature: any('export'), holder: 'h' })],
    ['acquire empty key', (q: Quotas) => q.acquire({ key: '', feature: 'live_room', holder: 'h' })],
    ['acquire empty holder', (q: Quotas) => q.acquire({ key: 'a', feature: 'live_room', holder: '' })],
    ['acquire qty 0', (q: Quotas) => q.acquire({ key: 'a', feature: 'live_room', holder: 'h', qty: 0 })],
    ['acquire qty too big', (q: Quotas) => q.acquire({ key: 'a', feature: 'live_room', holder: 'h', qty: 101 })],
    ['acquire ttl 0', (q: Quotas) => q.acquire({ key: 'a', feature: 'live_room', holder: 'h', ttlMs: 0 })],
    ['acquire ttl float', (q: Quotas) => q.acquire({ key: 'a', feature: 'live_room', holder: 'h', ttlMs: 1.5 })],
    ['acquire without request', (q: Quotas) => q.acquire(any(null))],
    ['heartbeat empty id', (q: Quotas) => q.heartbeat('')],
    ['release non-string id', (q: Quotas) => q.release(any(7))],
    ['history unknown feature', (q: Quotas) => q.history({ feature: any('live_room') })],
    ['history limit 0', (q: Quotas) => q.history({ limit: 0 })],
    ['history limit too big', (q: Quotas) => q.history({ limit: 501 })],
    ['history bad cursor', (q: Quotas) => q.history({ cursor: 'abc' })],
    ['history fractional from', (q: Quotas) => q.history({ from: 1.5 })]
  ])('%s', (_name, run) => unchanged(run))

  it('an entitlement port returning a bad limit is refused at open', () => {
    const f = fixture()
    f.port.limits.max_ai_requests = -1
    expect(() => f.reopen()).toThrow(InvalidInput)
    f.port.limits.max_ai_requests = 2.5
    expect(() => f.reopen()).toThrow(InvalidInput)
  })
})
