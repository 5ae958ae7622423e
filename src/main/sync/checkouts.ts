import { fingerprint, replayOf } from '../../node/fingerprint'
import type { IdSource } from '../../node/ids'
import type { BillingDb } from '../db/open'
import type { SubscriptionService } from '../subscriptions'
import { BillingError, InvalidInput, InvalidTransition, NotFound } from '../../shared/errors'
import { checkoutCreateInput, orderRefInput, type Input, type Output } from '../../shared/ipc/contract'
import type { CheckoutItem, OrderState } from '../../shared/relay-contract'
import { parsePlanId, planId as planIdOf } from '../../shared/ipc/plan-id'
import { RelayError, type RelayClient } from './relay-client'
import type { OrderRow, SyncStore } from './store'

// Payment by provider: the order is recorded locally first (status 'creating'), then the
// relay is asked for the checkout with a stable Idempotency-Key, so a lost reply or a crash
// is completed by asking again with the same key (the relay answers the same order). The
// money arrives only through the signed feed (apply.ts), never through these replies.
// Cleaned up: a relay order that expired, failed or was cancelled; a local order past its
// expiry; a 'creating' order nobody retried. A late payment for any of them still credits.

export type Checkout = Output<'checkout.create'>

/** failure_reason of a cancelled order the relay has cancelled too (null: not told yet). */
const RELAY_CANCELLED = 'checkout_cancelled'
/** An order still 'creating' this long after it was recorded is given up. */
const CREATING_TTL_MS = 30 * 60_000
/** Slack before a local order past the checkout's expiry is marked expired. */
const EXPIRY_SLACK_MS = 5 * 60_000

export class CheckoutFlow {
  constructor(
    private readonly d: {
      db: BillingDb
      store: SyncStore
      ids: IdSource
      client: () => RelayClient
      subscriptions: () => SubscriptionService
      now: () => number
      changed: (orderId: string) => void
    }
  ) {}

  async create(raw: Input<'checkout.create'>): Promise<Checkout> {
    const parsed = checkoutCreateInput.safeParse(raw)
    if (!parsed.success) throw new InvalidInput('invalid checkout request', { issues: parsed.error.issues.map((i) => i.message) })
    const input = parsed.data
    // A code joins the fingerprint only when given: keys stored before codes existed still match.
    const fp = fingerprint({ method: input.method, purpose: input.purpose, ...(input.code ? { code: input.code } : {}) })
    const { store } = this.d
    // A retry resumes the order its key created; another request under that key is a conflict.
    let order = replayOf(input.idempotencyKey, fp, store.orderByKey.get(input.idempotencyKey), (row) => row)
    if (!order) {
      const now = this.d.now()
      const id = `ord-${this.d.ids.next()}`
      let amount: { amount: number; currency: string }
      let plan: { planCode: string; period: string } | null = null
      if (input.purpose.kind === 'recharge') amount = input.purpose.amount
      else {
        plan = parsePlanId(input.purpose.planId)
        const p = this.d.subscriptions().getPlan(plan.planCode, plan.period as never)
        // Refused here, before any order row: nothing to pay for, or not on sale.
        if (p.price.amount <= 0 || !p.active) throw new InvalidInput('this plan cannot be bought', { planId: input.purpose.planId })
        amount = p.price
      }
      store.orderInsert.run(
        id,
        `co-${id}`,
        input.idempotencyKey,
        fp,
        input.method,
        input.purpose.kind,
        plan?.planCode ?? null,
        plan?.period ?? null,
        plan ? planIdOf(plan.planCode, plan.period) : null,
        amount.amount,
        amount.currency,
        now + CREATING_TTL_MS,
        now,
        now,
        input.code ?? null
      )
      order = store.orderById.get(id)!
    }
    if (order.status !== 'creating') return this.view(order)
    return this.view(await this.complete(order))
  }

  /** Asks the relay for the order's checkout (same key every time). */
  private async complete(order: OrderRow): Promise<OrderRow> {
    const item: CheckoutItem =
      order.kind === 'recharge'
        ? { kind: 'recharge', amount: { amount: order.amount, currency: order.currency as 'CNY' } }
        : { kind: 'plan', planCode: order.plan_code as 'BASIC', period: order.period as 'monthly' }
    try {
      const res = await this.d.client().createCheckout(order.relay_key, {
        provider: order.method as 'alipay',
        item,
        ...(order.coupon_code ? { code: order.coupon_code } : {})
      })
      const now = this.d.now()
      this.d.store.orderCheckout.run(
        res.order.orderNo,
        res.checkout.kind,
        res.checkout.content,
        res.checkout.expiresAt,
        res.order.amount.amount,
        now,
        order.id
      )
    } catch (err) {
      if (err instanceof RelayError && !err.retryable) {
        this.setStatus(order, 'failed', `${err.code}: ${err.message}`)
        // The method is switched off on the relay: say so (the renderer offers the others).
        if (err.code === 'METHOD_UNAVAILABLE') throw new BillingError('METHOD_UNAVAILABLE', `${order.method} is not enabled on the relay`, { method: order.method })
        // The code does not apply (any more): its reason, for the sentence beside the field.
        if (err.code === 'COUPON_REFUSED') throw new BillingError('COUPON_REFUSED', err.message, { reason: err.details?.['refusal'] ?? err.details?.['reason'], code: order.coupon_code })
        throw new InvalidInput(`the relay refused the checkout: ${err.message}`, { code: err.code })
      }
      const why = err instanceof Error ? err.message : String(err)
      throw new BillingError('UNAVAILABLE', `the payment service cannot be reached; try again (${why})`, { orderId: order.id })
    }
    const saved = this.d.store.orderById.get(order.id)!
    this.d.changed(saved.id)
    return saved
  }

  status(raw: Input<'checkout.status'>): Checkout {
    return this.view(this.get(raw))
  }

  /**
   * The streamer withdraws the checkout. The relay is told first: once the provider has closed
   * its QR code or page, the relay cancels the order and frees its coupon at once; an order the
   * relay already has paid is not cancelled (its payment arrives with the feed). Here the order
   * is cancelled at once either way; until the relay has it cancelled (unreachable, or the
   * provider could not close yet), poll() asks again, up to the checkout's expiry, when the
   * relay closes it itself.
   */
  async cancel(raw: Input<'checkout.cancel'>): Promise<Checkout> {
    const order = this.get(raw)
    if (order.status !== 'pending' && order.status !== 'creating') throw new InvalidTransition('checkout', order.status, 'cancelled')
    // No order number yet: a relay order may still be made for it; poll() tells it once known.
    const told = order.order_no !== null && (await this.tellRelay(order.order_no))
    const current = this.d.store.orderById.get(order.id)!
    // A payment may have been applied while the relay was asked: it stays paid.
    if (current.status === 'pending' || current.status === 'creating') this.setStatus(current, 'cancelled', told ? RELAY_CANCELLED : null)
    return this.view(this.d.store.orderById.get(order.id)!)
  }

  /** True once the relay has the order closed (cancelled, expired, failed, or none such); false to ask again later. */
  private async tellRelay(orderNo: string): Promise<boolean> {
    try {
      const { order } = await this.d.client().cancelOrder(orderNo)
      return order.state !== 'created' && order.state !== 'pending'
    } catch (err) {
      if (err instanceof RelayError && err.code === 'INVALID_TRANSITION') {
        throw new InvalidTransition('checkout', String(err.details?.['state'] ?? 'paid'), 'cancelled')
      }
      return err instanceof RelayError && err.status === 404
    }
  }

  /** The URL main opens in the browser for a 'url' checkout; the renderer never sends one. */
  url(orderId: string): string {
    const order = this.get({ orderId })
    if (order.display_kind !== 'url' || !order.content) throw new InvalidTransition('checkout', order.display_kind ?? 'creating', 'open')
    return order.content
  }

  waiting(): number {
    return this.d.store.ordersOpen.all().filter((o) => o.status === 'pending').length
  }

  /** Polls the relay for open orders; paid ones are credited by the feed, not here. */
  async poll(): Promise<void> {
    const now = this.d.now()
    // Cancels the relay does not have yet, asked again (it answers the same when it has).
    // Paid meanwhile (the refusal): nothing to ask any more; the feed brings the payment.
    for (const order of this.d.store.ordersCancelUnsent.all(now)) {
      if (await this.tellRelay(order.order_no!).catch(() => true)) this.d.store.orderCancelTold.run(RELAY_CANCELLED, now, order.id)
    }
    for (const order of this.d.store.ordersOpen.all()) {
      if (order.status === 'creating') {
        if (now >= order.expires_at) this.setStatus(order, 'failed', 'the checkout was never created')
        continue
      }
      if (!order.order_no) continue
      let state: OrderState
      try {
        state = (await this.d.client().order(order.order_no)).order.state
      } catch (err) {
        if (err instanceof RelayError && err.status === 404) state = 'failed'
        else throw err
      }
      if (state === 'expired' || state === 'cancelled' || state === 'failed') this.setStatus(order, state, state === 'failed' ? 'payment failed' : null)
      else if ((state === 'pending' || state === 'created') && now >= order.expires_at + EXPIRY_SLACK_MS) this.setStatus(order, 'expired', null)
    }
  }

  private setStatus(order: OrderRow, status: OrderRow['status'], reason: string | null): void {
    this.d.store.orderStatus.run(status, reason, this.d.now(), order.id)
    this.d.changed(order.id)
  }

  private get(raw: { orderId: string }): OrderRow {
    const parsed = orderRefInput.safeParse(raw)
    if (!parsed.success) throw new InvalidInput('invalid order reference')
    const order = this.d.store.orderById.get(parsed.data.orderId) ?? this.d.store.orderByNo.get(parsed.data.orderId)
    if (!order) throw new NotFound('checkout', parsed.data.orderId)
    return order
  }

  byOrderNo(orderNo: string): OrderRow | undefined {
    return this.d.store.orderByNo.get(orderNo)
  }

  view(o: OrderRow): Checkout {
    return {
      orderId: o.id,
      method: o.method as Checkout['method'],
      purpose: o.kind === 'plan' ? { kind: 'plan', planId: o.plan_id ?? '' } : { kind: 'recharge' },
      amount: { amount: o.amount, currency: o.currency as 'CNY' },
      status: o.status === 'creating' ? 'pending' : o.status,
      display: o.display_kind === 'qr' && o.content ? { kind: 'qr', content: o.content } : { kind: 'url' },
      expiresAt: o.expires_at,
      createdAt: o.created_at,
      failureReason: o.failure_reason
    }
  }
}
