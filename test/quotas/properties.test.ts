import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { IdempotencyConflict, QuotaExceeded } from '../../src/shared/errors'
import { LeaseClosed, LeaseExpired, type CounterFeature, type GaugeFeature, type Lease } from '../../src/main/quotas'
import { dbState, fixture, memState, PERIOD, T0 } from './support'

// Random operation sequences against a model. After every step: usage within limits, memory
// equal to the database; at the end: every key applied at most once, counters equal their events.

type Op =
  | { t: 'consume'; feature: CounterFeature; qty: number; key: number }
  | { t: 'check'; feature: CounterFeature | GaugeFeature; qty: number }
  | { t: 'advance'; ms: number }
  | { t: 'acquire'; feature: GaugeFeature; qty: number; key: number; holder: number }
  | { t: 'heartbeat'; pick: number }
  | { t: 'release'; pick: number }
  | { t: 'reopen' }

const counterArb = fc.constantFrom<CounterFeature>('ai_request', 'export')
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('consume' as const), feature: counterArb, qty: fc.integer({ min: 1, max: 4 }), key: fc.integer({ min: 0, max: 12 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('check' as const), feature: fc.constantFrom<CounterFeature | GaugeFeature>('ai_request', 'export', 'live_room', 'storage'), qty: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 0, max: 120_000 }), fc.constant(PERIOD / 3)) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('acquire' as const), feature: fc.constantFrom<GaugeFeature>('live_room', 'storage'), qty: fc.integer({ min: 1, max: 2 }), key: fc.integer({ min: 0, max: 8 }), holder: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('heartbeat' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ t: 'reopen' as const }) }
)
const nullable = (max: number) => fc.option(fc.integer({ min: 0, max }), { nil: null, freq: 4 })
const limitsArb = fc.record({
  max_ai_requests: nullable(8),
  max_export_count: nullable(5),
  max_streams: nullable(3),
  max_storage_gb: nullable(1)
})

const periodOf = (now: number) => T0 + Math.floor((now - T0) / PERIOD) * PERIOD
const storageQty = (qty: number) => qty * 400 // MB: 400, 800 against 1024 per GB

describe('quota properties', () => {
  it('usage never exceeds its limit, a key never applies twice, memory always equals the database', () => {
    fc.assert(
      fc.property(limitsArb, fc.array(opArb, { maxLength: 40 }), (limits, ops) => {
        const f = fixture(limits)
        const limitOf = (feature: string) =>
          feature === 'ai_request' ? limits.max_ai_requests
          : feature === 'export' ? limits.max_export_count
          : feature === 'live_room' ? limits.max_streams
          : limits.max_storage_gb === null ? null : limits.max_storage_gb * 1024
        // Model.
        const used = new Map<string, number>() // `${feature}@${period}`
        const applied = new Map<string, { feature: string; qty: number }>()
        const acquired = new Map<string, string>() // acquire key → canonical request
        const leases = new Map<string, Lease>() // live, by id
        const allLeaseIds: string[] = []
        const released = new Set<string>()
        const expire = () => {
          for (const [id, l] of leases) if (l.expiresAt !== null && f.clock.now() >= l.expiresAt) leases.delete(id)
        }
        const gaugeUse = (feature: string) => [...leases.values()].filter((l) => l.feature === feature).reduce((s, l) => s + l.qty, 0)

        for (const op of ops) {
          const now = f.clock.now()
          const period = periodOf(now)
          switch (op.t) {
            case 'consume': {
              const key = `k${op.key}`
              const prior = applied.get(key)
              const u = used.get(`${op.feature}@${period}`) ?? 0
              const limit = limitOf(op.feature)
              if (prior !== undefined) {
                if (prior.feature === op.feature && prior.qty === op.qty) expect(f.q.consume(op.feature, op.qty, key).key).toBe(key)
                else expect(() => f.q.consume(op.feature, op.qty, key)).toThrow(IdempotencyConflict)
              } else if (limit !== null && u + op.qty > limit) {
                expect(() => f.q.consume(op.feature, op.qty, key)).toThrow(QuotaExceeded)
              } else {
                const r = f.q.consume(op.feature, op.qty, key)
                expect(r).toMatchObject({ usedAfter: u + op.qty, periodStart: period })
                applied.set(key, { feature: op.feature, qty: op.qty })
                used.set(`${op.feature}@${period}`, u + op.qty)
              }
              break
            }
            case 'check': {
              expire()
              const qty = op.feature === 'storage' ? storageQty(op.qty) : op.qty
              const limit = limitOf(op.feature)
              const u = op.feature === 'ai_request' || op.feature === 'export' ? (used.get(`${op.feature}@${period}`) ?? 0) : gaugeUse(op.feature)
              expect(f.q.check(op.feature, qty).allowed).toBe(limit === null || u + qty <= limit)
              break
            }
            case 'advance':
              f.clock.advance(op.ms)
              break
            case 'acquire': {
              expire()
              const key = `g${op.key}`
              const req = JSON.stringify([op.feature, op.holder, op.qty])
              const qty = op.feature === 'storage' ? storageQty(op.qty) : op.qty
              const args = { key, feature: op.feature, holder: `h${op.holder}`, qty }
              const limit = limitOf(op.feature)
              if (acquired.has(key)) {
                if (acquired.get(key) === req) expect(f.q.acquire(args).key).toBe(key)
                else expect(() => f.q.acquire(args)).toThrow(IdempotencyConflict)
              } else if (limit !== null && gaugeUse(op.feature) + qty > limit) {
                expect(() => f.q.acquire(args)).toThrow(QuotaExceeded)
              } else {
                const lease = f.q.acquire(args)
                acquired.set(key, req)
                leases.set(lease.id, lease)
                allLeaseIds.push(lease.id)
              }
              break
            }
            case 'heartbeat':
            case 'release': {
              if (allLeaseIds.length === 0) break
              expire()
              const id = allLeaseIds[op.pick % allLeaseIds.length]!
              const live = leases.get(id)
              if (op.t === 'release') {
                f.q.release(id)
                if (live !== undefined) released.add(id)
                leases.delete(id)
              } else if (live === undefined) {
                expect(() => f.q.heartbeat(id)).toThrow(released.has(id) ? LeaseClosed : LeaseExpired)
              } else {
                const l = f.q.heartbeat(id)
                leases.set(id, l)
              }
              break
            }
            case 'reopen':
              f.reopen()
              break
          }
          // After every step.
          expire()
          const mem = memState(f.q)
          expect(mem).toEqual(dbState(f.db, periodOf(f.clock.now())))
          for (const feature of ['ai_request', 'export'] as const) {
            const limit = limitOf(feature)
            expect(mem.counters[feature]).toBe(used.get(`${feature}@${periodOf(f.clock.now())}`) ?? 0)
            if (limit !== null) expect(mem.counters[feature]).toBeLessThanOrEqual(limit)
          }
          for (const feature of ['live_room', 'storage'] as const) {
            const limit = limitOf(feature)
            if (limit !== null) expect(mem.gauges[feature]).toBeLessThanOrEqual(limit)
          }
        }
        // At the end.
        expect(f.q.verify()).toMatchObject({ ok: true, problems: [] })
        const dupes = f.db.sqlite.prepare('SELECT key FROM usage_events GROUP BY key HAVING count(*) > 1').all()
        expect(dupes).toEqual([])
        expect(f.db.sqlite.prepare('SELECT count(*) FROM usage_events').pluck().get()).toBe(applied.size)
        const rows = f.db.sqlite.prepare('SELECT feature, period_start, used FROM usage_counters').all() as {
          feature: string
          period_start: number
          used: number
        }[]
        expect(new Map(rows.map((r) => [`${r.feature}@${r.period_start}`, r.used]))).toEqual(used)
        f.db.close()
      }),
      { numRuns: Number(process.env.QUOTA_PROP_RUNS ?? 60) }
    )
  })

  it('heartbeat of a closed lease is LeaseClosed or LeaseExpired, never a silent revival', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200_000 }), (ms) => {
        const f = fixture({ max_streams: 1 })
        const a = f.q.acquire({ key: 'a', feature: 'live_room', holder: 'r' })
        f.clock.advance(ms)
        if (ms >= 90_000) expect(() => f.q.heartbeat(a.id)).toThrow(LeaseExpired)
        else {
          f.q.release(a.id)
          expect(() => f.q.heartbeat(a.id)).toThrow(LeaseClosed)
        }
        expect(f.q.snapshot().gauges.live_room).toBe(0)
        f.db.close()
      }),
      { numRuns: 20 }
    )
  })
})
