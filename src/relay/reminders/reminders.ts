import { shortfall } from '../../shared/billing/shortfall'
import type { Clock } from '../../node/clock'
import { documentPlan, documentReminders, type CatalogReminders } from '../../shared/catalog'
import type { FeedData, Notice, PlanCode } from '../../shared/relay-contract'
import type { RelayWallet } from '../accounts/wallet'
import { catalogInForce } from '../catalog/catalog'
import type { JobRunner } from '../jobs/runner'
import type { Notices } from '../notifications/notices'
import type { GrantRow, JobRow, StoreTx } from '../store/ports'
import type { Grants } from '../subscriptions/grants'

// Reminders and dunning (issue 18), from the relay's own records, on the schedule of the catalog
// in force (CatalogDocument.reminders; defaults 7, 3, 1 days before an end; notices on days 0, 3,
// 7 of a 10-day grace). Each reminder is a job keyed by what it is about (the grant and the end
// it was computed for, and the offset), enqueued when a record changes the subscription or the
// debt, so it is sent once. When it runs it checks its reason again in its own unit, and does
// nothing when the reason is gone: a renewal (the grant no longer ends the run), a switch (the
// grant was replaced), a refund (revoked, or its end moved: the move enqueued reminders for the
// new end), a debt settled or a new one begun. Its notice commits with the job (a `unit` job).
//
// Auto-renew stays on the device and offline; the relay never hears the switch. Its rule: a run
// whose last period the device paid from the wallet as an automatic renewal (a
// subscription_purchase with action auto_renew) is auto-renewing. Then no "ending" reminder goes
// out while the relay's wallet balance covers the next period at the catalog's price; when it
// does not, a `renewal_short` notice says by how much. Any other run gets the ending reminders.
//
// Debts (the rule): a debt is the wallet's. While any is outstanding, pay-per-use stops on every
// device at once (the lease's debt). It never blocks a plan period paid for apart from it (by a
// provider, an operator, or the wallet while its balance covered the price): such a period runs
// to its end whatever is owed. A plan bought from the wallet with money it did not hold (its
// purchase started the debt, or came while one was outstanding) is what the debt is owed for:
// when the grace period ends with the debt unpaid, those periods end (revoked; every device's
// lease falls back), in the spirit of Kill Bill's overdue states (warnings, then blocked).

export const REMINDER_JOB = 'reminders.due'
const DAY = 86_400_000

type Reminder =
  | { type: 'ending'; accountId: string; planCode: PlanCode; grantId: string; endsAt: number; days: number }
  | { type: 'expired'; accountId: string; planCode: PlanCode; grantId: string; endsAt: number }
  | { type: 'trial'; accountId: string; planCode: PlanCode; grantId: string; endsAt: number; days: number }
  | { type: 'past_due'; accountId: string; debtId: string; day: number }
  | { type: 'grace_end'; accountId: string; debtId: string }

export class Reminders {
  constructor(
    private readonly deps: { clock: Clock; jobs: JobRunner; notices: Notices; wallet: RelayWallet; grants: Grants }
  ) {
    deps.jobs.register(REMINDER_JOB, { handler: { unit: (tx, job) => this.run(tx, job) }, maxAttempts: 5 })
  }

  private async schedule(tx: StoreTx): Promise<CatalogReminders> {
    return documentReminders((await catalogInForce(tx, this.deps.clock.now())).document)
  }

  private enqueue(tx: StoreTx, key: string, r: Reminder, runAt: number): Promise<boolean> {
    return this.deps.jobs.enqueue(tx, REMINDER_JOB, key, r, runAt)
  }

  /** After any change of a plan's grants: reminders for the end of its run as it is now. */
  async planChanged(tx: StoreTx, accountId: string, planCode: PlanCode): Promise<void> {
    const now = this.deps.clock.now()
    const last = lastOfRun(await tx.grants.ofPlan(accountId, planCode))
    if (!last || last.ends_at === null || last.ends_at <= now) return
    const endsAt = last.ends_at
    const { endingDays } = await this.schedule(tx)
    for (const days of endingDays) {
      const at = endsAt - days * DAY
      if (at > now) await this.enqueue(tx, `ending:${last.id}:${endsAt}:${days}`, { type: 'ending', accountId, planCode, grantId: last.id, endsAt, days }, at)
    }
    await this.enqueue(tx, `expired:${last.id}:${endsAt}`, { type: 'expired', accountId, planCode, grantId: last.id, endsAt }, endsAt)
  }

  /** A trial the relay confirmed: reminders before it ends. */
  async trialConfirmed(tx: StoreTx, accountId: string, planCode: PlanCode, deviceId: string): Promise<void> {
    const now = this.deps.clock.now()
    const trial = (await tx.grants.ofPlan(accountId, planCode)).find((g) => g.source === 'trial' && g.device_id === deviceId)
    if (!trial || trial.ends_at === null) return
    const endsAt = trial.ends_at
    for (const days of (await this.schedule(tx)).endingDays) {
      const at = endsAt - days * DAY
      if (at > now) await this.enqueue(tx, `trial:${trial.id}:${days}`, { type: 'trial', accountId, planCode, grantId: trial.id, endsAt, days }, at)
    }
  }

  /**
   * A change of debt: the first debt of an episode starts the grace period; a settled one ends it.
   * Answers the debt's notice (the grace period's day 0), which rides in the debt record.
   */
  async debtChanged(tx: StoreTx, accountId: string, debt: FeedData<'debt'>): Promise<Notice | undefined> {
    const now = this.deps.clock.now()
    if (debt.outstanding.amount === 0) {
      await tx.notices.endEpisode(accountId)
      return undefined
    }
    if (debt.change.amount <= 0 || debt.outstanding.amount !== debt.change.amount) return undefined
    const { graceNoticeDays, graceDays } = await this.schedule(tx)
    const graceEndsAt = now + graceDays * DAY
    if (!(await tx.notices.startEpisode({ accountId, debtId: debt.debtId, sourceId: debt.sourceId, startedAt: now, graceEndsAt }))) return undefined
    const notice = await this.deps.notices.ride(tx, {
      accountId,
      kind: 'debt_created',
      noticeId: `debt:${debt.debtId}`,
      params: { amount: debt.outstanding, endsAt: graceEndsAt, graceDay: 0 }
    })
    for (const day of graceNoticeDays) {
      if (day > 0 && day < graceDays) await this.enqueue(tx, `past_due:${debt.debtId}:${day}`, { type: 'past_due', accountId, debtId: debt.debtId, day }, now + day * DAY)
    }
    await this.enqueue(tx, `grace_end:${debt.debtId}`, { type: 'grace_end', accountId, debtId: debt.debtId }, graceEndsAt)
    return notice
  }

  private async run(tx: StoreTx, job: JobRow): Promise<void> {
    const r = JSON.parse(job.payload) as Reminder
    switch (r.type) {
      case 'ending':
        return this.ending(tx, r)
      case 'expired':
        return this.expired(tx, r)
      case 'trial':
        return this.trial(tx, r)
      case 'past_due':
      case 'grace_end':
        return this.dunning(tx, r)
    }
  }

  /** The grant, if it still ends its plan's run at the end the reminder was computed for. */
  private async stillLast(tx: StoreTx, r: { accountId: string; planCode: PlanCode; grantId: string; endsAt: number }): Promise<GrantRow | undefined> {
    const last = lastOfRun(await tx.grants.ofPlan(r.accountId, r.planCode))
    return last && last.id === r.grantId && last.ends_at === r.endsAt ? last : undefined
  }

  private async ending(tx: StoreTx, r: Extract<Reminder, { type: 'ending' }>): Promise<void> {
    const g = await this.stillLast(tx, r)
    if (!g) return
    const base = { planCode: g.plan_code, period: g.period, endsAt: r.endsAt, daysLeft: r.days }
    const renewal = await this.autoRenewal(tx, g)
    if (renewal?.covered) return
    if (renewal) {
      await this.deps.notices.notify(tx, { accountId: r.accountId, kind: 'renewal_short', noticeId: `renewal_short:${g.id}:${r.endsAt}:${r.days}`, params: { ...base, shortfall: renewal.shortfall } })
      return
    }
    await this.deps.notices.notify(tx, { accountId: r.accountId, kind: 'subscription_ending', noticeId: `ending:${g.id}:${r.endsAt}:${r.days}`, params: base })
  }

  private async expired(tx: StoreTx, r: Extract<Reminder, { type: 'expired' }>): Promise<void> {
    // Ended by now, so it is not in ofPlan's active-and-ending list by status alone: read it whole.
    const rows = await tx.grants.ofPlan(r.accountId, r.planCode)
    const g = lastOfRun(rows)
    if (!g || g.id !== r.grantId || g.ends_at !== r.endsAt) return
    // The device renews an auto-renewing run when it is next online; covered, it will.
    if ((await this.autoRenewal(tx, g))?.covered) return
    await this.deps.notices.notify(tx, { accountId: r.accountId, kind: 'subscription_expired', noticeId: `expired:${g.id}:${r.endsAt}`, params: { planCode: g.plan_code, period: g.period, endsAt: r.endsAt } })
  }

  private async trial(tx: StoreTx, r: Extract<Reminder, { type: 'trial' }>): Promise<void> {
    const rows = await tx.grants.ofPlan(r.accountId, r.planCode)
    const trial = rows.find((g) => g.id === r.grantId)
    // Subscribed meanwhile (a paid grant of the plan): no trial reminder.
    if (!trial || trial.ends_at !== r.endsAt || rows.some((g) => g.source !== 'trial')) return
    await this.deps.notices.notify(tx, { accountId: r.accountId, kind: 'trial_ending', noticeId: `trial:${trial.id}:${r.days}`, params: { planCode: r.planCode, period: trial.period, endsAt: r.endsAt, daysLeft: r.days } })
  }

  private async dunning(tx: StoreTx, r: Extract<Reminder, { type: 'past_due' | 'grace_end' }>): Promise<void> {
    const episode = await tx.notices.episode(r.accountId)
    if (!episode || episode.debtId !== r.debtId) return
    const { debt } = await this.deps.wallet.state(tx, r.accountId)
    if (debt.amount === 0) return
    const now = this.deps.clock.now()
    if (r.type === 'past_due') {
      await this.deps.notices.notify(tx, { accountId: r.accountId, kind: 'past_due', noticeId: `past_due:${r.debtId}:${r.day}`, params: { amount: debt, graceDay: r.day, endsAt: episode.graceEndsAt } })
      return
    }
    // The end of the grace: the plan periods bought on credit end (see the rule above).
    for (const g of await tx.grants.active(r.accountId, now)) {
      if (g.source !== 'wallet' || g.purchase_id === null) continue
      const purchase = await tx.notices.purchase(r.accountId, g.purchase_id)
      if (g.purchase_id !== episode.sourceId && (!purchase || purchase.receivedAt < episode.startedAt)) continue
      const end = Math.max(g.starts_at, now)
      await tx.grants.update(g.id, { status: 'revoked', startsAt: g.starts_at, endsAt: end })
      await this.deps.grants.announce(tx, r.accountId, { ...g, ends_at: end, status: 'revoked' }, g.purchase_id, now)
    }
    const graceDay = Math.round((episode.graceEndsAt - episode.startedAt) / DAY)
    await this.deps.notices.notify(tx, { accountId: r.accountId, kind: 'past_due', noticeId: `grace_end:${r.debtId}`, params: { amount: debt, graceDay, endsAt: episode.graceEndsAt } })
  }

  /** For a run the device auto-renews from the wallet (rule above): whether the wallet covers the next period. */
  private async autoRenewal(tx: StoreTx, g: GrantRow): Promise<{ covered: boolean; shortfall: { amount: number; currency: 'CNY' } } | undefined> {
    if (g.source !== 'wallet' || g.purchase_id === null || g.period === 'lifetime') return undefined
    const purchase = await tx.notices.purchase(g.account_id, g.purchase_id)
    if (!purchase || (JSON.parse(purchase.body) as { action?: string }).action !== 'auto_renew') return undefined
    const { document } = await catalogInForce(tx, this.deps.clock.now())
    const price = documentPlan(document, g.plan_code, g.period)?.price ?? g.price_minor ?? 0
    // As the device's wallet rule: the debt first, then what cash and promotion credit lack.
    const { balance, debt, bonus } = await this.deps.wallet.state(tx, g.account_id)
    const short = shortfall(debt.amount, price, balance.amount + debt.amount + bonus.amount)
    return { covered: short <= 0, shortfall: { amount: short, currency: document.currency } }
  }
}

/** The paid grant that ends a plan's run: the latest-ending active one (trials apart). */
function lastOfRun(rows: GrantRow[]): GrantRow | undefined {
  let last: GrantRow | undefined
  for (const g of rows) if (g.source !== 'trial' && g.ends_at !== null && (!last || g.ends_at > last.ends_at!)) last = g
  return last
}
