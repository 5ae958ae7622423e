import type { CheckoutItem, OrderDto } from '../../shared/relay-contract'
import type { OrderRow } from '../store/ports'

/** An order as devices see it. */
export function toOrderDto(r: OrderRow): OrderDto {
  return {
    orderNo: r.order_no,
    provider: r.provider,
    item: JSON.parse(r.item_json) as CheckoutItem,
    amount: { amount: r.amount, currency: r.currency },
    refunded: { amount: r.refunded_amount, currency: r.currency },
    ...(r.discount_amount > 0 ? { discount: { amount: r.discount_amount, currency: r.currency } } : {}),
    state: r.state,
    createdAt: r.created_at,
    updatedAt: r.updated_at
  }
}
