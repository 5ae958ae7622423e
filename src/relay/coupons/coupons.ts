import type { Clock } from '../../node/clock'
import type { IdSource } from '../../node/ids'
import type { CouponRefusal, Quote, QuoteRequest } from '../../shared/billing/coupons'
import { BillingError } from '../../shared/errors'
import { includedTax, money, type Money } from '../../shared/money'
import type { CheckoutItem, OutboxRecord } from '../../shared/relay-contract'
import type { CatalogDocument } from '../../shared/catalog'
import { CatalogVersions } from '../catalog/catalog'
import type { Feed } from '../feed/feed'
import type { JobRunner } from '../jobs/runner'
import { priceItem } from '../pricing/catalog'
import type { CouponGrantRow, PromotionCodeRow } from '../store/coupons'
import type { OrderRow, StoreTx } from '../store/ports'
import { grantRecord, toCoupon, type Coupon } from './definitions'
import { judgeCoupon, REFUSAL_MESSAGES, type Verdict } from './rules'

// Quotes and redemptions. One function prices a quote and a checkout (priceFor), so a checkout
// charges exactly what its quote said. A checkout with a code reserves the redemption with its
// order, in the order's own unit of work, by conditional updates of the counters (never a read
// then a write); the reservation is
// - consumed when the order is paid (a payment after a release takes it again, beyond the
//   limit if need be: the customer paid the discounted price, so the discount stands);
// - released when the order expires, fails or is cancelled (the limits count it no more);
// - given back on a full refund (the account may use it again); a partial refund keeps it.
// An account-bound coupon (a grant) is used once: available → used by a conditional update.
// A grant that took a redemption and has an end is released at its end if still unused (a job
// keyed by the grant: available → expired, the redemption given back), so it holds the
// coupon's limits no longer than that. A promotion code claimed by a wallet quote ends after the
// checkout TTL, as a checkout's reservation does; a device that bought with it before the end,
// offline, is still honoured when its purchase arrives later (the redemption taken again, beyond
// the limit if need be, as for a payment after a release).

/** The job that releases an unused grant at its end (key: the grant id). */
export const GRANT_RELEASE_JOB = 'coupon_grant_release'
/**
 * Gives every available grant with an end its release job, for grants made before releases
 * existed (jobs/schedule.ts enqueues it; once a week as done jobs are forgotten, a no-op then).
 */
export const GRANT_RELEASE_SCAN_JOB = 'coupon_grant_release_scan'

export const DEFAULT_TAX_RATE = '0.06'

/** A promotion code that does not apply (a checkout refuses it rather than charge the full price). */
export class CouponRefused extends BillingError {
  constructor(readonly refusal: CouponRefusal, code: string) {
    super('COUPON_REFUSED', `${code}: ${REFUSAL_MESSAGES[refusal]}`, stackless({ refusal, code }))
    Error.stackTraceLimit = stackLimit
  }
}

// A refusal is an answer, not a fault: its stack is never shown, and capturing one is a large
// share of a refused checkout's CPU (a coupon race refuses most of its checkouts). The limit is
// 0 only while super() builds the error (set as its arguments are evaluated), then restored.
let stackLimit = Error.stackTraceLimit
function stackless<T>(v: T): T {
  stackLimit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  return v
}

/** What a priced item with a coupon that applies carries into its order. */
export interface Priced {
  quote: Quote
  subject: string
  applied?: { coupon: Coupon; code: PromotionCodeRow | undefined; discount: Money }
}

export interface CouponsOptions {
  clock: Clock
  jobs: JobRunner
  /** How long a promotion code claimed by a wallet quote is held unused (the checkout TTL). */
  claimHoldMs: number
}

export class Coupons {
  private readonly versions = new CatalogVersions()

  constructor(
    private readonly feed: Feed,
    private readonly ids: IdSource,
    private readonly options: CouponsOptions
  ) {
    options.jobs.register(GRANT_RELEASE_JOB, { handler: { unit: (tx, job) => this.releaseExpired(tx, job.key, options.clock.now()) } })
    options.jobs.register(GRANT_RELEASE_SCAN_JOB, {
      handler: {
        unit: async (tx) => {
          for (const g of await tx.coupons.endingGrants()) await options.jobs.enqueue(tx, GRANT_RELEASE_JOB, g.id, null, g.valid_until!)
        }
      }
    })
  }

  /** The price of `req.item` for the account by the catalog in force: list, discount, tax, total, bonus. */
  async priceFor(tx: StoreTx, accountId: string, req: QuoteRequest, now: number, doc?: CatalogDocument): Promise<Priced> {
    const catalog = doc ?? (await this.versions.inForce(tx, now)).document
    const { amount: list, subject } = priceItem(req.item, catalog)
    let discount = money(0, list.currency)
    let applied: Priced['applied']
    let refusal: Quote['refusal']
    if (req.code !== undefined) {
      const judged = await this.judgeCode(tx, accountId, req.code, req.item, list, now)
      if (judged.ok) {
        applied = { coupon: judged.coupon, code: judged.code, discount: judged.discount }
        discount = judged.discount
      } else {
        refusal = { code: judged.refusal, message: REFUSAL_MESSAGES[judged.refusal] }
      }
    }
    const total = money(list.amount - discount.amount, list.currency)
    const taxRate = catalog.taxRate ?? DEFAULT_TAX_RATE
    const bonus = req.item.kind === 'recharge' ? rechargeBonus(catalog, req.item.amount.amount) : 0
    const quote: Quote = {
      item: req.item,
      catalogVersion: catalog.version,
      listPrice: list,
      discount,
      taxRate,
      tax: includedTax(total, taxRate),
      total,
      ...(bonus > 0 ? { bonus: money(bonus, list.currency) } : {}),
      ...(applied
        ? { coupon: { couponId: applied.coupon.id, code: req.code!, name: applied.coupon.name, off: applied.coupon.off, duration: applied.coupon.duration } }
        : {}),
      ...(refusal ? { refusal } : {})
    }
    return { quote, subject, ...(applied ? { applied } : {}) }
  }

  private async judgeCode(tx: StoreTx, accountId: string, codeText: string, item: CheckoutItem, list: Money, now: number) {
    const code = await tx.coupons.code(codeText)
    const row = code && (await tx.coupons.coupon(code.coupon_id))
    if (!code || !row) return { ok: false as const, refusal: 'unknown' as const }
    const coupon = toCoupon(row)
    const verdict = judgeCoupon(coupon, code, {
      now,
      item,
      list,
      hasPurchased: coupon.firstPurchaseOnly ? await tx.coupons.hasPurchased(accountId) : false,
      // Read only where a per-account limit exists: nothing else looks at them.
      couponUses: coupon.perAccountLimit !== null ? await tx.coupons.uses(`coupon:${coupon.id}`, accountId) : 0,
      codeUses: code.per_account_limit !== null ? await tx.coupons.uses(`code:${code.code}`, accountId) : 0
    })
    return verdict.ok ? { ...verdict, coupon, code } : verdict
  }

  /**
   * Takes one redemption of the coupon and code for the account against every limit, or throws
   * CouponRefused (used_up / already_used) and the caller's unit rolls back whatever it took.
   */
  async take(tx: StoreTx, accountId: string, coupon: Coupon, code: PromotionCodeRow | undefined, now: number): Promise<void> {
    const c = tx.coupons
    const label = code?.code ?? coupon.id
    if (!(await c.takeUse(`coupon:${coupon.id}`, accountId, coupon.perAccountLimit))) throw new CouponRefused('already_used', label)
    if (code && !(await c.takeUse(`code:${code.code}`, accountId, code.per_account_limit))) throw new CouponRefused('already_used', label)
    if (!(await c.takeCoupon(coupon.id, now))) throw new CouponRefused('used_up', label)
    if (code && !(await c.takeCode(code.code))) throw new CouponRefused('used_up', label)
  }

  /** A checkout's reservation, in the order's unit of work. */
  async reserve(tx: StoreTx, accountId: string, orderId: string, item: CheckoutItem, applied: NonNullable<Priced['applied']>, now: number): Promise<void> {
    await this.take(tx, accountId, applied.coupon, applied.code, now)
    await tx.coupons.insertRedemption({
      id: `red_${this.ids.next()}`,
      coupon_id: applied.coupon.id,
      code: applied.code?.code ?? null,
      grant_id: null,
      account_id: accountId,
      order_id: orderId,
      purchase_id: null,
      state: 'reserved',
      discount: applied.discount.amount,
      currency: applied.discount.currency,
      ...planOf(item, applied.coupon),
      created_at: now,
      updated_at: now
    })
  }

  /** The order was paid: its reservation is consumed (taken again if it had been released). */
  async onPaid(tx: StoreTx, order: OrderRow, now: number): Promise<void> {
    const r = await tx.coupons.redemptionOfOrder(order.id)
    if (!r) return
    if (await tx.coupons.moveRedemption(r.id, 'reserved', 'consumed', now)) return
    if (await tx.coupons.moveRedemption(r.id, 'released', 'consumed', now)) await tx.coupons.retake(r.coupon_id, r.code, r.account_id, now)
  }

  /** The order expired, failed or was cancelled unpaid: its reservation counts no more. */
  async onClosed(tx: StoreTx, order: OrderRow, now: number): Promise<void> {
    const r = await tx.coupons.redemptionOfOrder(order.id)
    if (r && (await tx.coupons.moveRedemption(r.id, 'reserved', 'released', now))) await tx.coupons.giveBack(r.coupon_id, r.code, r.account_id, now)
  }

  /** A full refund gives the redemption back; a partial one keeps it. */
  async onRefunded(tx: StoreTx, order: OrderRow, full: boolean, now: number): Promise<void> {
    if (!full) return
    const r = await tx.coupons.redemptionOfOrder(order.id)
    if (r && (await tx.coupons.moveRedemption(r.id, 'consumed', 'returned', now))) await tx.coupons.giveBack(r.coupon_id, r.code, r.account_id, now)
  }

  /** The quote of a wallet purchase with the account's available grant of a code (claimed by an earlier quote). */
  async priceWithGrant(tx: StoreTx, accountId: string, req: QuoteRequest, g: CouponGrantRow, now: number): Promise<Quote> {
    const base = await this.priceFor(tx, accountId, { item: req.item }, now)
    const coupon = toCoupon((await tx.coupons.coupon(g.coupon_id))!)
    const verdict = judgeGrant(coupon, g, req.item, base.quote.listPrice, now)
    if (!verdict.ok) return { ...base.quote, refusal: { code: verdict.refusal, message: REFUSAL_MESSAGES[verdict.refusal] } }
    const taxRate = base.quote.taxRate
    return {
      ...base.quote,
      discount: verdict.discount,
      total: verdict.total,
      tax: includedTax(verdict.total, taxRate),
      coupon: { couponId: coupon.id, code: g.code ?? undefined, name: coupon.name, off: coupon.off, duration: coupon.duration },
      grantId: g.id
    }
  }

  /**
   * A wallet renewal of a plan bought with a repeating or forever coupon: the account's newest
   * consumed redemption for that plan and period with renewals left gives one more, as an
   * account-bound grant (renewal_of names it; one renewal counted off now), which the device's
   * subscription_purchase names like any grant. Undefined when none is left.
   */
  async renewalGrant(tx: StoreTx, accountId: string, item: Extract<CheckoutItem, { kind: 'plan' }>, now: number): Promise<CouponGrantRow | undefined> {
    const r = await tx.coupons.renewable(accountId, item.planCode, item.period)
    if (!r) return undefined
    const issued = await tx.coupons.renewalGrant(r.id)
    if (issued) return issued
    if (!(await tx.coupons.takeRenewal(r.id, now))) return undefined
    const coupon = toCoupon((await tx.coupons.coupon(r.coupon_id))!)
    return this.issueGrant(tx, coupon, { id: `cg_${this.ids.next()}`, accountId, code: null, validUntil: null, renewalOf: r.id }, now)
  }

  /**
   * A wallet-paid plan with a promotion code (a quote with payment 'wallet'): the code becomes
   * an account-bound grant, its redemption taken now, which the device's subscription_purchase
   * then names (a second quote finds that grant: priceWithGrant).
   */
  async claimForWallet(tx: StoreTx, accountId: string, priced: Priced, now: number): Promise<CouponGrantRow | undefined> {
    const a = priced.applied
    if (!a?.code) return undefined
    await this.take(tx, accountId, a.coupon, a.code, now)
    const untils = [a.coupon.validUntil, a.code.valid_until, now + this.options.claimHoldMs].filter((v): v is number => v !== null)
    return this.issueGrant(tx, a.coupon, { id: `cg_${this.ids.next()}`, accountId, code: a.code.code, validUntil: untils.length ? Math.min(...untils) : null }, now)
  }

  /** Writes a grant and its signed coupon_grant record. */
  async issueGrant(
    tx: StoreTx,
    coupon: Coupon,
    g: { id: string; accountId: string; code: string | null; validUntil: number | null; renewalOf?: string },
    now: number
  ): Promise<CouponGrantRow> {
    const row: CouponGrantRow = {
      id: g.id,
      coupon_id: coupon.id,
      account_id: g.accountId,
      code: g.code,
      state: 'available',
      valid_from: coupon.validFrom ?? now,
      valid_until: g.validUntil,
      used_by: null,
      renewal_of: g.renewalOf ?? null,
      created_at: now,
      updated_at: now
    }
    await tx.coupons.insertGrant(row)
    await this.feed.append(tx, g.accountId, 'coupon_grant', grantRecord(row, coupon, now))
    // A renewal's grant took no redemption of its own: nothing to give back at its end.
    if (row.valid_until !== null && row.renewal_of === null) await this.options.jobs.enqueue(tx, GRANT_RELEASE_JOB, row.id, null, row.valid_until)
    return row
  }

  /** The grant's end came unused: expired on every device, its redemption given back (GRANT_RELEASE_JOB). */
  async releaseExpired(tx: StoreTx, grantId: string, now: number): Promise<void> {
    const g = await tx.coupons.grant(grantId)
    if (!g || g.state !== 'available' || g.renewal_of !== null || g.valid_until === null || g.valid_until > now) return
    if (await this.moveGrant(tx, g, 'expired', null, now)) await tx.coupons.giveBack(g.coupon_id, g.code, g.account_id, now)
  }

  /** Moves a grant and tells every device of the account (the record is sent again with its state). */
  async moveGrant(tx: StoreTx, g: CouponGrantRow, to: CouponGrantRow['state'], usedBy: string | null, now: number): Promise<boolean> {
    if (!(await tx.coupons.moveGrant(g.id, g.state, to, usedBy, now))) return false
    const coupon = toCoupon((await tx.coupons.coupon(g.coupon_id))!)
    await this.feed.append(tx, g.account_id, 'coupon_grant', grantRecord({ ...g, state: to }, coupon, now))
    return true
  }

  /**
   * A device's use of an account-bound grant for a wallet purchase (offline or online): confirmed
   * when the grant is the account's, available (or expired since: bought before its end), valid
   * when bought, for this plan, and the discount is exactly the coupon's on the list price.
   * Confirmed: the grant is used (once, by a conditional update) and its redemption consumed (an
   * expired grant's taken again first). Otherwise the reason, and nothing changes.
   */
  async useGrant(tx: StoreTx, accountId: string, rec: Purchase, list: Money, now: number): Promise<{ ok: true; coupon: Coupon } | { ok: false; reason: string }> {
    const use = rec.coupon!
    const g = await tx.coupons.grant(use.grantId)
    if (!g || g.account_id !== accountId) return { ok: false, reason: 'unknown coupon grant' }
    if (g.state !== 'available' && g.state !== 'expired') return { ok: false, reason: `coupon grant is ${g.state}` }
    const coupon = toCoupon((await tx.coupons.coupon(g.coupon_id))!)
    const verdict = judgeGrant(coupon, g, { kind: 'plan', planCode: rec.planCode, period: rec.period }, list, Math.min(rec.occurredAt, now))
    if (!verdict.ok) return { ok: false, reason: `coupon grant does not apply: ${verdict.refusal}` }
    if (verdict.discount.amount !== use.discount.amount || verdict.discount.currency !== use.discount.currency) {
      return { ok: false, reason: `wrong discount: the coupon gives ${verdict.discount.amount}` }
    }
    // Released at its end, unused as far as the relay knew: the limits count it again.
    if (g.state === 'expired' && !(await this.takeAgain(tx, coupon, g, now))) return { ok: false, reason: 'coupon grant expired and the account used the coupon again since' }
    if (!(await this.moveGrant(tx, g, 'used', rec.id, now))) return { ok: false, reason: 'coupon grant was used elsewhere' }
    await tx.coupons.insertRedemption({
      id: `red_${this.ids.next()}`,
      coupon_id: coupon.id,
      code: g.code,
      grant_id: g.id,
      account_id: accountId,
      order_id: null,
      purchase_id: rec.id,
      state: 'consumed',
      discount: use.discount.amount,
      currency: use.discount.currency,
      ...planOf({ kind: 'plan', planCode: rec.planCode, period: rec.period }, coupon),
      // A renewal's own use gives no renewals: the count stays on the redemption it continues.
      ...(g.renewal_of ? { periods_left: 0 } : {}),
      created_at: now,
      updated_at: now
    })
    return { ok: true, coupon }
  }

  /**
   * An expired grant's use heard late takes its redemption again: beyond the total limit if
   * need be (the device priced it while the grant was valid), never past the account's own
   * limits (a first-purchase coupon is once per account). When the account's use went meanwhile
   * to a later claim of the same code not used yet, that claim is withdrawn and the use goes to
   * this purchase.
   */
  private async takeAgain(tx: StoreTx, coupon: Coupon, g: CouponGrantRow, now: number): Promise<boolean> {
    const c = tx.coupons
    const code = g.code ? await c.code(g.code) : undefined
    const couponLimit = coupon.firstPurchaseOnly ? Math.min(coupon.perAccountLimit ?? 1, 1) : coupon.perAccountLimit
    const full = async () =>
      (couponLimit !== null && (await c.uses(`coupon:${coupon.id}`, g.account_id)) >= couponLimit) ||
      (code !== undefined && code.per_account_limit !== null && (await c.uses(`code:${code.code}`, g.account_id)) >= code.per_account_limit)
    if (await full()) {
      const later = g.code ? await c.grantByCode(g.account_id, g.code) : undefined
      if (!later || later.id === g.id || !(await this.moveGrant(tx, later, 'expired', null, now))) return false
      await c.giveBack(later.coupon_id, later.code, later.account_id, now)
      if (await full()) return false
    }
    await c.retake(coupon.id, g.code, g.account_id, now)
    return true
  }
}

type Purchase = Extract<OutboxRecord, { kind: 'subscription_purchase' }>

/** What a redemption of a plan remembers for its renewals: once 0, repeating N → N − 1, forever null. */
function planOf(item: CheckoutItem, coupon: Coupon): { plan_code: string | null; period: string | null; periods_left: number | null } {
  if (item.kind !== 'plan') return { plan_code: null, period: null, periods_left: 0 }
  const d = coupon.duration
  return { plan_code: item.planCode, period: item.period, periods_left: d.kind === 'once' ? 0 : d.kind === 'repeating' ? d.periods - 1 : null }
}

/**
 * Whether a grant's coupon applies at `at`: the grant is the account's one use (the coupon's
 * limits were taken when it was granted), so only its dates, plans and amounts count.
 */
function judgeGrant(coupon: Coupon, g: CouponGrantRow, item: CheckoutItem, list: Money, at: number): Verdict {
  if (at < g.valid_from) return { ok: false, refusal: 'not_yet_valid' }
  if (g.valid_until !== null && at >= g.valid_until) return { ok: false, refusal: 'expired' }
  const open = { ...coupon, active: true, totalLimit: null, perAccountLimit: null, firstPurchaseOnly: false, validFrom: null, validUntil: null }
  return judgeCoupon(open, undefined, { now: at, item, list, hasPurchased: false, couponUses: 0, codeUses: 0 })
}

/** The bonus of a recharge of `amount`: the rule with the highest min reached, or 0. */
export function rechargeBonus(doc: CatalogDocument, amount: number): number {
  let best: { min: number; bonus: number } | undefined
  for (const b of doc.rechargeBonuses ?? []) if (amount >= b.min && (!best || b.min > best.min)) best = b
  return best?.bonus ?? 0
}
