import type { IdSource } from '../../node/ids'
import type { BillingPeriod, PlanCode } from '../../shared/relay-contract'
import type { RelayDb } from '../db/open'
import type { Feed } from '../feed/feed'
import { addPeriod, anchorDayOf } from '../../shared/calendar'
import { planRank } from '../../shared/catalog'

// Subscription grants: a paid plan order grants its plan for one period. Buying the same plan
// again extends from the end of the running grant; another plan starts now (the app shows
// the best current grant). A full refund revokes the order's grant from that moment.
// Periods are the app's calendar periods (src/shared/calendar.ts, default billing time zone):
// an extension lands on the day the run of grants it extends began (Jan 31 → Feb 28 →
// Mar 31), as the app's mirror of it renews on its subscription's anchor day.
// Methods that write run inside the caller's transaction.


interface GrantRow {
  id: string
  order_id: string
  plan_code: PlanCode
  period: BillingPeriod
  starts_at: number
  ends_at: number | null
  status: 'active' | 'revoked'
}

export interface CurrentPlan {
  planCode: PlanCode
  period: BillingPeriod | null
  periodStart: number
  periodEnd: number | null
}

export class Grants {
  private readonly active
  private readonly insert
  private readonly byOrder
  private readonly revoke
  private readonly ofPlan

  constructor(
    db: RelayDb,
    private readonly feed: Feed,
    private readonly ids: IdSource
  ) {
    const s = db.sqlite
    this.active = s.prepare(
      "SELECT * FROM grants WHERE account_id = ? AND status = 'active' AND (ends_at IS NULL OR ends_at > ?) ORDER BY starts_at"
    )
    this.insert = s.prepare(
      "INSERT INTO grants (id, account_id, order_id, plan_code, period, starts_at, ends_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'active')"
    )
    this.byOrder = s.prepare('SELECT * FROM grants WHERE order_id = ?')
    this.revoke = s.prepare("UPDATE grants SET status = 'revoked', ends_at = ? WHERE id = ?")
    this.ofPlan = s.prepare(
      "SELECT starts_at, ends_at FROM grants WHERE account_id = ? AND plan_code = ? AND status = 'active' AND ends_at IS NOT NULL"
    )
  }

  grant(accountId: string, orderId: string, orderNo: string, planCode: PlanCode, period: BillingPeriod, now: number): void {
    const running = (this.active.all(accountId, now) as GrantRow[]).filter((g) => g.plan_code === planCode)
    const lastEnd = running.reduce<number | null>((end, g) => (g.ends_at === null ? end : Math.max(end ?? 0, g.ends_at)), null)
    const extending = period !== 'lifetime' && lastEnd !== null && lastEnd > now
    const startsAt = extending ? lastEnd : now
    const endsAt = addPeriod(startsAt, period, undefined, anchorDayOf(extending ? this.runStart(accountId, planCode, lastEnd) : now))
    const id = `grant_${this.ids.next()}`
    this.insert.run(id, accountId, orderId, planCode, period, startsAt, endsAt)
    this.feed.append(accountId, 'subscription_grant', {
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
  private runStart(accountId: string, planCode: PlanCode, end: number): number {
    const rows = this.ofPlan.all(accountId, planCode) as { starts_at: number; ends_at: number }[]
    const startByEnd = new Map(rows.map((g) => [g.ends_at, g.starts_at]))
    let start = end
    for (let next = startByEnd.get(start); next !== undefined && next < start; next = startByEnd.get(start)) start = next
    return start
  }

  revokeForOrder(accountId: string, orderId: string, orderNo: string, now: number): void {
    const g = this.byOrder.get(orderId) as GrantRow | undefined
    if (!g || g.status === 'revoked') return
    const endsAt = g.ends_at === null ? now : Math.min(g.ends_at, now)
    this.revoke.run(endsAt, g.id)
    this.feed.append(accountId, 'subscription_grant', {
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
  current(accountId: string, now: number): CurrentPlan {
    const inForce = (this.active.all(accountId, now) as GrantRow[]).filter((g) => g.starts_at <= now)
    if (!inForce.length) return { planCode: 'FREE', period: null, periodStart: now, periodEnd: null }
    const best = inForce.reduce((a, b) => (planRank(b.plan_code) > planRank(a.plan_code) ? b : a))
    return { planCode: best.plan_code, period: best.period, periodStart: best.starts_at, periodEnd: best.ends_at }
  }
}
