import type { Entitlement, EntitlementPort } from '../quotas'
import { accessEndsAt, monthBounds, usagePeriod, type SubscriptionService } from '../subscriptions'
import { planRank } from '../../shared/catalog'
import { FeedEnvelopeSchema, type EntitlementLease, type FeedEnvelope } from '../../shared/relay-contract'
import type { SyncStore } from './store'
import type { TrustGuard } from './trust'
import { FeedRecordRejected, verifyRecord, type FeedKeys } from '../../node/feed'

// The relay's signed entitlement lease, and how it combines with the local subscription
// mirror into the entitlement the quotas gate on (docs/sync.md, "Entitlement"):
// - not enrolled: the local subscription alone (no relay, no money: trials only);
// - untrusted (clock moved back, edited ledger or lease): FREE until the next sync;
// - no lease, or relay time ≥ validUntil + grace: FREE;
// - otherwise the better of the lease's plan and the local subscription's plan (the local
//   mirror carries wallet-paid plans the relay never priced), valid until the lease ends. The
//   lease's plan is counted in calendar months, or in the cycle of a local subscription to
//   the same plan that ended inside the current cycle (no fresh counter by cancelling here).

export class LeaseKeeper {
  private lease: EntitlementLease | null = null

  constructor(
    private readonly store: SyncStore,
    /** The relay keys this device stored things under (key-ring.ts, forStored). */
    private readonly keys: () => FeedKeys,
    private readonly guard: TrustGuard,
    private readonly who: () => { accountId?: string | undefined; deviceId?: string | undefined }
  ) {}

  /** Re-verifies the stored lease; an edited one is dropped and flags the device untrusted. */
  load(): void {
    this.lease = null
    const raw = this.store.state.get()!.lease
    if (raw === null) return
    const { accountId, deviceId } = this.who()
    try {
      const env = FeedEnvelopeSchema.parse(JSON.parse(raw))
      const p = verifyRecord(env, this.keys(), accountId ?? '')
      if (p.type !== 'entitlement_lease' || p.data.deviceId !== deviceId) throw new FeedRecordRejected(env.id, 'not this device’s lease')
      this.lease = p.data
    } catch {
      this.guard.flag('ledger_tampered')
    }
  }

  /** Stores a verified lease for this device if it is newer; call inside the apply transaction. */
  offer(env: FeedEnvelope, lease: EntitlementLease): boolean {
    if (lease.deviceId !== this.who().deviceId) return false
    if (this.lease && this.lease.issuedAt > lease.issuedAt) return false
    this.store.setLease.run(JSON.stringify(env))
    this.lease = lease
    return true
  }

  get current(): EntitlementLease | null {
    return this.lease
  }
}

export interface EntitlementGateDeps {
  keeper: LeaseKeeper
  guard: TrustGuard
  graceMs: number
  enrolled: () => boolean
  subscriptions: () => SubscriptionService
}

export type LeaseStatus = 'none' | 'honoured' | 'expired'

export function leaseStatus(d: Pick<EntitlementGateDeps, 'keeper' | 'guard' | 'graceMs'>): LeaseStatus {
  const lease = d.keeper.current
  if (!lease) return 'none'
  return d.guard.trustedNow() < lease.validUntil + d.graceMs ? 'honoured' : 'expired'
}

export function entitlementGate(d: EntitlementGateDeps, local: EntitlementPort): EntitlementPort {
  const free = (now: number, validUntil: number | null): Entitlement => {
    const subs = d.subscriptions()
    const plan = subs.getPlan('FREE', 'monthly')
    const month = monthBounds(now, subs.timeZone)
    return { planCode: 'FREE', limits: { ...plan.limits }, periodStart: month.start, periodEnd: month.end, validUntil }
  }
  return {
    current(now) {
      const mine = local.current(now)
      if (!d.enrolled()) return mine
      d.guard.observe()
      if (!d.guard.trusted) return free(now, null)
      const lease = d.keeper.current
      if (!lease || leaseStatus(d) !== 'honoured') return free(now, null)
      // validUntil is relay time; quotas compare with the local clock.
      const until = lease.validUntil + d.graceMs - (d.guard.trustedNow() - d.guard.observe())
      if (planRank(mine.planCode) >= planRank(lease.planCode)) {
        return { ...mine, validUntil: mine.validUntil == null ? until : Math.min(mine.validUntil, until) }
      }
      const subs = d.subscriptions()
      const period = samePlanCycle(subs, lease.planCode, now) ?? monthBounds(now, subs.timeZone)
      return { planCode: lease.planCode, limits: lease.limits, periodStart: period.start, periodEnd: period.end, validUntil: until }
    }
  }
}

/**
 * The usage cycle of the latest local subscription to `planCode` while its usage counts in
 * it: that plan cancelled here (the relay still leases it) keeps being counted in the cycle
 * its use already fills, not in a fresh calendar month with a fresh counter.
 */
function samePlanCycle(subs: SubscriptionService, planCode: string, now: number): { start: number; end: number } | null {
  const latest = subs
    .list()
    .filter((s) => s.planCode === planCode)
    .at(-1)
  if (!latest) return null
  const ended = latest.endedAt ?? accessEndsAt(latest, subs.timeZone, 0)
  const cycle = usagePeriod(latest, now, null, subs.timeZone)
  if (now < cycle.start || now >= cycle.end || (typeof ended === 'number' && cycle.start > ended)) return null
  return cycle
}
