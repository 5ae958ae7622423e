import { join } from 'node:path'
import { afterEach } from 'vitest'
import { ManualClock } from '../../src/node/clock'
import { sequentialIds } from '../../src/node/ids'
import { openDatabase, type BillingDb } from '../../src/main/db/open'
import { Quotas, type Entitlement, type PlanLimits, type QuotasDeps, type UsageRecord } from '../../src/main/quotas'
import { tempDir } from '../support/db'

export const T0 = Date.UTC(2025, 0, 1)
/** Test billing period: 30 days, aligned on T0. */
export const PERIOD = 30 * 24 * 60 * 60 * 1000

export const LIMITS: PlanLimits = { max_streams: 2, max_storage_gb: 1, max_ai_requests: 5, max_export_count: 0 }

/** A small entitlement port: fixed 30-day windows from T0; limits and plan editable by the test. */
export function testPort(limits: Partial<PlanLimits> = {}) {
  const port = {
    planCode: 'BASIC',
    limits: { ...LIMITS, ...limits } as PlanLimits,
    calls: 0,
    current(now: number): Entitlement {
      port.calls++
      const periodStart = T0 + Math.floor((now - T0) / PERIOD) * PERIOD
      return { planCode: port.planCode, limits: { ...port.limits }, periodStart, periodEnd: periodStart + PERIOD }
    }
  }
  return port
}

export interface Fixture {
  path: string
  db: BillingDb
  clock: ManualClock
  port: ReturnType<typeof testPort>
  q: Quotas
  records: UsageRecord[]
  reopen(extra?: Partial<QuotasDeps>): Quotas
}

const open: Fixture[] = []
afterEach(() => {
  for (const f of open.splice(0)) f.db.close() // closing twice is harmless in better-sqlite3
})

/** A Quotas over a real migrated SQLite file; reopen() closes and opens the same file again. */
export function fixture(limits: Partial<PlanLimits> = {}, extra: Partial<QuotasDeps> = {}): Fixture {
  const path = join(tempDir('quotas-'), 'billing.sqlite')
  const clock = new ManualClock(T0 + 1000)
  const port = testPort(limits)
  const ids = sequentialIds('q')
  const records: UsageRecord[] = []
  const f: Fixture = {
    path,
    clock,
    port,
    records,
    db: openDatabase({ path, durability: 'normal' }),
    q: undefined as unknown as Quotas,
    reopen(more = {}) {
      f.db.close()
      f.db = openDatabase({ path, durability: 'normal' })
      f.q = new Quotas({ db: f.db, clock, ids, entitlements: port, ...extra, ...more })
      return f.q
    }
  }
  f.q = new Quotas({ db: f.db, clock, ids, entitlements: port, onRecord: (r) => records.push(r), ...extra })
  open.push(f)
  return f
}

/** What the database says, independent of Quotas' memory. */
export function dbState(db: BillingDb, periodStart: number) {
  const counter = (feature: string) =>
    (db.sqlite
      .prepare('SELECT used FROM usage_counters WHERE feature = ? AND period_start = ?')
      .pluck()
      .get(feature, periodStart) as number | undefined) ?? 0
  const gauge = (feature: string) =>
    db.sqlite
      .prepare('SELECT COALESCE(SUM(qty), 0) FROM gauge_leases WHERE feature = ? AND ended_at IS NULL')
      .pluck()
      .get(feature) as number
  return {
    counters: { ai_request: counter('ai_request'), export: counter('export') },
    gauges: { live_room: gauge('live_room'), storage: gauge('storage') },
    leaseIds: (
      db.sqlite.prepare('SELECT id FROM gauge_leases WHERE ended_at IS NULL ORDER BY id').pluck().all() as string[]
    ).sort()
  }
}

export function memState(q: Quotas) {
  const s = q.snapshot()
  return { counters: s.counters, gauges: s.gauges, leaseIds: s.leases.map((l) => l.id).sort() }
}

export function countRows(db: BillingDb, table: string): number {
  return db.sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number
}
