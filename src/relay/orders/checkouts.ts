import type { Clock } from '../../main/core/clock'
import { assertSameRequest, fingerprint } from '../../main/core/fingerprint'
import type { IdSource } from '../../main/core/ids'
import { BillingError, InvalidInput, NotFound } from '../../shared/errors'
import type {
  CreateCheckoutRequest,
  CreateCheckoutResponse,
  OrderDto,
  RechargeRules
} from '../../shared/relay-contract'
import type { DeviceContext } from '../accounts/accounts'
import type { RelayDb } from '../db/open'
import { priceItem } from '../pricing/catalog'
import type { Checkout, PaymentProvider, ProviderName } from '../providers/types'
import { OrderStore, toOrderDto, type OrderRow } from './store'

// Checkout creation: price from the relay's lists, one order per (account, idempotency key),
// then the provider's checkout. The order row commits before the provider is called, so a
// crash in between leaves a 'created' order that a retry with the same key completes (with
// the same order number, which is also the provider's out_trade_no / reference).

export class Unavailable extends BillingError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('UNAVAILABLE', message, details)
  }
}

export interface CheckoutDeps {
  db: RelayDb
  clock: Clock
  ids: IdSource
  providers: ReadonlyMap<ProviderName, PaymentProvider>
  rechargeRules: RechargeRules
  checkoutTtlMs: number
}

export class Checkouts {
  private readonly store: OrderStore
  /** One provider call per order at a time, even when the same key arrives twice at once. */
  private readonly inflight = new Map<string, Promise<Checkout>>()

  constructor(private readonly deps: CheckoutDeps) {
    this.store = new OrderStore(deps.db)
  }

  async create(ctx: DeviceContext, key: string, req: CreateCheckoutRequest): Promise<CreateCheckoutResponse> {
    const provider = this.deps.providers.get(req.provider)
    if (!provider) throw new InvalidInput(`provider ${req.provider} is not enabled on this relay`, { provider: req.provider })
    const priced = priceItem(req.item, this.deps.rechargeRules)
    const fp = fingerprint(req)
    const { db, clock, ids } = this.deps

    // Committed without blocking the event loop on the fsync, but durable before the provider
    // hears the order number: a lost row could otherwise hand that number to another order.
    const created = db.txGroup(() => {
      const existing = this.store.byKey.get(ctx.accountId, key)
      if (existing) {
        assertSameRequest(key, existing.request_fingerprint, fp)
        return existing
      }
      const now = clock.now()
      const id = `ord_${ids.next()}`
      const orderNo = newOrderNo(now, this.store.nextSeq.get()!.value)
      this.store.insert.run(
        id,
        orderNo,
        ctx.accountId,
        ctx.deviceId,
        key,
        fp,
        req.provider,
        JSON.stringify(req.item),
        priced.subject,
        priced.amount.amount,
        priced.amount.currency,
        now + this.deps.checkoutTtlMs,
        now,
        now
      )
      this.store.logTransition.run(id, 'none', 'created', `checkout by ${ctx.deviceId}`, now)
      return this.store.byId.get(id)!
    })
    await created.durable
    const order = created.value
    if (order.checkout_json !== null) return this.response(order)
    // A retry after the order closed (swept as expired, or paid/failed meanwhile) must not
    // open a new payment page for it: the client starts over with a new key.
    if (order.state !== 'created' || order.expires_at <= clock.now()) {
      throw new BillingError('INVALID_TRANSITION', `order ${order.order_no} is ${order.state === 'created' ? 'expired' : order.state}; start a new checkout with a new Idempotency-Key`, {
        orderNo: order.order_no,
        state: order.state
      })
    }

    let pending = this.inflight.get(order.id)
    if (!pending) {
      pending = provider.createCheckout({
        orderNo: order.order_no,
        amount: { amount: order.amount, currency: order.currency },
        subject: order.subject,
        expiresAt: order.expires_at,
        ...(req.mode ? { mode: req.mode } : {}),
        ...(req.returnUrl ? { returnUrl: req.returnUrl } : {}),
        ...(req.cancelUrl ? { cancelUrl: req.cancelUrl } : {})
      })
      this.inflight.set(order.id, pending)
      pending.then(
        () => this.inflight.delete(order.id),
        () => this.inflight.delete(order.id)
      )
    }
    let checkout: Checkout
    try {
      checkout = await pending
    } catch (err) {
      throw new Unavailable(`${req.provider} could not create the checkout; retry with the same Idempotency-Key`, {
        orderNo: order.order_no,
        cause: err instanceof Error ? err.message.slice(0, 200) : 'unknown'
      })
    }
    const saved = db.txGroup(() => {
      const now = clock.now()
      const row = this.store.byId.get(order.id)!
      if (row.checkout_json === null) this.store.setCheckout.run(JSON.stringify(checkout), checkout.providerRef ?? null, now, row.id)
      if (row.state === 'created') {
        this.store.setState.run('pending', now, row.id)
        this.store.logTransition.run(row.id, 'created', 'pending', 'checkout', now)
      }
      return this.store.byId.get(order.id)!
    })
    await saved.durable
    return this.response(saved.value)
  }

  get(ctx: DeviceContext, orderNo: string): OrderDto {
    const row = this.store.byNo.get(orderNo)
    if (!row || row.account_id !== ctx.accountId) throw new NotFound('order', orderNo)
    return toOrderDto(row)
  }

  private response(row: OrderRow): CreateCheckoutResponse {
    const c = JSON.parse(row.checkout_json!) as Checkout
    return {
      order: toOrderDto(row),
      checkout: { kind: c.kind, content: c.content, expiresAt: c.expiresAt, ...(c.providerRef ? { providerRef: c.providerRef } : {}) }
    }
  }
}

/** R + yyyymmdd (Asia/Shanghai) + 10-digit sequence: 19 chars, fits every provider's limit. */
export function newOrderNo(now: number, seq: number): string {
  const d = new Date(now + 8 * 3600_000)
  const ymd = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`
  return `R${ymd}${String(seq).padStart(10, '0')}`
}
