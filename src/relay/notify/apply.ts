import { revokeForOrder } from '../subscriptions/refunds'
import type { Clock } from '../../node/clock'
import type { CheckoutItem } from '../../shared/relay-contract'
import type { RelayWallet } from '../accounts/wallet'
import type { Feed } from '../feed/feed'
import { canTransition, PAID_STATES } from '../orders/transitions'
import { recordClosed } from '../orders/close'
import type { ProviderEvent, ProviderName } from '../providers/types'
import type { Awaitable, OrderRow, RelayStore, StoreTx } from '../store/ports'
import type { Grants } from '../subscriptions/grants'
import { chart } from '../ledger/chart'
import type { Ledger } from '../ledger/ledger'
import type { Coupons } from '../coupons/coupons'
import type { Invoices } from '../invoices/invoices'

// Applies one verified provider event to its order, inside the caller's unit of work, with
// exactly one effect or none. The outcome decides the HTTP reply (see pipeline.ts):
// - applied:   the effect and its feed record(s) are written; the event id is remembered.
// - duplicate: the same event id (replay) or the same payment / refund id seen before.
// - stale:     a failure or expiry for an order that has already moved on; nothing to do.
// - deferred:  a refund for an order not yet paid, or a refund's failure before the request it
//              answers is linked to it: the provider must redeliver later (retryable reply).
// - rejected:  unknown order, amount or currency different from the order, a transition the
//              order's state forbids. Not remembered as seen, so every redelivery is judged
//              and logged again.

export type Outcome =
  | { kind: 'applied' | 'duplicate' | 'stale' | 'ignored'; reason?: string }
  | { kind: 'deferred'; reason: 'refund_before_payment' | 'capture_failed' | 'refund_not_linked_yet' }
  | {
      kind: 'rejected'
      reason: 'unknown_order' | 'amount_mismatch' | 'currency_mismatch' | 'forbidden_transition'
    }

/** A payment.succeeded, or a captured payment.approved turned into one. */
type PaymentEvent = Extract<ProviderEvent, { type: 'payment.succeeded' }>

export class EventApplier {
  constructor(
    private readonly store: RelayStore,
    private readonly clock: Clock,
    private readonly feed: Feed,
    private readonly wallet: RelayWallet,
    private readonly grants: Grants,
    private readonly ledger: Ledger,
    private readonly invoices: Invoices,
    /** Coupon redemptions follow their orders (src/relay/coupons). */
    private readonly coupons?: Coupons
  ) {}

  /** What a capture needs to know before its unit of work (read outside one). */
  beforeCapture(provider: ProviderName, eventId: string, orderNo: string): Promise<{ replay: boolean; order: OrderRow | undefined }> {
    return this.store.read(async (tx) => ({
      replay: await tx.notifications.seen(provider, eventId),
      order: await tx.orders.byNo(orderNo)
    }))
  }

  /** Writes one audit row, inside the caller's unit of work. */
  audit(
    tx: StoreTx,
    provider: ProviderName,
    event: { eventId?: string; type?: string; orderNo?: string } | undefined,
    outcome: string,
    reason: string | null,
    remoteAddress: string | null
  ): Awaitable<void> {
    return tx.notifications.log({
      at: this.clock.now(),
      provider,
      eventId: event?.eventId ?? null,
      eventType: event?.type ?? null,
      orderNo: event?.orderNo ?? null,
      outcome,
      reason,
      remoteAddress
    })
  }

  /** Applies one event, inside the caller's unit of work. */
  async apply(tx: StoreTx, provider: ProviderName, event: ProviderEvent | PaymentEvent): Promise<Outcome> {
    if (await tx.notifications.seen(provider, event.eventId)) return { kind: 'duplicate', reason: 'replayed_event_id' }
    const outcome = await this.decide(tx, provider, event)
    if (outcome.kind === 'applied' || outcome.kind === 'duplicate' || outcome.kind === 'stale' || outcome.kind === 'ignored') {
      // Remembered only when the provider may stop delivering it.
      await tx.notifications.remember(provider, event.eventId, 'orderNo' in event ? event.orderNo : null, event.type, this.clock.now())
    }
    return outcome
  }

  private async decide(tx: StoreTx, provider: ProviderName, event: ProviderEvent): Promise<Outcome> {
    if (event.type === 'ignored') return { kind: 'ignored', reason: event.reason }
    const order = await tx.orders.byNo(event.orderNo)
    if (!order || order.provider !== provider) return { kind: 'rejected', reason: 'unknown_order' }
    switch (event.type) {
      case 'payment.succeeded':
        return this.paid(tx, order, event)
      case 'payment.approved':
        // Reached only when the pipeline did not capture (already paid, mismatch, bad state):
        // the pipeline captures first and applies the capture as payment.succeeded.
        return this.checkPayment(order, event.amount) ?? { kind: 'rejected', reason: 'forbidden_transition' }
      case 'payment.failed':
        return this.ended(tx, order, 'failed', event.eventId, event.reason.slice(0, 200))
      case 'checkout.expired':
        return this.ended(tx, order, 'expired', event.eventId, 'checkout_closed')
      case 'refund.succeeded':
        return this.refund(tx, order, event)
      case 'refund.failed':
        return this.refundFailed(tx, order, event)
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

  private async paid(tx: StoreTx, order: OrderRow, event: PaymentEvent): Promise<Outcome> {
    const refused = this.checkPayment(order, event.amount, event.providerPaymentId)
    if (refused) return refused
    await this.recordPaid(tx, order, event.providerPaymentId, `${order.provider}:${event.eventId}`)
    return { kind: 'applied' }
  }

  /**
   * An order paid: its state, feed record, transfers and grant, inside the caller's unit. Also
   * the path of a checkout whose coupon makes it free (no provider; providerPaymentId `free:…`).
   */
  async recordPaid(tx: StoreTx, order: OrderRow, providerPaymentId: string, cause: string): Promise<void> {
    const now = this.clock.now()
    await tx.orders.setPaid(order.id, providerPaymentId, now)
    await tx.orders.logTransition(order.id, order.state, 'paid', cause, now)
    const item = JSON.parse(order.item_json) as CheckoutItem
    const amount = { amount: order.amount, currency: order.currency }
    const discount = { amount: order.discount_amount, currency: order.currency }
    const bonus = { amount: order.bonus_amount, currency: order.currency }
    await this.feed.append(tx, order.account_id, 'payment_confirmed', {
      orderNo: order.order_no,
      provider: order.provider,
      providerPaymentId,
      item,
      amount,
      paidAt: now,
      ...(bonus.amount > 0 ? { bonus } : {}),
      ...(discount.amount > 0 ? { discount } : {})
    })
    // The payment's one transfer (none for a free order): prepaid money into the wallet, or a
    // plan's revenue. A coupon's discount is its own transfer from the discounts account
    // (contra-revenue), so revenue is gross and discounts net it.
    const clearing = chart.clearing(order.provider, order.currency)
    const paymentId = `payment:${order.order_no}`
    const credited = item.kind === 'recharge' ? chart.wallet(order.account_id, order.currency) : chart.planRevenue(item.planCode, item.period, order.currency)
    if (discount.amount > 0) {
      await this.ledger.post(tx, { id: `discount:${order.order_no}`, kind: 'discount', debit: chart.discounts(order.currency), credit: credited, amount: discount, customerAccountId: order.account_id, sourceId: order.id })
    }
    if (item.kind === 'recharge') {
      // Also when the coupon paid it all: what the discount put in the wallet repays debt first.
      await this.wallet.credit(tx, order.account_id, amount, { id: paymentId, from: clearing, sourceId: order.id, feedSourceId: order.order_no })
      if (bonus.amount > 0) await this.wallet.creditBonus(tx, order.account_id, bonus, { id: `bonus:${order.order_no}`, sourceId: order.id })
    } else {
      if (amount.amount > 0) await this.ledger.post(tx, { id: paymentId, kind: 'payment', debit: clearing, credit: credited, amount, customerAccountId: order.account_id, sourceId: order.id })
      await this.grants.grant(tx, order.account_id, { source: 'order', orderId: order.id, orderNo: order.order_no }, { planCode: item.planCode, period: item.period, price: amount }, now)
    }
    await this.coupons?.onPaid(tx, order, now)
    // Its invoice, in the payment's unit of work, showing the coupon's discount.
    await this.invoices.issueForOrder(tx, order, order.discount_amount, now)
  }

  private async ended(tx: StoreTx, order: OrderRow, to: 'failed' | 'expired', eventId: string, reason: string): Promise<Outcome> {
    if (order.state === to) return { kind: 'duplicate', reason: `already_${to}` }
    if (!canTransition(order.state, to)) return { kind: 'stale', reason: `order_is_${order.state}` }
    const now = this.clock.now()
    await tx.orders.setState(order.id, to, now)
    // The app drops its pending checkout (as when the relay's sweeper expires it).
    await recordClosed(tx, { feed: this.feed, coupons: this.coupons }, order, to, reason, `${order.provider}:${eventId}`, now)
    return { kind: 'applied' }
  }

  /**
   * A refund the provider answered pending has failed: the operator's request says so, with the
   * reason, and its amount is no longer held as in flight (refunds/desk.ts), so it can be
   * refunded again under a new key. Nothing had been recorded, so the books do not move. One
   * already recorded (succeeded, then failed) is not undone here: it is logged for the operator.
   */
  private async refundFailed(tx: StoreTx, order: OrderRow, event: Extract<ProviderEvent, { type: 'refund.failed' }>): Promise<Outcome> {
    if (await tx.notifications.refundSeen(order.provider, event.refundId)) return { kind: 'ignored', reason: 'refund_failed_after_recorded' }
    const requests = await tx.refundRequests.ofOrder(order.id)
    const request = requests.find((r) => r.providerRefundId === event.refundId)
    if (!request) {
      // A request whose provider refund id is not stored yet (its call still out, or lost on a
      // timeout) may be this one: redelivered later (not remembered) rather than lost.
      const unlinked = requests.some((r) => r.providerRefundId === null && (r.state === 'requested' || r.state === 'failed'))
      return unlinked ? { kind: 'deferred', reason: 'refund_not_linked_yet' } : { kind: 'ignored', reason: 'refund_failed_not_requested_here' }
    }
    if (request.state === 'failed') return { kind: 'duplicate', reason: 'refund_already_failed' }
    const error = `the refund failed at ${order.provider} (${event.reason.slice(0, 100)}); refund again with a new refund key`
    await tx.refundRequests.update(request.refundKey, { state: 'failed', providerRefundId: event.refundId, error, updatedAt: this.clock.now() })
    return { kind: 'applied' }
  }

  private async refund(tx: StoreTx, order: OrderRow, event: Extract<ProviderEvent, { type: 'refund.succeeded' }>): Promise<Outcome> {
    if (await tx.notifications.refundSeen(order.provider, event.refundId)) return { kind: 'duplicate', reason: 'refund_already_recorded' }
    if (event.amount.currency !== order.currency) return { kind: 'rejected', reason: 'currency_mismatch' }
    if (event.cumulative && event.cumulative.currency !== order.currency) return { kind: 'rejected', reason: 'currency_mismatch' }
    // Any unpaid order may still be paid (transitions.ts): the payment's own event follows.
    if (!PAID_STATES.includes(order.state)) return { kind: 'deferred', reason: 'refund_before_payment' }
    // Where the provider reports only the running total (Alipay refund_fee), this refund is
    // the part not yet recorded; nothing new means a refund already counted.
    const amount = event.cumulative ? event.cumulative.amount - order.refunded_amount : event.amount.amount
    if (event.cumulative && amount <= 0) return { kind: 'duplicate', reason: 'refund_already_recorded' }
    const total = order.refunded_amount + amount
    if (amount <= 0 || total > order.amount) return { kind: 'rejected', reason: 'amount_mismatch' }
    const to = total === order.amount ? 'refunded' : 'partially_refunded'
    if (!canTransition(order.state, to)) return { kind: 'rejected', reason: 'forbidden_transition' }
    const now = this.clock.now()
    await tx.notifications.insertRefund(order.provider, event.refundId, order.id, amount, now)
    await tx.orders.setRefunded(order.id, to, total, now)
    await tx.orders.logTransition(order.id, order.state, to, `${order.provider}:${event.eventId}`, now)
    const item = JSON.parse(order.item_json) as CheckoutItem
    // A recharge's bonus share goes back with it; the record tells devices the part taken from promotion credit.
    const bonus = item.kind === 'recharge' ? await this.wallet.planBonusWithdrawal(tx, order, { before: order.refunded_amount, after: total }) : null
    await this.feed.append(tx, order.account_id, 'refund', {
      orderNo: order.order_no,
      refundId: event.refundId,
      item,
      amount: { amount, currency: order.currency },
      totalRefunded: { amount: total, currency: order.currency },
      orderState: to,
      refundedAt: now,
      ...(bonus && bonus.fromBonus > 0 ? { bonusWithdrawn: { amount: bonus.fromBonus, currency: order.currency } } : {})
    })
    // The refund's one transfer, back to the provider: from the wallet (debt if it was spent), or
    // from the plan's revenue through the refunds account.
    const refund = { amount, currency: order.currency }
    const refundTransfer = { id: `refund:${order.provider}:${event.refundId}`, sourceId: `${order.provider}:${event.refundId}` }
    const clearing = chart.clearing(order.provider, order.currency)
    if (item.kind === 'recharge') {
      await this.wallet.debit(tx, order.account_id, refund, {
        ...refundTransfer,
        kind: 'refund',
        to: clearing,
        feedSourceId: event.refundId,
        reason: 'overdraft'
      })
      if (bonus) await this.wallet.withdrawBonus(tx, order, bonus, event.refundId, now)
    } else {
      await this.ledger.post(tx, { ...refundTransfer, kind: 'refund', debit: chart.refunds(order.currency), credit: clearing, amount: refund, customerAccountId: order.account_id })
      if (to === 'refunded') await revokeForOrder(this.grants, tx, order.account_id, order.id, order.order_no, now)
    }
    await this.coupons?.onRefunded(tx, order, to === 'refunded', now)
    // Its credit note against the order's invoice, in the refund's unit of work.
    await this.invoices.creditForRefund(tx, { kind: 'order', orderNo: order.order_no }, refundTransfer.sourceId, amount, now)
    return { kind: 'applied' }
  }
}
