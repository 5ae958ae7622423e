import type { LateSyncParts } from './billing-ports'

/**
 * What this device may still spend offline: the relay's last balance minus the own spending
 * it has not echoed yet and what is held. The unsynced sum is cached until the outbox changes.
 */
export class OfflineAllowance {
  private unsyncedSpend: number | null = null

  constructor(
    private readonly parts: Pick<LateSyncParts, 'billing' | 'store'>,
    private readonly enrolled: () => boolean
  ) {}

  /** The outbox or the feed changed what is unsynced. */
  invalidate(): void {
    this.unsyncedSpend = null
  }

  /** null: not enrolled (no bound), or the billing file is still opening. */
  current(): number | null {
    const { billing, store } = this.parts
    if (!this.enrolled() || !store || !billing) return null
    if (this.unsyncedSpend === null) this.unsyncedSpend = store.unsyncedSpend.get()?.total ?? 0
    const row = store.state.get()!
    return row.relay_balance - this.unsyncedSpend - billing.wallet.held().amount
  }
}
