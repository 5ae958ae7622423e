import type { Output } from '../../shared/ipc/contract'
import type { SubscriptionService } from '../subscriptions'
import type { Wallet } from '../wallet'
import type { CheckoutFlow } from './checkouts'
import type { SyncEventBus } from './events'
import { leaseStatus, type LeaseKeeper } from './lease'
import type { SyncStore } from './store'
import type { TrustGuard } from './trust'

/**
 * The contract's sync state, with the outbox records the relay refused (kept, never retried:
 * the same record would be refused again) and the feed records skipped as unapplicable.
 */
export type SyncState = Output<'sync.state'>

export interface SyncStatusDeps {
  store: SyncStore
  guard: TrustGuard
  keeper: LeaseKeeper
  graceMs: number
  wallet: Wallet
  subscriptions: SubscriptionService
  now: () => number
  checkouts: CheckoutFlow
  events: SyncEventBus
  enrolled: () => boolean
  /** Whether the network is up when the service starts. */
  initiallyOnline: boolean
  /** The full check's last outcome and the watchdog's figure (service.ts). */
  health: () => SyncState['health']
}

/** What the app shows about sync: the run's flags here, the rest read from the sync tables. */
export class SyncStatus {
  /** Whether the relay answered the last run (the network may be up while the relay is not). */
  online: boolean
  syncing = false
  lastError: string | null

  constructor(private readonly deps: SyncStatusDeps) {
    this.online = deps.initiallyOnline
    this.lastError = deps.store.state.get()!.last_error
  }

  state(): SyncState {
    const { store, guard, keeper, graceMs } = this.deps
    const row = store.state.get()!
    const warnings: SyncState['warnings'] = this.deps.enrolled() ? [...guard.warnings] : []
    if (this.deps.enrolled() && leaseStatus({ keeper, guard, graceMs }) === 'expired') warnings.push('lease_expired')
    if (this.deps.wallet.debt().amount > 0 || row.relay_debt > 0) warnings.push('debt_outstanding')
    const trialRefused = this.trialRefused()
    if (trialRefused) warnings.push('trial_refused')
    return {
      online: this.online,
      syncing: this.syncing,
      lastSyncAt: row.last_sync_at,
      pendingCount: store.outboxPendingCount.get()!.n,
      pendingCheckouts: this.deps.checkouts.waiting(),
      lastError: this.lastError,
      warnings,
      ...this.rejections(),
      ...this.skipped(),
      trialRefused,
      catalogVersion: this.deps.subscriptions.currentCatalogVersion(),
      health: this.deps.health()
    }
  }

  /**
   * This device's latest trial the relay refused, while it matters: until the user starts a
   * subscription after it, or the time the trial would have run is over.
   */
  private trialRefused(): SyncState['trialRefused'] {
    const row = this.deps.store.trialLastRefused.get()
    if (!row) return null
    if (row.ends_at !== null && this.deps.now() >= row.ends_at) return null
    const live = this.deps.subscriptions.current()
    if (live && live.createdAt > row.applied_at) return null
    return { planCode: row.plan_code, recordId: row.record_id, at: row.applied_at }
  }

  /** Tells the listeners the current state. */
  announce(): void {
    this.deps.events.emit('sync.state', this.state())
  }

  private skipped(): Pick<SyncState, 'skippedCount' | 'lastSkipped'> {
    const skippedCount = this.deps.store.inboxSkippedCount.get()!.n
    if (skippedCount === 0) return { skippedCount, lastSkipped: null }
    const row = this.deps.store.inboxLastSkipped.get()!
    return { skippedCount, lastSkipped: { recordId: row.id, type: row.type, reason: row.skip_reason ?? 'skipped', at: row.applied_at } }
  }

  private rejections(): Pick<SyncState, 'rejectedCount' | 'lastRejection'> {
    const rejectedCount = this.deps.store.outboxRejectedCount.get()!.n
    if (rejectedCount === 0) return { rejectedCount, lastRejection: null }
    const row = this.deps.store.outboxLastRejected.get()!
    return {
      rejectedCount,
      lastRejection: {
        recordId: row.id,
        kind: row.kind,
        code: row.rejected_code,
        reason: row.rejected_reason ?? row.rejected_code,
        at: row.rejected_at
      }
    }
  }
}
