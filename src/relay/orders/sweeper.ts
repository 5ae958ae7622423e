import type { Clock } from '../../node/clock'
import type { CheckoutItem } from '../../shared/relay-contract'
import type { RelayDb } from '../db/open'
import type { Feed } from '../feed/feed'
import { OrderStore, type OrderRow } from './store'
import { canTransition } from './transitions'

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
  private readonly store: OrderStore
  private readonly due
  private readonly expire

  constructor(
    private readonly db: RelayDb,
    private readonly clock: Clock,
    private readonly feed: Feed
  ) {
    this.store = new OrderStore(db)
    this.due = db.sqlite.prepare<[number, number], OrderRow>(
      `SELECT * FROM orders WHERE state IN ('created', 'pending') AND expires_at <= ? ORDER BY expires_at LIMIT ?`
    )
    // Guarded by state, so an order a notification moved meanwhile is left alone.
    this.expire = db.sqlite.prepare(
      `UPDATE orders SET state = 'expired', updated_at = ? WHERE id = ? AND state IN ('created', 'pending')`
    )
  }

  sweep(): SweepResult {
    const expired: string[] = []
    for (let i = 0; i < MAX_BATCHES; i++) {
      const batch = this.db.tx(() => {
        const now = this.clock.now()
        const rows = this.due.all(now, BATCH)
        for (const row of rows) {
          if (!canTransition(row.state, 'expired')) continue
          if (this.expire.run(now, row.id).changes !== 1) continue
          this.store.logTransition.run(row.id, row.state, 'expired', 'sweeper: checkout expired', now)
          this.feed.append(row.account_id, 'order_closed', {
            orderNo: row.order_no,
            provider: row.provider,
            item: JSON.parse(row.item_json) as CheckoutItem,
            state: 'expired',
            reason: 'checkout_expired',
            closedAt: now
          })
          expired.push(row.order_no)
        }
        return rows.length
      })
      if (batch < BATCH) break
    }
    return { expired }
  }
}
