import { randomBytes } from 'node:crypto'
import type { Clock } from '../../node/clock'
import { fingerprint, replayOf } from '../../node/fingerprint'
import type { IdSource } from '../../node/ids'
import { BillingError, NotFound } from '../../shared/errors'
import type {
  CreateCheckoutRequest,
  CreateCheckoutResponse,
  OrderDto
} from '../../shared/relay-contract'
import { CatalogVersions } from '../catalog/catalog'
import type { CatalogDelivery } from '../catalog/delivery'
import type { Feed } from '../feed/feed'
import type { DeviceContext } from '../accounts/accounts'
import type { OrderRow, RelayStore, StoreTx } from '../store/ports'
import { CouponRefused, type Coupons } from '../coupons/coupons'
import type { Checkout, PaymentProvider, ProviderName } from '../providers/types'
import { assertReturnUrlsAllowed, type ReturnUrlAllowlist } from './return-urls'
import { toOrderDto } from './dto'
import { recordClosed } from './close'
import { canTransition, PAID_STATES } from './transitions'

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
  store: RelayStore
  clock: Clock
  ids: IdSource
  providers: ReadonlyMap<ProviderName, PaymentProvider>
  /** Appends the catalog version an order was priced by to the account's feed. */
  catalog: CatalogDelivery
  checkoutTtlMs: number
  /** Prices (the quote's function) and reserves coupons. */
  coupons: Coupons
  /** Where a cancelled order's order_closed record goes. */
  feed: Feed
  /** Records a free order (total 0 after its coupon) as paid, without a provider. */
  settleFree: (tx: StoreTx, order: OrderRow) => Promise<void>
}

function refuseIfPaid(row: OrderRow): void {
  if (PAID_STATES.includes(row.state)) {
    throw new BillingError('INVALID_TRANSITION', `order ${row.order_no} is already ${row.state} and cannot be cancelled`, { orderNo: row.order_no, state: row.state })
  }
}

/** A cancel's answer: the order, and whether the provider's checkout was closed (for the log). */
export interface CancelOutcome {
  order: OrderDto
  provider: { outcome: 'closed' } | { outcome: 'already_closed' } | { outcome: 'not_closed'; reason: string }
}

export class Checkouts {
  /** One provider call per order at a time, even when the same key arrives twice at once. */
  private readonly inflight = new Map<string, Promise<OrderRow>>()
  private readonly versions = new CatalogVersions()

  constructor(private readonly deps: CheckoutDeps) {}

  /**
   * `returnUrls` is RELAY_RETURN_URL_ALLOWLIST (the HTTP route passes the relay's config):
   * a client returnUrl / cancelUrl outside it is refused before anything is written. The
   * default, an empty list, refuses every client URL.
   */
  async create(
    ctx: DeviceContext,
    key: string,
    req: CreateCheckoutRequest,
    returnUrls: ReturnUrlAllowlist = []
  ): Promise<CreateCheckoutResponse> {
    const provider = this.deps.providers.get(req.provider)
    if (!provider) throw new BillingError('METHOD_UNAVAILABLE', `provider ${req.provider} is not enabled on this relay`, { method: req.provider })
    assertReturnUrlsAllowed(req, returnUrls)
    // Computed when needed: a replay check or a new order (a refused code needs neither).
    let fp: string | undefined
    const fpOf = () => (fp ??= fingerprint(req))
    const { store, clock, ids } = this.deps

    // Committed without blocking the event loop on the fsync, but durable before the provider
    // hears the order number: a lost row could otherwise hand that number to another order.
    const created = await store.unitGrouped(async (tx) => {
      const stored = await tx.orders.byKey(ctx.accountId, key)
      const existing = stored && replayOf(key, fpOf(), { fingerprint: stored.request_fingerprint, order: stored }, (s) => s.order)
      if (existing) return existing
      const now = clock.now()
      // Priced by the catalog in force now; a replay above keeps the amount it was first priced at.
      const inForce = await this.versions.inForce(tx, now)
      const catalog = inForce.document
      if (!catalog.paymentMethods.includes(req.provider)) {
        throw new BillingError('METHOD_UNAVAILABLE', `${req.provider} is not offered now; choose one of: ${catalog.paymentMethods.join(', ') || 'none'}`, {
          method: req.provider,
          catalogVersion: catalog.version
        })
      }
      // The quote's own pricing, so the checkout charges what POST /v1/quotes said.
      const priced = await this.deps.coupons.priceFor(tx, ctx.accountId, { item: req.item, ...(req.code ? { code: req.code } : {}) }, now, catalog)
      if (priced.quote.refusal) throw new CouponRefused(priced.quote.refusal.code, req.code!)
      const total = priced.quote.total
      const id = `ord_${ids.next()}`
      const orderNo = newOrderNo(now, await tx.orders.nextSeq())
      await tx.orders.insert({
        id,
        order_no: orderNo,
        account_id: ctx.accountId,
        device_id: ctx.deviceId,
        client_key: key,
        request_fingerprint: fpOf(),
        provider: req.provider,
        item_json: JSON.stringify(req.item),
        subject: priced.subject,
        amount: total.amount,
        currency: total.currency,
        discount_amount: priced.quote.discount.amount,
        bonus_amount: priced.quote.bonus?.amount ?? 0,
        catalog_version: inForce.version,
        expires_at: now + this.deps.checkoutTtlMs,
        created_at: now
      })
      await tx.orders.logTransition(id, 'none', 'created', `checkout by ${ctx.deviceId}`, now)
      if (priced.applied) await this.deps.coupons.reserve(tx, ctx.accountId, id, req.item, priced.applied, now)
      // Before this order's payment in the feed: the device records the plan at this price.
      await this.deps.catalog.appendIfMissing(tx, ctx.accountId, inForce)
      if (total.amount === 0) {
        // Free by its coupon: paid at once by the one paid path, no provider, no payment page.
        await this.deps.settleFree(tx, (await tx.orders.byId(id))!)
        await tx.orders.setCheckout(id, JSON.stringify({ kind: 'url', content: '', expiresAt: now } satisfies Checkout), null, now)
      }
      return (await tx.orders.byId(id))!
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

    // One provider checkout per order in this process: a concurrent retry joins the one under
    // way until its result is stored (with several instances, a retry on another one may open a
    // second page for the same order number; either pays the order once).
    let pending = this.inflight.get(order.id)
    if (!pending) {
      pending = this.openCheckout(provider, order, req)
      this.inflight.set(order.id, pending)
      pending.then(
        () => this.inflight.delete(order.id),
        () => this.inflight.delete(order.id)
      )
    }
    return this.response(await pending)
  }

  /** Asks the provider for the checkout, then stores it (the order moves to pending). */
  private async openCheckout(provider: PaymentProvider, order: OrderRow, req: CreateCheckoutRequest): Promise<OrderRow> {
    const { store, clock } = this.deps
    let checkout: Checkout
    try {
      checkout = await provider.createCheckout({
        orderNo: order.order_no,
        amount: { amount: order.amount, currency: order.currency },
        subject: order.subject,
        expiresAt: order.expires_at,
        ...(req.mode ? { mode: req.mode } : {}),
        ...(req.returnUrl ? { returnUrl: req.returnUrl } : {}),
        ...(req.cancelUrl ? { cancelUrl: req.cancelUrl } : {})
      })
    } catch (err) {
      throw new Unavailable(`${req.provider} could not create the checkout; retry with the same Idempotency-Key`, {
        orderNo: order.order_no,
        cause: err instanceof Error ? err.message.slice(0, 200) : 'unknown'
      })
    }
    const saved = await store.unitGrouped(async (tx) => {
      const now = clock.now()
      const row = (await tx.orders.byId(order.id))!
      if (row.checkout_json === null) await tx.orders.setCheckout(row.id, JSON.stringify(checkout), checkout.providerRef ?? null, now)
      if (row.state === 'created') {
        await tx.orders.setState(row.id, 'pending', now)
        await tx.orders.logTransition(row.id, 'created', 'pending', 'checkout', now)
      }
      return (await tx.orders.byId(order.id))!
    })
    await saved.durable
    return saved.value
  }

  /**
   * The customer withdrew the checkout. The provider is asked first to close its checkout, so
   * the old QR code or page takes no more money; only once it has is the order cancelled in one
   * unit: its coupon reservation released and every device told (order_closed). Until then money
   * may still arrive, so an order the provider could not close stays open with its coupon
   * reserved (the answer says so; asking again retries; the sweeper expires it at the latest).
   * Cancelling again, or an order already closed unpaid, answers the order as it is; a paid
   * order is refused. A payment that arrives after all is recorded (cancelled → paid).
   */
  async cancel(ctx: DeviceContext, orderNo: string): Promise<CancelOutcome> {
    const { store, clock } = this.deps
    const row = await store.read(async (tx) => tx.orders.byNo(orderNo), { durable: true })
    if (!row || row.account_id !== ctx.accountId) throw new NotFound('order', orderNo)
    refuseIfPaid(row)
    if (!canTransition(row.state, 'cancelled')) return { order: toOrderDto(row), provider: { outcome: 'already_closed' } }
    const closing = await this.closeAtProvider(row)
    if (closing.outcome !== 'closed') return { order: toOrderDto(row), provider: closing }
    const done = await store.unitGrouped(async (tx) => {
      const current = (await tx.orders.byId(row.id))!
      refuseIfPaid(current)
      // Closed meanwhile by the sweeper or a provider event: nothing more to do.
      if (!canTransition(current.state, 'cancelled')) return current
      const now = clock.now()
      await tx.orders.setState(current.id, 'cancelled', now)
      await recordClosed(tx, this.deps, current, 'cancelled', 'checkout_cancelled', `cancelled by ${ctx.deviceId}`, now)
      return (await tx.orders.byId(row.id))!
    })
    await done.durable
    return { order: toOrderDto(done.value), provider: closing }
  }

  private async closeAtProvider(row: OrderRow): Promise<CancelOutcome['provider']> {
    const provider = this.deps.providers.get(row.provider as ProviderName)
    if (!provider?.closeCheckout) return { outcome: 'not_closed', reason: `${row.provider} has no close call` }
    // No checkout stored yet: the provider's may be under way or its answer lost, so nothing
    // proves the provider takes no money for this order number.
    if (row.checkout_json === null) return { outcome: 'not_closed', reason: 'the checkout is still being opened' }
    try {
      await provider.closeCheckout({ orderNo: row.order_no, providerRef: row.provider_ref })
      return { outcome: 'closed' }
    } catch (err) {
      return { outcome: 'not_closed', reason: err instanceof Error ? err.message.slice(0, 200) : 'unknown' }
    }
  }

  /** The caller's order, as on disk. */
  async get(ctx: DeviceContext, orderNo: string): Promise<OrderDto> {
    const row = await this.deps.store.read(async (tx) => tx.orders.byNo(orderNo), { durable: true })
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

// Order numbers are the providers' out_trade_no / reference, and providers dedupe by them
// for the merchant's whole life. The sequence is unique only within one database, so a
// re-created database, or one restored from an older backup, would hand out numbers the
// providers have already seen (Alipay and WeChat refuse them or answer for the old trade).
// Hence a random tail per order: 40 bits, so a reused (date, sequence) pair collides with
// probability 2^-40. Only [0-9A-Z], 27 chars: within WeChat's 6–32 [A-Za-z0-9_-|*],
// Alipay's 64 letters/digits/underscore, and Stripe's and PayPal's longer limits.

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
export const ORDER_NO_PATTERN = /^R\d{8}\d{10}[0-9A-HJKMNP-TV-Z]{8}$/

/** 8 Crockford base32 characters from 40 random bits. */
export function randomOrderNoTail(bytes: Uint8Array = randomBytes(5)): string {
  let bits = 0n
  for (const b of bytes.subarray(0, 5)) bits = (bits << 8n) | BigInt(b)
  let out = ''
  for (let i = 0; i < 8; i++) out = CROCKFORD[Number((bits >> BigInt(5 * i)) & 31n)] + out
  return out
}

/** R + yyyymmdd (Asia/Shanghai) + 10-digit sequence + 8-char random tail: 27 chars. */
export function newOrderNo(now: number, seq: number, tail: string = randomOrderNoTail()): string {
  const d = new Date(now + 8 * 3600_000)
  const ymd = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`
  return `R${ymd}${String(seq).padStart(10, '0')}${tail}`
}
