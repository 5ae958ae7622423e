import { fingerprint } from '../../node/fingerprint'
import { COUNTER_FEATURES, FEATURE_SPECS, GAUGE_FEATURES, type FeatureSpec } from './features'
import { leaseFromRow, type Statements } from './statements'
import type { CounterFeature, GaugeFeature } from './features'
import type { Lease, QuotaSnapshot } from './types'

// The in-memory mirror that check() reads. It changes only after a commit (or is reloaded
// from the database), so it always equals what the database says.

/** Fingerprints of small quantities are cached: consume(…, 1, key) does not hash anything new. */
const FP_CACHE_MAX_QTY = 64

export class FeatureState {
  readonly name: string
  readonly isGauge: boolean
  readonly maxQty: number
  /** Limit in the feature's unit; null = unlimited. */
  limit: number | null = 0
  /** Counters: used in the current period. Gauges: sum of live leases. */
  used = 0
  /** Counters: rowid of the current period's row (UPDATE it), 0 = no row yet (INSERT it). */
  counterRowid = 0
  /** Counters: the period end; gauges: always null. */
  resetsAt: number | null = null
  private readonly fps: (string | undefined)[] = []

  constructor(readonly spec: FeatureSpec) {
    this.name = spec.name
    this.isGauge = spec.kind === 'gauge'
    this.maxQty = spec.maxQty
  }

  /** The request fingerprint of consume(feature, qty). */
  consumeFingerprint(qty: number): string {
    if (qty > FP_CACHE_MAX_QTY) return fingerprint({ feature: this.name, qty })
    return (this.fps[qty] ??= fingerprint({ feature: this.name, qty }))
  }
}

export class MemoryState {
  readonly features = new Map<string, FeatureState>()
  readonly counters: FeatureState[] = []
  readonly gauges: FeatureState[] = []
  /** Live leases by id. */
  readonly leases = new Map<string, Lease>()
  /** Earliest expiresAt among live leases (Infinity if none): when check() must sweep. */
  nextExpiry = Infinity

  planCode = ''
  periodStart = Number.NaN
  periodEnd: number | null = null

  constructor() {
    for (const spec of FEATURE_SPECS) {
      const f = new FeatureState(spec)
      this.features.set(spec.name, f)
      ;(f.isGauge ? this.gauges : this.counters).push(f)
    }
  }

  feature(name: string): FeatureState {
    const f = this.features.get(name)
    if (f === undefined) throw new Error(`no feature ${name}`)
    return f
  }

  loadCounters(st: Statements): void {
    for (const f of this.counters) {
      const row = st.counterRow.get(f.name, this.periodStart)
      f.used = row?.used ?? 0
      f.counterRowid = row?.rowid ?? 0
    }
  }

  loadLeases(st: Statements): void {
    this.leases.clear()
    for (const row of st.liveLeases.all()) this.leases.set(row.id, leaseFromRow(row))
    this.recomputeGauges()
  }

  recomputeGauges(): void {
    for (const f of this.gauges) f.used = 0
    let next = Infinity
    for (const lease of this.leases.values()) {
      this.feature(lease.feature).used += lease.qty
      if (lease.expiresAt !== null && lease.expiresAt < next) next = lease.expiresAt
    }
    this.nextExpiry = next
  }

  snapshot(): QuotaSnapshot {
    const counters = {} as Record<CounterFeature, number>
    for (const name of COUNTER_FEATURES) counters[name] = this.feature(name).used
    const gauges = {} as Record<GaugeFeature, number>
    for (const name of GAUGE_FEATURES) gauges[name] = this.feature(name).used
    const leases = [...this.leases.values()].map((l) => ({ ...l })).sort((a, b) => (a.id < b.id ? -1 : 1))
    return { planCode: this.planCode, periodStart: this.periodStart, counters, leases, gauges }
  }
}
