import type { Clock } from '../../node/clock'
import type { Billing, BillingOptions, BillingRecord } from '../billing'
import type { EntitlementPort } from '../quotas'
import type { OfflineAllowance } from './allowance'
import { GatedWallet } from './gated-wallet'
import { entitlementGate, type LeaseKeeper } from './lease'
import { writeOutbox } from './outbox'
import type { SyncStore } from './store'
import type { TrustGuard } from './trust'

// The ports the sync layer plugs into createBilling: the outbox writer, the gated wallet, the
// lease-aware entitlement and a clock read through the trust guard. The billing modules need
// them before the sync store, guard and lease exist, so they reach those through LateSyncParts.

/** Set one by one right after the billing file opens; unset while it opens. */
export interface LateSyncParts {
  billing?: Billing
  store?: SyncStore
  guard?: TrustGuard
  keeper?: LeaseKeeper
  /** A subscription changed (called inside its transaction): the local reminders are computed again after it. */
  subscriptionChanged?: () => void
}

export interface BillingPortsDeps {
  clock: Clock
  graceMs: number
  enrolled: () => boolean
  allowance: OfflineAllowance
}

export type BillingPorts = Required<Pick<BillingOptions, 'clock' | 'onRecord' | 'createWallet' | 'entitlements' | 'trialUsedElsewhere'>>

export function billingPorts(parts: LateSyncParts, deps: BillingPortsDeps): BillingPorts {
  return {
    // Through the guard, a clock moved back is noticed on the next quota check or wallet
    // operation, not only at the next sync.
    clock: { now: () => (parts.guard ? parts.guard.observe() : deps.clock.now()) },
    onRecord(record: BillingRecord) {
      if (!parts.store) throw new Error('sync: a mutation was reported before the outbox was ready')
      if (writeOutbox(parts.store, record, deps.clock.now())) deps.allowance.invalidate()
      if (record.source === 'subscription') parts.subscriptionChanged?.()
    },
    createWallet: (walletDeps) =>
      new GatedWallet(walletDeps, {
        blocking: () => {
          if (!deps.enrolled() || !parts.guard) return []
          parts.guard.observe()
          return parts.guard.warnings
        },
        allowance: () => deps.allowance.current()
      }),
    entitlements: (local) => leaseAwareEntitlement(parts, deps, local),
    // A trial_decision of the account (any device's) marks that plan's trial as used here too.
    trialUsedElsewhere: (planCode) => parts.store?.trialDecided.get(planCode) !== undefined
  }
}

/**
 * While the billing file opens, the sync state is not read yet: the local plan stands in until
 * the quotas ask again (they are invalidated once the lease is loaded).
 */
function leaseAwareEntitlement(parts: LateSyncParts, deps: BillingPortsDeps, local: EntitlementPort): EntitlementPort {
  let gate: EntitlementPort | null = null
  return {
    current(now) {
      const { billing, guard, keeper } = parts
      if (!billing || !guard || !keeper) return local.current(now)
      gate ??= entitlementGate({ keeper, guard, graceMs: deps.graceMs, enrolled: deps.enrolled, subscriptions: () => billing.subscriptions }, local)
      return gate.current(now)
    }
  }
}
