import type { IdSource } from '../../node/ids'
import type { Money } from '../../shared/money'
import type { BillingPeriod, FeedData, PlanCode } from '../../shared/relay-contract'
import type { Feed } from '../feed/feed'
import type { GrantRow, StoreTx } from '../store/ports'
import { addDays, addPeriod, anchorDayOf } from '../../shared/calendar'
import { planRank } from '../../shared/catalog'
import { carriedDays, replaces } from './switch'

// The relay's subscription records (docs/sync.md, "Plan grants"). A grant is one paid period of
// a plan, whatever paid for it: a provider order or the wallet (a device's subscription_purchase).
// Buying the same plan again extends from the end of the running grant (time for time, whatever
// the period); another plan takes the place of the running ones by the switch rule (switch.ts).
// Periods are the app's calendar periods (src/shared/calendar.ts, default billing time zone): an
// extension lands on the day its run of grants began (Jan 31 → Feb 28 → Mar 31), as the app's
// mirror renews on its subscription's anchor day. Every change is a `subscription_grant` feed
// record the devices mirror. Every method runs inside the caller's unit of work.

export interface CurrentPlan {
  planCode: PlanCode
  period: BillingPeriod | null
  periodStart: number
  periodEnd: number | null
}

/** What paid for a grant (an operator's grant is paid by nobody: price 0, it carries nothing over). */
export type GrantSource =
  | { source: 'order'; orderId: string; orderNo: string }
  | { source: 'wallet'; purchaseId: string; deviceId: string }
  | { source: 'operator' }

export interface GrantInput {
  planCode: PlanCode
  period: BillingPeriod
  price: Money
}

export class Grants {
  constructor(
    private readonly feed: Feed,
    private readonly ids: IdSource
  ) {}

  /** Grants `plan` for one period from `at` (or from the end of the same plan's running grant). */
  async grant(tx: StoreTx, accountId: string, paid: GrantSource, plan: GrantInput, at: number): Promise<GrantRow> {
    const { planCode, period } = plan
    const active = await tx.grants.active(accountId, at)
    const running = active.filter((g) => g.plan_code === planCode)
    const lastEnd = running.reduce<number | null>((end, g) => (g.ends_at === null ? end : Math.max(end ?? 0, g.ends_at)), null)
    const extending = period !== 'lifetime' && lastEnd !== null && lastEnd > at
    const startsAt = extending ? lastEnd : at
    const anchor = extending ? await this.runStart(tx, accountId, planCode, lastEnd) : at
    const baseEnd = addPeriod(startsAt, period, undefined, anchorDayOf(anchor))
    const next = { planCode, period, price: plan.price.amount }
    const replaced = extending ? [] : active.filter((g) => replaces(g, next))
    const days = baseEnd === null ? 0 : carriedDays(replaced, next, at)
    const endsAt = baseEnd !== null && days > 0 ? addDays(baseEnd, days) : baseEnd
    for (const g of replaced) {
      // Its unused time is carried over (above); it ends where the new plan starts.
      const end = Math.max(g.starts_at, at)
      await tx.grants.update(g.id, { status: 'replaced', startsAt: g.starts_at, endsAt: end })
      await this.announce(tx, accountId, { ...g, ends_at: end, status: 'replaced' }, await this.orderNoOf(tx, g), null)
    }
    const row: GrantRow = {
      id: `grant_${this.ids.next()}`,
      account_id: accountId,
      source: paid.source,
      order_id: paid.source === 'order' ? paid.orderId : null,
      purchase_id: paid.source === 'wallet' ? paid.purchaseId : null,
      device_id: paid.source === 'wallet' ? paid.deviceId : null,
      plan_code: planCode,
      period,
      price_minor: plan.price.amount,
      currency: plan.price.currency,
      starts_at: startsAt,
      ends_at: endsAt,
      carried_ms: endsAt === null || baseEnd === null ? 0 : endsAt - baseEnd,
      carried_from: days > 0 ? replaced.map((g) => g.id).join(',') : null,
      status: 'active'
    }
    await tx.grants.insert(row)
    await this.announce(tx, accountId, row, paid.source === 'order' ? paid.orderNo : paid.source === 'wallet' ? paid.purchaseId : row.id, null)
    return row
  }

  /**
   * A trial the relay confirmed, as its subscription record: from when it started to its end, at
   * no price (its time is never carried over). Its record in the feed is the trial_decision.
   */
  async recordTrial(tx: StoreTx, accountId: string, t: { deviceId: string; planCode: PlanCode; period: BillingPeriod; startsAt: number; endsAt: number }): Promise<void> {
    await tx.grants.insert({
      id: `grant_${this.ids.next()}`,
      account_id: accountId,
      source: 'trial',
      order_id: null,
      purchase_id: null,
      device_id: t.deviceId,
      plan_code: t.planCode,
      period: t.period,
      price_minor: 0,
      currency: null,
      starts_at: t.startsAt,
      ends_at: t.endsAt,
      carried_ms: 0,
      carried_from: null
    })
  }

  /** Appends the grant's `subscription_grant` record (status: the grant's, or 'shortened' for a take-back). */
  async announce(
    tx: StoreTx,
    accountId: string,
    g: GrantRow,
    orderNo: string,
    accessUntil: number | null,
    status: FeedData<'subscription_grant'>['status'] = g.status
  ): Promise<void> {
    const data: FeedData<'subscription_grant'> = {
      grantId: g.id,
      orderNo,
      source: g.source,
      purchaseId: g.purchase_id,
      deviceId: g.device_id,
      planCode: g.plan_code,
      period: g.period,
      startsAt: g.starts_at,
      endsAt: g.ends_at,
      status,
      accessUntil
    }
    await this.feed.append(tx, accountId, 'subscription_grant', data)
  }

  /** The payment id a grant's records name: its order's number, the wallet purchase's record id, or (trial, operator) the grant's own id. */
  async orderNoOf(tx: StoreTx, g: GrantRow): Promise<string> {
    if (g.purchase_id !== null) return g.purchase_id
    if (g.order_id === null) return g.id
    return (await tx.orders.byId(g.order_id))?.order_no ?? g.order_id
  }

  /**
   * When the run of back-to-back grants of `planCode` ending at `end` began: each extension
   * starts at the end of the one before, which may have ended already.
   */
  private async runStart(tx: StoreTx, accountId: string, planCode: PlanCode, end: number): Promise<number> {
    const rows = await tx.grants.ofPlan(accountId, planCode)
    const startByEnd = new Map(rows.map((g) => [g.ends_at, g.starts_at]))
    let start = end
    for (let next = startByEnd.get(start); next !== undefined && next < start; next = startByEnd.get(start)) start = next
    return start
  }

  /**
   * The best plan in force now; FREE when none. A trial gives its plan through the trial
   * subscription on the device that started it, not through the lease: another device of the
   * account whose own trial was refused does not get it (its record here is the account's one
   * trial, for the switch rule and the books).
   */
  async current(tx: StoreTx, accountId: string, now: number): Promise<CurrentPlan> {
    const inForce = (await tx.grants.active(accountId, now)).filter((g) => g.starts_at <= now && g.source !== 'trial')
    if (!inForce.length) return { planCode: 'FREE', period: null, periodStart: now, periodEnd: null }
    const best = inForce.reduce((a, b) => (planRank(b.plan_code) > planRank(a.plan_code) ? b : a))
    return { planCode: best.plan_code, period: best.period, periodStart: best.starts_at, periodEnd: best.ends_at }
  }
}
