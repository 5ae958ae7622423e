import type { Money } from '../../shared/money'
import { PlanCodeSchema, type BillingPeriod, type Notice, type PlanCode } from '../../shared/relay-contract'
import type { Subscription } from '../subscriptions'
import { shortfall } from '../../shared/billing/shortfall'
import { dedupeKey } from './keys'

// Reminders this device computes by itself, offline, from its subscription mirror and the
// relay's signed lease (issue 18): a plan about to end 7, 3 and 1 days before; a trial about to
// end; an auto-renewal the wallet cannot cover (with the shortfall). Pure: the caller passes
// what it knows now, and stores what comes back once (by dedupe key).
// - Only the latest threshold crossed is due: after days offline, one reminder says how many
//   days are left, not three in a row. A threshold before the period began is never due (a
//   7-day trial gets its 3- and 1-day reminders only).
// - An auto-renewal the wallet covers needs no reminder; short of money it is renewal_short.
// - The lease's plan is reminded of only when no live local subscription of that plan exists:
//   the local mirror knows whether it renews, the lease does not.

export const REMINDER_DAYS = [7, 3, 1] as const
const DAY = 86_400_000

export interface LeaseFacts {
  planCode: PlanCode
  period: BillingPeriod | null
  periodStart: number
  periodEnd: number | null
}

export interface ReminderInput {
  now: number
  /** The billing time zone: the end's day in the dedupe key. */
  timeZone: string
  subscription: Subscription | null
  /** The relay's lease while honoured, else null. */
  lease: LeaseFacts | null
  /** What the wallet can pay with: the cash and promotion credit. */
  available: Money
  /** Owed: a renewal needs it repaid first (promotion credit never repays it). Default none. */
  debt?: Money
}

export function dueReminders(i: ReminderInput): Notice[] {
  const out: Notice[] = []
  const s = i.subscription
  const planCode = PlanCodeSchema.safeParse(s?.planCode)
  if (s && planCode.success) {
    const end = s.status === 'trialing' ? (s.trialEndsAt ?? s.currentPeriodEnd) : s.currentPeriodEnd
    if (end !== null && (s.status === 'trialing' || s.status === 'active' || s.status === 'cancelled')) {
      const start = s.status === 'trialing' ? s.startedAt : s.currentPeriodStart
      const renews = s.status === 'active' && s.autoRenew && !s.cancelAtPeriodEnd
      const short = shortfall(i.debt?.amount ?? 0, s.price.amount, i.available.amount)
      const base = { planCode: planCode.data, period: s.period, endsAt: end }
      if (s.status === 'trialing') push(out, i, 'trial_ending', start, base)
      else if (!renews) push(out, i, 'subscription_ending', start, base)
      else if (short > 0) push(out, i, 'renewal_short', start, { ...base, shortfall: { amount: short, currency: s.price.currency } })
    }
  }
  const l = i.lease
  const coveredLocally = s !== null && s.planCode === l?.planCode && s.status !== 'expired'
  if (l && l.planCode !== 'FREE' && l.periodEnd !== null && !coveredLocally) {
    push(out, i, 'subscription_ending', l.periodStart, { planCode: l.planCode, ...(l.period ? { period: l.period } : {}), endsAt: l.periodEnd })
  }
  return out
}

function push(out: Notice[], i: ReminderInput, kind: Notice['kind'], start: number, params: Notice['params'] & { endsAt: number }): void {
  const { endsAt } = params
  if (i.now >= endsAt) return
  const crossed = REMINDER_DAYS.filter((d) => endsAt - d * DAY <= i.now && endsAt - d * DAY > start)
  const daysLeft = crossed.at(-1)
  if (daysLeft === undefined) return
  const notice = { kind, at: endsAt - daysLeft * DAY, params: { ...params, daysLeft } }
  out.push({ noticeId: `local:${dedupeKey(notice, i.timeZone)!}`, ...notice })
}
