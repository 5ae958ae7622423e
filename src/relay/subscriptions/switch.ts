import Decimal from 'decimal.js'
import { addPeriod } from '../../shared/calendar'
import type { RecurringPeriod } from '../../shared/catalog/periods'
import { catalogPlan, planRank } from '../../shared/catalog'
import type { BillingPeriod, PlanCode } from '../../shared/relay-contract'
import type { GrantRow } from '../store/ports'

// The one rule for a plan switch (docs/sync.md, "Plan grants"): a grant of another plan takes
// the place of the running ones it may replace, and their unused PAID time becomes time of the
// new plan, converted at the two plans' prices per period and rounded up to whole days: a
// downgrade gets more days, an upgrade fewer, no paid value is lost. Lifetime on either side:
// a lifetime is replaced only by a lifetime of a higher tier, and replaces a periodic plan only
// of the same or a lower tier (a lifetime cannot be extended, nor handed back); a grant that
// replaces nothing runs beside the others (the best plan in force applies).

const DAY_MS = 86_400_000
const MAX_CARRY_DAYS = 3650

export interface NewGrant {
  planCode: PlanCode
  period: BillingPeriod
  /** What it cost (minor units). */
  price: number
}

/** Whether `next` takes the place of the running grant `g`. */
export function replaces(g: GrantRow, next: NewGrant): boolean {
  if (g.plan_code === next.planCode) return false
  if (g.ends_at === null) return next.period === 'lifetime' && planRank(next.planCode) > planRank(g.plan_code)
  if (next.period === 'lifetime') return planRank(next.planCode) >= planRank(g.plan_code)
  return true
}

/** The price paid for a grant: kept on it, or (grants from before prices were kept) the catalog's. */
function paidFor(g: GrantRow): number {
  return g.price_minor ?? catalogPlan(g.plan_code, g.period)?.price ?? 0
}

/**
 * Whole days of `next` worth the unused paid time of the grants it replaces at `at` (0 for a
 * lifetime on either side, or nothing left).
 */
export function carriedDays(replaced: readonly GrantRow[], next: NewGrant, at: number): number {
  if (next.period === 'lifetime') return 0
  const newSpan = addPeriod(at, next.period as RecurringPeriod) - at
  let ms = new Decimal(0)
  for (const g of replaced) {
    if (g.ends_at === null || g.period === 'lifetime') continue
    // The grant's own paid part (time carried into it from an earlier switch counts at its price too).
    const unused = g.ends_at - Math.max(g.starts_at, at)
    const price = paidFor(g)
    if (unused <= 0 || price <= 0) continue
    const oldSpan = addPeriod(at, g.period as RecurringPeriod) - at
    // Same currency is assumed (one catalog currency); value for value, or time for time when the new plan is free.
    ms = next.price > 0 ? ms.add(new Decimal(unused).mul(price).mul(newSpan).div(new Decimal(oldSpan).mul(next.price))) : ms.add(unused)
  }
  return Math.min(MAX_CARRY_DAYS, ms.div(DAY_MS).ceil().toNumber())
}
