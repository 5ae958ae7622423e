import { describe, expect, it } from 'vitest'
import { IdempotencyConflict, NotFound, QuotaExceeded } from '../../src/shared/errors'
import { DEFAULT_LEASE_TTL_MS, LeaseClosed, LeaseExpired } from '../../src/main/quotas'
import { dbState, fixture, memState, T0 } from './support'

describe('gauges: live rooms', () => {
  it('acquire up to the limit, refuse beyond, release frees a room', () => {
    const { q, db } = fixture({ max_streams: 2 })
    const a = q.acquire({ key: 'a', feature: 'live_room', holder: 'room-a' })
    expect(a).toMatchObject({ feature: 'live_room', holder: 'room-a', qty: 1, status: 'held', ttlMs: DEFAULT_LEASE_TTL_MS })
    expect(a.expiresAt).toBe(a.acquiredAt + DEFAULT_LEASE_TTL_MS)
    q.acquire({ key: 'b', feature: 'live_room', holder: 'room-b' })
    expect(q.check('live_room')).toEqual({ allowed: false, remaining: 0, limit: 2, resetsAt: null, reason: 'quota_exhausted' })
    expect(() => q.acquire({ key: 'c', feature: 'live_room', holder: 'room-c' })).toThrow(QuotaExceeded)
    expect(q.usage().liveRoomsInUse).toBe(2)

    const released = q.release(a.id)
    expect(released).toMatchObject({ id: a.id, status: 'released' })
    expect(q.release(a.id)).toMatchObject({ id: a.id, status: 'released' }) // idempotent
    expect(q.check('live_room')).toMatchObject({ allowed: true, remaining: 1 })
    q.acquire({ key: 'c', feature: 'live_room', holder: 'room-c' })
    expect(memState(q)).toEqual(dbState(db, T0))
  })

  it('limit 0 means live rooms are not in the plan', () => {
    const { q } = fixture({ max_streams: 0 })
    expect(q.check('live_room').reason).toBe('not_in_plan')
    expect(() => q.acquire({ key: 'a', feature: 'live_room', holder: 'r' })).toThrow(QuotaExceeded)
  })

  it('a retried acquire returns the same lease; another request under the key conflicts', () => {
    const { q } = fixture({ max_streams: 1 })
    const a = q.acquire({ key: 'a', feature: 'live_room', holder: 'room-a' })
    expect(q.acquire({ key: 'a', feature: 'live_room', holder: 'room-a' })).toEqual(a) // even at the limit
    expect(() => q.acquire({ key: 'a', feature: 'live_room', holder: 'room-b' })).toThrow(IdempotencyConflict)
    expect(q.snapshot().gauges.live_room).toBe(1)
  })

  it('heartbeat extends the lease; without heartbeats it expires and frees the room', () => {
    const { q, clock, db } = fixture({ max_streams: 1 })
    const a = q.acquire({ key: 'a', feature: 'live_room', holder: 'room-a' })
    clock.advance(60_000)
    const hb = q.heartbeat(a.id)
    expect(hb.expiresAt).toBe(clock.now() + DEFAULT_LEASE_TTL_MS)
    clock.advance(60_000) // 120 s after acquire: alive only thanks to the heartbeat
    expect(q.check('live_room').allowed).toBe(false)
    clock.advance(30_000) // 90 s after the heartbeat
    expect(q.check('live_room')).toMatchObject({ allowed: true, remaining: 1 })
    const row = db.sqlite.prepare('SELECT status, ended_at FROM gauge_leases WHERE id = ?').get(a.id)
    expect(row).toEqual({ status: 'expired', ended_at: clock.now() })
    expect(() => q.heartbeat(a.id)).toThrow(LeaseExpired)
    expect(q.release(a.id).status).toBe('expired')
    expect(memState(q)).toEqual(dbState(db, T0))
  })

  it('heartbeat of a released lease is LeaseClosed; unknown ids are NotFound', () => {
    const { q } = fixture({ max_streams: 1 })
    const a = q.acquire({ key: 'a', feature: 'live_room', holder: 'room-a' })
    q.release(a.id)
    expect(() => q.heartbeat(a.id)).toThrow(LeaseClosed)
    expect(() => q.heartbeat('nope')).toThrow(NotFound)
    expect(() => q.release('nope')).toThrow(NotFound)
  })

  it('a crashed app frees its live room: closed without release, reopened later', () => {
    const f = fixture({ max_streams: 1 })
    const a = f.q.acquire({ key: 'a', feature: 'live_room', holder: 'room-a' })
    f.db.close() // the crash: no release, no sweep
    f.clock.advance(DEFAULT_LEASE_TTL_MS - 1)
    let q = f.reopen()
    expect(q.check('live_room').allowed).toBe(false) // may still be alive elsewhere: wait for the TTL
    f.db.close()
    f.clock.advance(1)
    q = f.reopen()
    expect(f.db.sqlite.prepare('SELECT status FROM gauge_leases WHERE id = ?').pluck().get(a.id)).toBe('expired')
    expect(q.check('live_room')).toMatchObject({ allowed: true, remaining: 1 })
    expect(q.leases()).toEqual([])
    q.acquire({ key: 'b', feature: 'live_room', holder: 'room-a' })
  })

  it('expirePreviousRunOnOpen frees TTL leases at once but keeps storage', () => {
    const f = fixture({ max_streams: 1, max_storage_gb: 1 })
    f.q.acquire({ key: 'a', feature: 'live_room', holder: 'room-a' })
    f.q.acquire({ key: 's', feature: 'storage', holder: 'rec-1', qty: 300 })
    const q = f.reopen({ expirePreviousRunOnOpen: true })
    expect(q.snapshot().gauges).toEqual({ live_room: 0, storage: 300 })
    expect(memState(q)).toEqual(dbState(f.db, T0))
  })
})

describe('gauges: storage', () => {
  it('counts MB against a GB limit, has no TTL by default and survives restarts', () => {
    const f = fixture({ max_storage_gb: 1 })
    const s1 = f.q.acquire({ key: 's1', feature: 'storage', holder: 'rec-1', qty: 1000 })
    expect(s1.expiresAt).toBeNull()
    expect(f.q.check('storage', 24)).toMatchObject({ allowed: true, remaining: 24, limit: 1024 })
    expect(() => f.q.acquire({ key: 's2', feature: 'storage', holder: 'rec-2', qty: 25 })).toThrow(QuotaExceeded)
    f.clock.advance(365 * 24 * 3600 * 1000)
    const q = f.reopen()
    expect(q.snapshot().gauges.storage).toBe(1000)
    expect(q.heartbeat(s1.id).expiresAt).toBeNull()
    q.release(s1.id)
    expect(q.check('storage', 1024).allowed).toBe(true)
  })
})
