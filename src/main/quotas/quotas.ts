import { InvalidInput, NotFound, QuotaExceeded } from '../../shared/errors'
import type { Clock } from '../../node/clock'
import { fingerprint, replayOf } from '../../node/fingerprint'
import type { IdSource } from '../../node/ids'
import type { Sqlite } from '../db/open'
import { LeaseClosed, LeaseExpired } from './errors'
import {
  assertQty,
  assertText,
  FEATURE_SPECS,
  MAX_KEY_LENGTH,
  MAX_LEASE_TTL_MS,
  unknownFeature,
  type CounterFeature,
  type QuotaFeature
} from './features'
import { readHistory } from './history'
import { MemoryState, type FeatureState } from './state'
import { eventToRecord, leaseFromRow, prepareStatements, remainingOf, seqAt, type Statements } from './statements'
import type {
  AcquireRequest,
  Entitlement,
  EntitlementPort,
  HistoryPage,
  HistoryQuery,
  Lease,
  QuotaCheck,
  QuotaSnapshot,
  QuotasDeps,
  UsageRecord,
  UsageSummary
} from './types'
import { verifyQuotas, type QuotaVerifyReport, type UsageStart } from './verify'
import { GENESIS_HASH, usageHash } from './chain'
import { AfterCommit } from '../../node/sqlite/after-commit'

/**
 * The usage ledger and quotas. check() answers from memory; every mutation writes in one
 * transaction and updates memory only after it commits, so memory always equals the database.
 * Assumes it is the only writer of the quota tables in this file (one instance per database).
 */
export class Quotas {
  private readonly sqlite: Sqlite
  private readonly clock: Clock
  private readonly ids: IdSource
  private readonly port: EntitlementPort
  private readonly onRecord: ((record: UsageRecord) => void) | undefined
  private readonly st: Statements
  private readonly mem = new MemoryState()
  /** Runs the consume transaction; returns the counter's rowid, or 0 when the key already existed. */
  private readonly consumeTx: (seq: number, rec: UsageRecord, fp: string, counterRowid: number, hash: string) => number
  /** Highest usage event seq (the rowid); the next one is max(lastSeq + 1, now × 1024). */
  private lastSeq = Number.MIN_SAFE_INTEGER
  /** Hash of that event: the head of the usage chain (GENESIS_HASH when there is none). */
  private lastHash = GENESIS_HASH

  /** check() takes the slow path when now ≥ gateUntil or now < gateFrom (period end, lease expiry, invalidate). */
  private gateUntil = -Infinity
  private gateFrom = Infinity
  /** When the cached entitlement must be asked for again. */
  private entitlementUntil = -Infinity
  private entitlementFrom = Infinity
  private entitlementStale = true
  /** A mutation ran inside a caller's transaction, which may still roll back: reload after it ends. */
  private readonly memory: AfterCommit

  constructor(deps: QuotasDeps) {
    this.sqlite = deps.db.sqlite
    this.memory = new AfterCommit(deps.db.sqlite)
    this.clock = deps.clock
    this.ids = deps.ids
    this.port = deps.entitlements
    this.onRecord = deps.onRecord
    this.st = prepareStatements(this.sqlite)
    const st = this.st
    const onRecord = this.onRecord
    this.consumeTx = this.sqlite.transaction((seq: number, rec: UsageRecord, fp: string, counterRowid: number, hash: string): number => {
      const ins = st.insertEvent.run(
        seq,
        rec.id,
        rec.key,
        fp,
        rec.feature,
        rec.qty,
        rec.periodStart,
        rec.resetsAt,
        rec.usedAfter,
        rec.limit,
        rec.planCode,
        rec.at,
        hash
      )
      if (ins.changes === 0) return 0 // the key exists: a replay or a conflict, decided outside
      let rowid = counterRowid
      if (
        rowid === 0 ||
        st.updateCounterByRowid.run(rec.qty, rec.resetsAt, rec.at, rowid, rec.feature, rec.periodStart).changes === 0
      ) {
        rowid = counterRowAfter(st, rec)
      }
      if (onRecord !== undefined) onRecord(rec)
      return rowid
    }).immediate

    this.loadHead()
    const now = this.clock.now()
    this.refreshEntitlement(now)
    this.mem.loadLeases(st)
    if (deps.expirePreviousRunOnOpen === true && this.mem.leases.size > 0) {
      st.expireAllWithTtl.run(now)
      this.mem.loadLeases(st)
    }
    if (now >= this.mem.nextExpiry) this.sweepAt(now)
    this.updateGate()
  }

  // ── hot path ────────────────────────────────────────────────────────────────────────

  /** May `qty` of `feature` be used now? Answered from memory: no SQL, no Date work. */
  check(feature: QuotaFeature, qty = 1): QuotaCheck {
    const f = this.mem.features.get(feature)
    if (f === undefined) throw unknownFeature(feature)
    if (!Number.isInteger(qty) || qty <= 0 || qty > f.maxQty) assertQty(f.spec, qty)
    const now = this.clock.now()
    if (now >= this.gateUntil || now < this.gateFrom) this.slowPath(now)
    const limit = f.limit
    if (limit === null) return { allowed: true, remaining: null, limit: null, resetsAt: f.resetsAt, reason: null }
    const used = f.used
    if (used + qty <= limit) return { allowed: true, remaining: limit - used, limit, resetsAt: f.resetsAt, reason: null }
    return {
      allowed: false,
      remaining: used < limit ? limit - used : 0,
      limit,
      resetsAt: f.resetsAt,
      reason: limit === 0 ? 'not_in_plan' : 'quota_exhausted'
    }
  }

  /**
   * Checks and records `qty` uses of a counter feature in one transaction: one INSERT of the
   * usage event (key + fingerprint) and one UPSERT of the period's counter. The same key with
   * the same request returns the first record; with another request, IdempotencyConflict.
   * Over the limit: QuotaExceeded and nothing recorded.
   */
  consume(feature: CounterFeature, qty: number, key: string): UsageRecord {
    const f = this.mem.features.get(feature)
    if (f === undefined) throw unknownFeature(feature)
    if (f.isGauge) throw new InvalidInput(`${feature} is a gauge: use acquire/release`, { feature })
    if (!Number.isInteger(qty) || qty <= 0 || qty > f.maxQty) assertQty(f.spec, qty)
    if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) assertText('key', key)
    const now = this.clock.now()
    if (now >= this.gateUntil || now < this.gateFrom) this.slowPath(now)
    const fp = f.consumeFingerprint(qty)
    const limit = f.limit
    if (limit !== null && f.used + qty > limit) {
      const prior = this.replayConsume(key, fp)
      if (prior !== undefined) return prior
      throw exceeded(f, qty)
    }
    const usedAfter = f.used + qty
    const mem = this.mem
    const rec: UsageRecord = {
      id: this.ids.next(),
      key,
      feature,
      qty,
      periodStart: mem.periodStart,
      resetsAt: mem.periodEnd,
      usedAfter,
      limit,
      remaining: limit === null ? null : limit - usedAfter,
      planCode: mem.planCode,
      at: now
    }
    const base = seqAt(now)
    const seq = base > this.lastSeq ? base : this.lastSeq + 1
    const nested = this.memory.nested
    const hash = usageHash(this.lastHash, {
      seq,
      id: rec.id,
      key,
      fingerprint: fp,
      feature,
      qty,
      period_start: rec.periodStart,
      period_end: rec.resetsAt,
      used_after: usedAfter,
      quota_limit: limit,
      plan_code: rec.planCode,
      created_at: now
    })
    const counterRowid = this.consumeTx(seq, rec, fp, f.counterRowid, hash)
    if (counterRowid === 0) {
      // Only a unique-key clash skips the INSERT, so the first record is there.
      const prior = this.replayConsume(key, fp)
      if (prior === undefined) throw new Error(`usage event ${key} vanished`)
      return prior
    }
    f.used = usedAfter
    f.counterRowid = counterRowid
    this.lastSeq = seq
    this.lastHash = hash
    if (nested) this.markDirty()
    return rec
  }

  // ── gauges ──────────────────────────────────────────────────────────────────────────

  /** Takes `qty` of a gauge (a live room, MB of storage) for `holder`, with a TTL lease. */
  acquire(req: AcquireRequest): Lease {
    if (typeof req !== 'object' || req === null) throw new InvalidInput('acquire needs a request object')
    const { key, feature, holder } = req
    const f = this.mem.features.get(feature)
    if (f === undefined) throw unknownFeature(feature)
    if (!f.isGauge) throw new InvalidInput(`${feature} is a counter: use consume`, { feature })
    assertText('key', key)
    assertText('holder', holder)
    const qty = req.qty ?? 1
    assertQty(f.spec, qty)
    const ttlMs = req.ttlMs === undefined ? f.spec.defaultTtlMs : req.ttlMs
    if (ttlMs !== null && (!Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_LEASE_TTL_MS)) {
      throw new InvalidInput(`ttlMs must be null or an integer from 1 to ${MAX_LEASE_TTL_MS}`, { ttlMs })
    }
    const now = this.clock.now()
    if (now >= this.gateUntil || now < this.gateFrom) this.slowPath(now)
    const fp = fingerprint({ feature, holder, qty, ttlMs })
    const prior = replayOf(key, fp, this.st.leaseByKey.get(key), leaseFromRow)
    if (prior !== undefined) return prior
    if (f.limit !== null && f.used + qty > f.limit) throw exceeded(f, qty)
    const lease: Lease = {
      id: this.ids.next(),
      key,
      feature,
      holder,
      qty,
      ttlMs,
      acquiredAt: now,
      heartbeatAt: now,
      expiresAt: ttlMs === null ? null : now + ttlMs,
      status: 'held',
      endedAt: null
    }
    const nested = this.memory.nested
    this.st.insertLease.run(lease.id, key, fp, feature, holder, qty, ttlMs, now, now, lease.expiresAt)
    this.mem.leases.set(lease.id, lease)
    this.afterLeaseChange(nested)
    return { ...lease }
  }

  /** Extends a held lease by its TTL. An expired lease throws LeaseExpired (acquire again). */
  heartbeat(leaseId: string): Lease {
    assertText('leaseId', leaseId)
    const now = this.clock.now()
    if (now >= this.gateUntil || now < this.gateFrom) this.slowPath(now)
    const live = this.mem.leases.get(leaseId)
    if (live === undefined) {
      const row = this.st.leaseById.get(leaseId)
      if (row === undefined) throw new NotFound('lease', leaseId)
      if (row.status === 'expired') throw new LeaseExpired(leaseId, row.expires_at)
      throw new LeaseClosed(leaseId, row.status)
    }
    const expiresAt = live.ttlMs === null ? null : now + live.ttlMs
    const nested = this.memory.nested
    this.st.heartbeatLease.run(now, expiresAt, leaseId)
    live.heartbeatAt = now
    live.expiresAt = expiresAt
    this.afterLeaseChange(nested)
    return { ...live }
  }

  /** Frees a lease. Releasing an already released or expired lease returns it unchanged. */
  release(leaseId: string): Lease {
    assertText('leaseId', leaseId)
    const now = this.clock.now()
    if (now >= this.gateUntil || now < this.gateFrom) this.slowPath(now)
    const live = this.mem.leases.get(leaseId)
    if (live === undefined) {
      const row = this.st.leaseById.get(leaseId)
      if (row === undefined) throw new NotFound('lease', leaseId)
      return leaseFromRow(row)
    }
    const nested = this.memory.nested
    this.st.endLease.run('released', now, leaseId)
    this.mem.leases.delete(leaseId)
    this.afterLeaseChange(nested)
    return { ...live, status: 'released', endedAt: now }
  }

  /** Expires every lease whose TTL passed. Runs on open and lazily from check(); a timer may call it too. */
  sweep(): number {
    return this.sweepAt(this.clock.now())
  }

  private sweepAt(now: number): number {
    if (now < this.mem.nextExpiry) return 0
    const nested = this.memory.nested
    const { changes } = this.st.expireDue.run(now, now)
    this.mem.loadLeases(this.st)
    if (nested) this.markDirty()
    else this.updateGate()
    return changes
  }

  /** Live leases, oldest id first. */
  leases(feature?: QuotaFeature): Lease[] {
    this.catchUp()
    const all = this.mem.snapshot().leases
    return feature === undefined ? all : all.filter((l) => l.feature === feature)
  }

  // ── entitlement and memory ─────────────────────────────────────────────────────────

  /** The plan changed (subscription event): ask the port again on the next call. */
  invalidate(): void {
    this.entitlementStale = true
    this.gateUntil = -Infinity
  }

  /** Reloads memory from the database (e.g. after a caller's transaction that ran a mutation rolled back). */
  reload(): void {
    this.memory.committed()
    this.loadHead()
    this.mem.loadCounters(this.st)
    this.mem.loadLeases(this.st)
    this.invalidate()
  }

  // ── reads for the Usage screen ──────────────────────────────────────────────────────

  usage(): UsageSummary {
    this.catchUp()
    const mem = this.mem
    return {
      planCode: mem.planCode,
      periodStart: mem.periodStart,
      periodEnd: mem.periodEnd,
      features: FEATURE_SPECS.map((spec) => {
        const f = mem.feature(spec.name)
        return {
          feature: spec.name,
          kind: spec.kind,
          unit: spec.unit,
          limit: f.limit,
          used: f.used,
          remaining: remainingOf(f.limit, f.used),
          resetsAt: f.resetsAt
        }
      }),
      liveRoomsInUse: mem.feature('live_room').used
    }
  }

  history(query: HistoryQuery = {}): HistoryPage {
    return readHistory(this.sqlite, this.st, query)
  }

  /** One applied usage event by idempotency key. */
  record(key: string): UsageRecord | undefined {
    const row = this.st.eventByKey.get(key)
    return row === undefined ? undefined : eventToRecord(row)
  }

  /** The in-memory state (copies), brought up to the clock's now (period, expiries). */
  snapshot(): QuotaSnapshot {
    this.catchUp()
    return this.mem.snapshot()
  }

  /**
   * Walks the usage chain (hashes, used_after running sums), checks counters against their
   * events, the chain head against memory, and memory against the database (`from`: only the
   * events after a verified checkpoint).
   */
  verify(from?: UsageStart): QuotaVerifyReport {
    this.catchUp()
    const trusted = !this.memory.inDoubt && !this.memory.nested
    return verifyQuotas(this.st, this.mem, trusted ? { seq: this.lastSeq, hash: this.lastHash } : null, from)
  }

  // ── internals ───────────────────────────────────────────────────────────────────────

  private replayConsume(key: string, fp: string): UsageRecord | undefined {
    return replayOf(key, fp, this.st.eventByKey.get(key), eventToRecord)
  }

  /** Applies what time changed since the last call: a new period, expired leases. */
  private catchUp(): void {
    const now = this.clock.now()
    if (now >= this.gateUntil || now < this.gateFrom) this.slowPath(now)
  }

  /** The chain head from the file: at open, and after a caller's transaction that may have rolled back. */
  private loadHead(): void {
    const tail = this.st.tail.get()
    this.lastSeq = tail?.seq ?? Number.MIN_SAFE_INTEGER
    this.lastHash = tail?.hash ?? GENESIS_HASH
  }

  private slowPath(now: number): void {
    if (this.memory.takeOutside()) {
      this.loadHead()
      this.mem.loadCounters(this.st)
      this.mem.loadLeases(this.st)
    }
    if (this.entitlementStale || now >= this.entitlementUntil || now < this.entitlementFrom) {
      this.refreshEntitlement(now)
    }
    if (now >= this.mem.nextExpiry) this.sweepAt(now)
    this.updateGate()
  }

  private refreshEntitlement(now: number): void {
    const e = this.port.current(now)
    assertEntitlement(e, now)
    const mem = this.mem
    const newPeriod = e.periodStart !== mem.periodStart
    mem.planCode = e.planCode
    mem.periodStart = e.periodStart
    mem.periodEnd = e.periodEnd
    for (const f of mem.features.values()) {
      f.limit = f.spec.limitOf(e.limits)
      if (!f.isGauge) f.resetsAt = e.periodEnd
    }
    // A new period is a new counter row; a plan change inside a period keeps the usage.
    if (newPeriod) mem.loadCounters(this.st)
    this.entitlementUntil = Math.min(e.periodEnd ?? Infinity, e.validUntil ?? Infinity)
    this.entitlementFrom = Math.min(e.periodStart, now)
    this.entitlementStale = false
  }

  private afterLeaseChange(nested: boolean): void {
    this.mem.recomputeGauges()
    if (nested) this.markDirty()
    else this.updateGate()
  }

  private markDirty(): void {
    this.memory.wroteInside('all')
    this.gateUntil = -Infinity
  }

  private updateGate(): void {
    if (this.memory.inDoubt || this.entitlementStale) {
      this.gateUntil = -Infinity
      return
    }
    this.gateUntil = Math.min(this.entitlementUntil, this.mem.nextExpiry)
    this.gateFrom = this.entitlementFrom
  }
}

/** Slow path of the counter write: first use in a period, or the rowid moved (VACUUM). */
function counterRowAfter(st: Statements, rec: UsageRecord): number {
  if (st.updateCounter.run(rec.qty, rec.resetsAt, rec.at, rec.feature, rec.periodStart).changes === 0) {
    st.insertCounter.run(rec.feature, rec.periodStart, rec.resetsAt, rec.qty, rec.at)
  }
  return st.counterRow.get(rec.feature, rec.periodStart)?.rowid ?? 0
}

function exceeded(f: FeatureState, qty: number): QuotaExceeded {
  const details = {
    feature: f.name,
    limit: f.limit ?? 0,
    used: f.used,
    requested: qty,
    reason: f.limit === 0 ? 'not_in_plan' : 'quota_exhausted',
    resetsAt: f.resetsAt
  }
  return new QuotaExceeded(details)
}

function assertEntitlement(e: Entitlement, now: number): void {
  const bad = (why: string): never => {
    throw new InvalidInput(`entitlement port: ${why}`, { planCode: e?.planCode })
  }
  if (typeof e !== 'object' || e === null) bad('no entitlement')
  if (typeof e.planCode !== 'string' || e.planCode.length === 0) bad('planCode missing')
  if (!Number.isSafeInteger(e.periodStart)) bad('periodStart must be an integer time')
  if (e.periodEnd !== null && (!Number.isSafeInteger(e.periodEnd) || e.periodEnd <= e.periodStart)) {
    bad('periodEnd must be null or an integer time after periodStart')
  }
  if (e.periodEnd !== null && e.periodEnd <= now) bad('the period returned has already ended')
  if (e.validUntil != null && (!Number.isSafeInteger(e.validUntil) || e.validUntil <= now)) {
    bad('validUntil must be an integer time in the future')
  }
  if (typeof e.limits !== 'object' || e.limits === null) bad('limits missing')
  for (const k of ['max_streams', 'max_storage_gb', 'max_ai_requests', 'max_export_count'] as const) {
    const v = e.limits[k]
    if (v !== null && !(Number.isSafeInteger(v) && v >= 0 && v <= 1_000_000_000)) bad(`${k} must be null or an integer ≥ 0`)
  }
}
