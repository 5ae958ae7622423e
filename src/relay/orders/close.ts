import type { CheckoutItem } from '../../shared/relay-contract'
import type { Coupons } from '../coupons/coupons'
import type { Feed } from '../feed/feed'
import type { OrderRow, StoreTx } from '../store/ports'

/** Why an open order closed unpaid: the sweeper, the provider, or the customer. */
export type ClosedState = 'expired' | 'failed' | 'cancelled'

/**
 * What every close of an unpaid order does once its state has moved, inside the caller's unit:
 * the audit row, the coupon reservation released, and the `order_closed` record that tells the
 * app to drop its pending checkout. One path for the sweeper, a provider's event and a cancel.
 */
export async function recordClosed(
  tx: StoreTx,
  deps: { feed: Feed; coupons?: Coupons | undefined },
  order: OrderRow,
  to: ClosedState,
  reason: string,
  cause: string,
  now: number
): Promise<void> {
  await tx.orders.logTransition(order.id, order.state, to, cause, now)
  await deps.coupons?.onClosed(tx, order, now)
  await deps.feed.append(tx, order.account_id, 'order_closed', {
    orderNo: order.order_no,
    provider: order.provider,
    item: JSON.parse(order.item_json) as CheckoutItem,
    state: to,
    reason,
    closedAt: now
  })
}
