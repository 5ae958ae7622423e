import { InvalidTransition } from '../../shared/errors'
import type { OrderState } from '../../shared/relay-contract'

// The one table of allowed order transitions. Everything not listed is forbidden.
// - created → paid: a payment notification may commit before the checkout's own write.
// - failed / expired / cancelled → paid: money that arrived is money (a QR paid after a failed
//   first attempt, a late confirmation, a payment already under way when the customer cancelled
//   or on a provider that could not close its checkout); the relay records it rather than losing it.
// - partially_refunded → partially_refunded: a second partial refund.
export const ORDER_TRANSITIONS: Readonly<Record<OrderState, readonly OrderState[]>> = {
  created: ['pending', 'paid', 'failed', 'expired', 'cancelled'],
  pending: ['paid', 'failed', 'expired', 'cancelled'],
  failed: ['paid', 'expired'],
  expired: ['paid'],
  cancelled: ['paid'],
  paid: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  refunded: []
}

export function canTransition(from: OrderState, to: OrderState): boolean {
  return ORDER_TRANSITIONS[from].includes(to)
}

export function assertTransition(from: OrderState, to: OrderState): void {
  if (!canTransition(from, to)) throw new InvalidTransition('order', from, to)
}

export const PAID_STATES: readonly OrderState[] = ['paid', 'partially_refunded', 'refunded']
