import type { Clock } from '../../node/clock'
import type { CheckoutItem } from '../../shared/relay-contract'
import type { RelayWallet } from '../accounts/wallet'
import type { RelayDb } from '../db/open'
import type { Feed } from '../feed/feed'
import { OrderStore, type OrderRow } from '../orders/store'
import { canTransition, PAID_STATES } from '../orders/transitions'
import type { ProviderEvent, ProviderName } from '../providers/types'
import type { Grants } from '../subscriptions/grants'

// Applies one verified provider event to its order, inside the caller's transaction, with
// exactly one effect or none. The outcome decides the HTTP reply (see pipeline.ts):
// - applied:   the effect and its feed record(s) are written; the event id is remembered.
// - duplicate: the same event id (replay) or the same payment / refund id seen before.
// - stale:     a failure or expiry for an order that has already moved on; nothing to do.
// - deferred:  a refund for an order not yet paid: the provider must redeliver later
//              (retryable reply), by when the payment will have arrived.
// - rejected:  unknown order, amount or currency different from the order, a transition the
//              order's state forbids. Not remembered as seen, so every redelivery is judged
//              and logged again.

export type Outcome =
  | { kind: 'applied' | 'duplicate' | 'stale' | 'ignored'; reason?: string }
  | { kind: 'deferred'; reason: 'refund_before_payment' | 'capture_failed' }
  | {
      kind: 'rejected'
      reason: 'unknown_order' | 'amount_mismatch' | 'currency_mismatch' | 'forbidden_transition'
    }

/** A payment.succeeded, or a captured payment.approved turned into one. */
type PaymentEvent = Extract<ProviderEvent, { type: 'payment.succeeded' }>

export class EventApplier {
  private readonly store: OrderStore
  private readonly seen
  private readonly remember
  private readonly refundSeen
  private readonly insertRefund
  private readonly log

  constructor(
    db: RelayDb,
    private readonly clock: Clock,
    private readonly feed: Feed,
    private readonly wallet: RelayWallet,
    private readonly grants: Grants
  ) {
    const s = db.sqlite
    this.store = new OrderStore(db)
    this.seen = s.prepare('SELECT 1 FROM provider_events WHERE provider = ? AND event_id = ?')
    this.remember = s.prepare(
      'INSERT INTO provider_events (provider, event_id, order_no, type, applied_at) VALUES (?, ?, ?, ?, ?)'
    )
    this.refundSeen = s.prepare('SELECT 1 FROM refunds WHERE provider = ? AND refund_id = ?')
    this.insertRefund = s.prepare('INSERT INTO refunds (provider, refund_id, order_id, amount, at) VALUES (?, ?, ?, ?, ?)')
    this.log = s.prepare(
      `INSERT INTO notification_log (at, provider, event_id, event_type, order_no, outcome, reason, remote_address)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
    )
  }

  order(orderNo: string): OrderRow | undefined {
    return this.store.byNo.get(orderNo)
  }

  isReplay(provider: ProviderName, eventId: string): boolean {
    return this.seen.get(provider, eventId) !== undefined
  }

  /** Writes one audit row (inside or outside a transaction). */
  audit(
    provider: ProviderName,
    event: { eventId?: string; type?: string; orderNo?: string } | undefined,
    outcome: string,
    reason: string | null,
    remoteAddress: string | null
  ): void {
    this.log.run(
      this.clock.now(),
      provider,
      event?.eventId ?? null,
      event?.type ?? null,
      event?.orderNo ?? null,
      outcome,
      reason,
      remoteAddress
    )
  }

  /** Applies one event; call inside a transaction. */
  apply(provider: ProviderName, event: ProviderEvent | PaymentEvent): Outcome {
    if (this.isReplay(provider, event.eventId)) return { kind: 'duplicate', reason: 'replayed_event_id' }
    const outcome = this.decide(provider, event)
    if (outcome.kind === 'applied' || outcome.kind === 'duplicate' || outcome.kind === 'stale' || outcome.kind === 'ignored') {
      // Remembered only when the provider may stop delivering it.
      this.remember.run(provider, event.eventId, 'orderNo' in event ? event.orderNo : null, event.type, this.clock.now())
    }
    return outcome
  }

  private decide(provider: ProviderName, event: ProviderEvent): Outcome {
    if (event.type === 'ignored') return { kind: 'ignored', reason: event.reason }
    const order = this.store.byNo.get(event.orderNo)
    if (!order || order.provider !== provider) return { kind: 'rejected', reason: 'unknown_order' }
    switch (event.type) {
      case 'payment.succeeded':
        return this.paid(order, event)
      case 'payment.approved':
        // Reached only when the pipeline did not capture (already paid, mismatch, bad state):
        // the pipeline captures first and applies the capture as payment.succeeded.
        return this.checkPayment(order, event.amount) ?? { kind: 'rejected', reason: 'forbidden_transition' }
      case 'payment.failed':
        return this.ended(order, 'failed', event.eventId, `provider: ${event.reason}`.slice(0, 200))
      case 'checkout.expired':
        return this.ended(order, 'expired', event.eventId, 'provider: checkout closed')
      case 'refund.succeeded':
        return this.refund(order, event)
    }
  }

  /** The checks a payment must pass, shared with the pre-capture check for PayPal. */
  checkPayment(order: OrderRow, amount: { amount: number; currency: string }, paymentId?: string): Outcome | null {
    if (amount.currency !== order.currency) return { kind: 'rejected', reason: 'currency_mismatch' }
    if (amount.amount !== order.amount) return { kind: 'rejected', reason: 'amount_mismatch' }
    if (PAID_STATES.includes(order.state)) {
      return paymentId === undefined || order.provider_payment_id === paymentId
        ? { kind: 'duplicate', reason: 'payment_already_recorded' }
        : { kind: 'rejected', reason: 'forbidden_transition' }
    }
    if (!canTransition(order.state, 'paid')) return { kind: 'rejected', reason: 'forbidden_transition' }
    return null
  }

  private paid(order: OrderRow, event: PaymentEvent): Outcome {
    const refused = this.checkPayment(order, event.amount, event.providerPaymentId)
    if (refused) return refused
    const now = this.clock.now()
    this.store.setPaid.run(event.providerPaymentId, now, order.id)
    this.store.logTransition.run(order.id, order.state, 'paid', `${order.provider}:${event.eventId}`, now)
    const item = JSON.parse(order.item_json) as CheckoutItem
    const amount = { amount: order.amount, currency: order.currency }
    this.feed.append(order.account_id, 'payment_confirmed', {
      orderNo: order.order_no,
      provider: order.provider,
      providerPaymentId: event.providerPaymentId,
      item,
      amount,
      paidAt: now
    })
    if (item.kind === 'recharge') this.wallet.credit(order.account_id, amount, order.order_no)
    else this.grants.grant(order.account_id, order.id, order.order_no, item.planCode, item.period, now)
    return { kind: 'applied' }
  }

  private ended(order: OrderRow, to: 'failed' | 'expired', eventId: string, reason: string): Outcome {
    if (order.state === to) return { kind: 'duplicate', reason: `already_${to}` }
    if (!canTransition(order.state, to)) return { kind: 'stale', reason: `order_is_${order.state}` }
    const now = this.clock.now()
    this.store.setState.run(to, now, order.id)
    this.store.logTransition.run(order.id, order.state, to, `${order.provider}:${eventId}`, now)
    // The app drops its pending checkout (as when the relay's sweeper expires it).
    this.feed.append(order.account_id, 'order_closed', {
      orderNo: order.order_no,
      provider: order.provider,
      item: JSON.parse(order.item_json) as CheckoutItem,
      state: to,
      reason,
      closedAt: now
    })
    return { kind: 'applied' }
  }

  private refund(order: OrderRow, event: Extract<ProviderEvent, { type: 'refund.succeeded' }>): Outcome {
    if (this.refundSeen.get(order.provider, event.refundId)) return { kind: 'duplicate', reason: 'refund_already_recorded' }
    if (event.amount.currency !== order.currency) return { kind: 'rejected', reason: 'currency_mismatch' }
    if (event.cumulative && event.cumulative.currency !== order.currency) return { kind: 'rejected', reason: 'currency_mismatch' }
    if (!PAID_STATES.includes(order.state)) {
      return order.state === 'cancelled'
        ? { kind: 'rejected', reason: 'forbidden_transition' }
        : { kind: 'deferred', reason: 'refund_before_payment' }
    }
    // Where the provider reports only the running total (Alipay refund_fee), this refund is
    // the part not yet recorded; nothing new means a refund already counted.
    const amount = event.cumulative ? event.cumulative.amount - order.refunded_amount : event.amount.amount
    if (event.cumulative && amount <= 0) return { kind: 'duplicate', reason: 'refund_already_recorded' }
    const total = order.refunded_amount + amount
    if (amount <= 0 || total > order.amount) return { kind: 'rejected', reason: 'amount_mismatch' }
    const to = total === order.amount ? 'refunded' : 'partially_refunded'
    if (!canTransition(order.state, to)) return { kind: 'rejected', reason: 'forbidden_transition' }
    const now = this.clock.now()
    this.insertRefund.run(order.provider, event.refundId, order.id, amount, now)
    this.store.setRefunded.run(to, total, now, order.id)
    this.store.logTransition.run(order.id, order.state, to, `${order.provider}:${event.eventId}`, now)
    const item = JSON.parse(order.item_json) as CheckoutItem
    this.feed.append(order.account_id, 'refund', {
      orderNo: order.order_no,
      refundId: event.refundId,
      item,
      amount: { amount, currency: order.currency },
      totalRefunded: { amount: total, currency: order.currency },
      orderState: to,
      refundedAt: now
    })
    if (item.kind === 'recharge') {
      this.wallet.debit(order.account_id, { amount, currency: order.currency }, event.refundId, 'overdraft')
    } else if (to === 'refunded') {
      this.grants.revokeForOrder(order.account_id, order.id, order.order_no, now)
    }
    return { kind: 'applied' }
  }
}
