import type { Clock } from '../../node/clock'
import type { IdSource } from '../../node/ids'
import { BillingError, CurrencyMismatch, InvalidAmount, InvalidInput, InvalidTransition, NotFound } from '../../shared/errors'
import type { Money } from '../../shared/money'
import { audit, type Actor } from '../console/audit'
import type { EventApplier } from '../notify/apply'
import type { PaymentProvider, ProviderName } from '../providers/types'
import type { OrderRow, RefundRequestRow, RelayStore, StoreTx } from '../store/ports'

// Refunds an operator makes through the provider's refund API (the console, finance role).
// Three steps, so no unit of work waits on the network: (1) a unit records the request under its
// refund key, against what is left to refund; (2) the provider is called with that key as its
// idempotency key, outside any unit; (3) a unit records its answer. A succeeded answer goes
// through the same EventApplier as the provider's refund notification, so whichever of the two
// comes first records the refund (its ledger transfer, feed record, credit note), and the other
// finds it recorded: never twice. A failed call leaves the request `failed`; the same key retries.
// A pending refund the provider fails later (apply.ts, refund.failed) is `failed` with its
// provider refund id: its amount is free again, under a new key.

export interface RefundInput {
  orderNo: string
  /** Omitted: all that is left to refund. */
  amount?: Money
  reason: string
  /** The operator's idempotency key: the same key is the same refund. */
  refundKey: string
}

export interface RefundView {
  refundKey: string
  orderNo: string
  amount: Money
  state: RefundRequestRow['state']
  providerRefundId: string | null
  error: string | null
  reason: string
  requestedBy: string
  createdAt: number
}

const KEY = /^[A-Za-z0-9_.:-]{8,100}$/

export class RefundDesk {
  constructor(
    private readonly store: RelayStore,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly providers: ReadonlyMap<ProviderName, PaymentProvider>,
    private readonly applier: EventApplier
  ) {}

  private get auditDeps() {
    return { ids: this.ids, now: () => this.clock.now() }
  }

  async refund(input: RefundInput, actor: Actor): Promise<RefundView> {
    if (!KEY.test(input.refundKey ?? '')) throw new InvalidInput('refundKey: 8–100 characters of A-Z a-z 0-9 _ . : -', { field: 'refundKey' })
    const reason = (input.reason ?? '').trim()
    if (reason.length < 3 || reason.length > 200) throw new InvalidInput('reason: say why, in 3–200 characters (it goes into the audit log)', { field: 'reason' })
    const { request, order, call } = await this.store.unit((tx) => this.record(tx, input, reason, actor))
    if (!call) return view(request, order)
    const provider = this.providers.get(order.provider)!
    let answer
    try {
      answer = await provider.refund!({
        orderNo: order.order_no,
        providerPaymentId: order.provider_payment_id!,
        refundKey: request.refundKey,
        amount: { amount: request.amount, currency: request.currency },
        orderAmount: { amount: order.amount, currency: order.currency },
        reason
      })
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 300)
      await this.store.unit(async (tx) => {
        await tx.refundRequests.update(request.refundKey, { state: 'failed', providerRefundId: null, error: message, updatedAt: this.clock.now() })
        await audit(tx, this.auditDeps, actor, 'refund.failed', order.order_no, { after: { refundKey: request.refundKey, error: message } })
      })
      throw err instanceof BillingError ? err : new BillingError('UNAVAILABLE', `the ${order.provider} refund failed: ${message}; try again with the same refund key`)
    }
    const done = await this.store.unit(async (tx) => {
      const now = this.clock.now()
      const state = answer.status
      await tx.refundRequests.update(request.refundKey, { state, providerRefundId: answer.refundId, error: null, updatedAt: now })
      if (state === 'succeeded') {
        await this.applier.apply(tx, order.provider, {
          type: 'refund.succeeded',
          eventId: answer.refundId,
          orderNo: order.order_no,
          refundId: answer.refundId,
          amount: answer.amount,
          ...(answer.cumulative ? { cumulative: answer.cumulative } : {}),
          occurredAt: now
        })
      }
      await audit(tx, this.auditDeps, actor, `refund.${state}`, order.order_no, { after: { refundKey: request.refundKey, refundId: answer.refundId, amount: answer.amount } })
      return (await tx.refundRequests.get(request.refundKey))!
    })
    return view(done, order)
  }

  /** The order's refund requests, oldest first. */
  async ofOrder(orderNo: string): Promise<RefundView[]> {
    return this.store.read(async (tx) => {
      const order = await tx.orders.byNo(orderNo)
      if (!order) throw new NotFound('order', orderNo)
      const out: RefundView[] = []
      for (const r of await tx.refundRequests.ofOrder(order.id)) {
        // A pending refund its notification has recorded since is shown as what it is now.
        const recorded = r.state === 'pending' && r.providerRefundId !== null && (await tx.notifications.refundSeen(order.provider, r.providerRefundId))
        out.push(view(recorded ? { ...r, state: 'succeeded' } : r, order))
      }
      return out
    })
  }

  /** Step 1: the request, recorded (or found again by its key); `call`: the provider is to be asked. */
  private async record(tx: StoreTx, input: RefundInput, reason: string, actor: Actor): Promise<{ request: RefundRequestRow; order: OrderRow; call: boolean }> {
    const order = await tx.orders.byNo(input.orderNo)
    if (!order) throw new NotFound('order', input.orderNo)
    const now = this.clock.now()
    const known = await tx.refundRequests.get(input.refundKey)
    if (known) {
      if (known.orderId !== order.id || (input.amount && (input.amount.amount !== known.amount || input.amount.currency !== known.currency))) {
        throw new BillingError('IDEMPOTENCY_CONFLICT', `refund key ${input.refundKey} was used for another refund; use a new key`, { refundKey: input.refundKey })
      }
      // The provider made this refund and it failed later: the same key would only be answered
      // with that refund again (the provider's idempotency), so a new key is needed.
      if (known.state === 'failed' && known.providerRefundId !== null) {
        throw new BillingError('IDEMPOTENCY_CONFLICT', `refund ${known.refundKey} failed at ${order.provider} after it was made; refund again with a new refund key`, { refundKey: known.refundKey })
      }
      // Requested (a call that did not answer) or failed: ask again with the same key; the
      // provider's idempotency makes it the same refund.
      if (known.state === 'requested' || known.state === 'failed') {
        await tx.refundRequests.update(known.refundKey, { state: 'requested', providerRefundId: null, error: null, updatedAt: now })
        return { request: { ...known, state: 'requested' }, order, call: true }
      }
      return { request: known, order, call: false }
    }
    const provider = this.providers.get(order.provider)
    if (!provider?.refund) throw new BillingError('METHOD_UNAVAILABLE', `refunds through ${order.provider} are not available on this relay; refund in the provider's own dashboard`)
    if (order.state !== 'paid' && order.state !== 'partially_refunded') throw new InvalidTransition('order', order.state, 'refunded')
    if (!order.provider_payment_id) throw new InvalidTransition('order', `${order.state} without a provider payment`, 'refunded')
    const left = order.amount - order.refunded_amount - (await this.inFlight(tx, order))
    const amount = input.amount ?? { amount: left, currency: order.currency }
    if (amount.currency !== order.currency) throw new CurrencyMismatch(order.currency, amount.currency)
    if (!Number.isSafeInteger(amount.amount) || amount.amount <= 0 || amount.amount > left) {
      throw new InvalidAmount(`a refund of this order is 1–${left} minor units (${order.currency}); ${order.refunded_amount} are refunded already`, {
        left,
        refunded: order.refunded_amount
      })
    }
    const request: RefundRequestRow = {
      refundKey: input.refundKey,
      orderId: order.id,
      amount: amount.amount,
      currency: amount.currency,
      reason,
      requestedBy: actor.name,
      state: 'requested',
      providerRefundId: null,
      error: null,
      createdAt: now,
      updatedAt: now
    }
    await tx.refundRequests.insert(request)
    // Writes the order row (same values): two refunds of one order racing on PostgreSQL then
    // conflict and one re-runs, seeing the other's request in what is left.
    await tx.orders.setRefunded(order.id, order.state, order.refunded_amount, now)
    await audit(tx, this.auditDeps, actor, 'refund.request', order.order_no, { after: { refundKey: request.refundKey, amount, reason } })
    return { request, order, call: true }
  }

  /** Requested or pending refunds not recorded yet: not refundable again meanwhile. */
  private async inFlight(tx: StoreTx, order: OrderRow): Promise<number> {
    let sum = 0
    for (const r of await tx.refundRequests.ofOrder(order.id)) {
      if (r.state === 'requested' || (r.state === 'pending' && !(r.providerRefundId && (await tx.notifications.refundSeen(order.provider, r.providerRefundId))))) {
        sum += r.amount
      }
    }
    return sum
  }
}

function view(r: RefundRequestRow, order: OrderRow): RefundView {
  return {
    refundKey: r.refundKey,
    orderNo: order.order_no,
    amount: { amount: r.amount, currency: r.currency },
    state: r.state,
    providerRefundId: r.providerRefundId,
    error: r.error,
    reason: r.reason,
    requestedBy: r.requestedBy,
    createdAt: r.createdAt
  }
}
