import type { IdSource } from '../../node/ids'
import type { BillingPeriod, PlanCode } from '../../shared/relay-contract'
import type { Feed } from '../feed/feed'
import type { StoreTx } from '../store/ports'
import { addPeriod, anchorDayOf } from '../../shared/calendar'
import { planRank } from '../../shared/catalog'

// Subscription grants: a paid plan order grants its plan for one period. Buying the same plan
// again extends from the end of the running grant; another plan starts now (the app shows
// the best current grant). A full refund revokes the order's grant from that moment.
// Periods are the app's calendar periods (src/shared/calendar.ts, default billing time zone):
// an extension lands on the day the run of grants it extends began (Jan 31 → Feb 28 →
// Mar 31), as the app's mirror of it renews on its subscription's anchor day.
// Every method runs inside the caller's unit of work.

export interface CurrentPlan {
  planCode: PlanCode
  period: BillingPeriod | null
  periodStart: number
  periodEnd: number | null
}

export class Grants {
  constructor(
    private readonly feed: Feed,
    private readonly ids: IdSource
  ) {}

  async grant(tx: StoreTx, accountId: string, orderId: string, orderNo: string, planCode: PlanCode, period: BillingPeriod, now: number): Promise<void> {
    const running = (await tx.grants.active(accountId, now)).filter((g) => g.plan_code === planCode)
    const lastEnd = running.reduce<number | null>((end, g) => (g.ends_at === null ? end : Math.max(end ?? 0, g.ends_at)), null)
    const extending = period !== 'lifetime' && lastEnd !== null && lastEnd > now
    const startsAt = extending ? lastEnd : now
    const anchor = extending ? await this.runStart(tx, accountId, planCode, lastEnd) : now
    const endsAt = addPeriod(startsAt, period, undefined, anchorDayOf(anchor))
    const id = `grant_${this.ids.next()}`
    await tx.grants.insert({ id, account_id: accountId, order_id: orderId, plan_code: planCode, period, starts_at: startsAt, ends_at: endsAt })
    await this.feed.append(tx, accountId, 'subscription_grant', {
      grantId: id,
      orderNo,
      planCode,
      period,
      startsAt,
      endsAt,
      status: 'active'
    })
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

  async revokeForOrder(tx: StoreTx, accountId: string, orderId: string, orderNo: string, now: number): Promise<void> {
    const g = await tx.grants.byOrder(orderId)
    if (!g || g.status === 'revoked') return
    const endsAt = g.ends_at === null ? now : Math.min(g.ends_at, now)
    await tx.grants.revoke(g.id, endsAt)
    await this.feed.append(tx, accountId, 'subscription_grant', {
      grantId: g.id,
      orderNo,
      planCode: g.plan_code,
      period: g.period,
      startsAt: g.starts_at,
      endsAt,
      status: 'revoked'
    })
  }

  /** The best plan in force now; FREE when none. */
  async current(tx: StoreTx, accountId: string, now: number): Promise<CurrentPlan> {
    const inForce = (await tx.grants.active(accountId, now)).filter((g) => g.starts_at <= now)
    if (!inForce.length) return { planCode: 'FREE', period: null, periodStart: now, periodEnd: null }
    const best = inForce.reduce((a, b) => (planRank(b.plan_code) > planRank(a.plan_code) ? b : a))
    return { planCode: best.plan_code, period: best.period, periodStart: best.starts_at, periodEnd: best.ends_at }
  }
}
