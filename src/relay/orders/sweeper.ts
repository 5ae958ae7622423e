import type { Clock } from '../../node/clock'
import type { RelayStore } from '../store/ports'
import type { Feed } from '../feed/feed'
import { canTransition } from './transitions'
import { recordClosed } from './close'
import type { Coupons } from '../coupons/coupons'

// Stale orders: a checkout whose expiresAt has passed can no longer be paid through (the
// providers were given the same expiry), so its order moves created/pending → expired, with
// its audit row and an `order_closed` feed record that tells the app to drop the pending
// checkout. One short transaction per batch, so notifications are never held up for long.
// A payment that still arrives later is recorded (expired → paid is allowed).

export interface SweepResult {
  expired: string[]
}

const BATCH = 200
/** Batches per sweep: a backlog is worked off over several ticks, not in one long pause. */
const MAX_BATCHES = 5

export class OrderSweeper {
  constructor(
    private readonly store: RelayStore,
    private readonly clock: Clock,
    readonly feed: Feed,
    /** Releases the coupon reservation of each expired order. */
    readonly coupons?: Coupons
  ) {}

  async sweep(): Promise<SweepResult> {
    const expired: string[] = []
    for (let i = 0; i < MAX_BATCHES; i++) {
      // Collected per run: a store may run the unit again (ports.ts), and only the committed run counts.
      const batch = await this.store.unit(async (tx) => {
        const closed: string[] = []
        const now = this.clock.now()
        const rows = await tx.orders.dueToExpire(now, BATCH)
        for (const row of rows) {
          if (!canTransition(row.state, 'expired')) continue
          if (!(await tx.orders.expireIfOpen(row.id, now))) continue
          await recordClosed(tx, this, row, 'expired', 'checkout_expired', 'sweeper: checkout expired', now)
          closed.push(row.order_no)
        }
        return { scanned: rows.length, closed }
      })
      expired.push(...batch.closed)
      if (batch.scanned < BATCH) break
    }
    return { expired }
  }
}
