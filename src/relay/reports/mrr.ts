import Decimal from 'decimal.js'
import { PERIOD_MONTHS } from '../../shared/catalog/periods'
import { MONEY_ROUNDING } from '../../shared/money'
import type { GrantRow } from '../store/ports'

// Monthly recurring revenue from the relay's subscription grants: each grant running at an
// instant and not revoked (a refunded grant is taken out of the history too) counts its price
// per month — quarterly ÷ 3, yearly ÷ 12, rounded per grant with MONEY_ROUNDING; a lifetime plan
// is one-time revenue (the revenue report) and counts 0 here, as do trials and operators' grants
// (price 0). Prices are what was paid, VAT included. ARR = 12 × MRR.
// Movement between two instants, per account: new (none → some), expansion (up), contraction
// (down, not to none), churn (some → none); start + new + expansion − contraction − churn = end.

export type { MrrAt, MrrMovement } from '../../shared/console/reports'
import type { MrrAt, MrrMovement } from '../../shared/console/reports'

export function monthlyOf(g: GrantRow): number {
  const months = g.period === 'lifetime' ? null : PERIOD_MONTHS[g.period as keyof typeof PERIOD_MONTHS]
  if (!months || g.price_minor === null) return 0
  return new Decimal(Number(g.price_minor)).dividedBy(months).toDecimalPlaces(0, MONEY_ROUNDING).toNumber()
}

/** currency → account → MRR at one instant. */
export function mrrByAccount(grants: GrantRow[]): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>()
  for (const g of grants) {
    const m = monthlyOf(g)
    if (m === 0 || !g.currency) continue
    const accounts = out.get(g.currency) ?? new Map<string, number>()
    accounts.set(g.account_id, (accounts.get(g.account_id) ?? 0) + m)
    out.set(g.currency, accounts)
  }
  return out
}

export function mrrAt(at: number, grants: GrantRow[]): MrrAt {
  const result: MrrAt = { at, mrr: {}, arr: {}, payingAccounts: {} }
  for (const [currency, accounts] of mrrByAccount(grants)) {
    const mrr = [...accounts.values()].reduce((s, v) => s + v, 0)
    result.mrr[currency] = mrr
    result.arr[currency] = 12 * mrr
    result.payingAccounts[currency] = accounts.size
  }
  return result
}

export function mrrMovement(from: number, to: number, before: GrantRow[], after: GrantRow[]): MrrMovement {
  const a = mrrByAccount(before)
  const b = mrrByAccount(after)
  const movement: MrrMovement['movement'] = {}
  for (const currency of new Set([...a.keys(), ...b.keys()])) {
    const start = a.get(currency) ?? new Map<string, number>()
    const end = b.get(currency) ?? new Map<string, number>()
    const m = { start: 0, new: 0, expansion: 0, contraction: 0, churn: 0, end: 0 }
    for (const v of start.values()) m.start += v
    for (const v of end.values()) m.end += v
    for (const account of new Set([...start.keys(), ...end.keys()])) {
      const x = start.get(account) ?? 0
      const y = end.get(account) ?? 0
      if (x === 0 && y > 0) m.new += y
      else if (x > 0 && y === 0) m.churn += x
      else if (y > x) m.expansion += y - x
      else if (x > y) m.contraction += x - y
    }
    movement[currency] = m
  }
  return { from, to, movement }
}
