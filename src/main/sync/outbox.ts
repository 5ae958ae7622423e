import type { BillingRecord } from '../billing'
import type { BillingDb } from '../db/open'
import type { OutboxRecord } from '../../shared/relay-contract'
import { BILLING_PERIODS, PLAN_CODES, type BillingPeriod, type PlanCode } from '../../shared/catalog'
import type { SyncStore } from './store'

// Turns what the billing modules report (inside their transactions) into outbox rows, in
// that same transaction: the row exists exactly when the mutation does. Effects that came
// from the relay (keys `feed:…`) are not sent back. Ids are stable (derived from the entry
// or usage id), so a resend after a lost ack is acknowledged by the relay, not reapplied.
// Ids must be unique across the account's devices: the default random ids are.
// A trial started here (subscription event trial_started) becomes a trial_start record, id
// `trl-<subscription id>` (the event's subscription: one trial_started event each), for the
// relay to decide once per account and plan code; until then the trial is provisional.
// A period paid from the wallet (a subscription change reported with its charge) becomes a
// subscription_purchase record, id `pur-<charge id>`, priced by the catalog version the plan
// came from (less an account-bound coupon's discount, named in `coupon`; such a purchase is sent
// even at price 0); the relay debits its wallet for it and answers with its grant. The wallet's
// own consume for it (feature 'subscription', key `subscription:…`) is not sent as a debit.

const PURCHASE_PREFIX = 'pur-'
/** The id of the subscription_purchase record of a wallet-paid charge. */
export const purchaseRecordId = (chargeId: string): string => `${PURCHASE_PREFIX}${chargeId}`

const TRIAL_PREFIX = 'trl-'

/** The id of the trial_start record of a trial subscription. */
export const trialRecordId = (subscriptionId: string): string => `${TRIAL_PREFIX}${subscriptionId}`
/** The subscription a trial_start record id names, or null for another kind of id. */
export const trialSubscriptionOf = (recordId: string): string | null =>
  recordId.startsWith(TRIAL_PREFIX) ? recordId.slice(TRIAL_PREFIX.length) : null

const isPlanCode = (c: string): c is PlanCode => (PLAN_CODES as readonly string[]).includes(c)
const isPeriod = (p: string): p is BillingPeriod => (BILLING_PERIODS as readonly string[]).includes(p)

const PURCHASE_ACTIONS = { subscribe: 'subscribe', renew: 'renew', auto_renew: 'auto_renew' } as const

/** The wallet's consume that pays a subscription period (sent as the purchase instead). */
const paysSubscription = (w: { feature: string; key: string }): boolean => w.feature === 'subscription' && w.key.startsWith('subscription:')

export function outboxRecordOf(r: BillingRecord): { record: OutboxRecord; spend: number } | null {
  if (r.source === 'usage') {
    const u = r.record
    return { record: { id: `use-${u.id}`, kind: 'usage', feature: u.feature, quantity: u.qty, occurredAt: u.at }, spend: 0 }
  }
  if (r.source === 'subscription') {
    const { event, subscription: sub, charge } = r.record
    if (charge) {
      const action = PURCHASE_ACTIONS[charge.kind as keyof typeof PURCHASE_ACTIONS]
      // A coupon may take the whole price: the relay still hears of the use (and of the period).
      if (charge.source !== 'wallet' || (charge.amount.amount <= 0 && !charge.coupon) || !action) return null
      if (!isPlanCode(sub.planCode) || !isPeriod(sub.period)) return null
      return {
        record: {
          id: purchaseRecordId(charge.id),
          kind: 'subscription_purchase',
          planCode: sub.planCode,
          period: sub.period,
          price: charge.amount,
          catalogVersion: charge.catalogVersion,
          ...(charge.coupon ? { coupon: { grantId: charge.coupon.grantId, discount: charge.coupon.discount } } : {}),
          action,
          periodStart: charge.periodStart,
          periodEnd: charge.periodEnd,
          occurredAt: charge.at
        },
        spend: charge.amount.amount
      }
    }
    if (event.kind !== 'trial_started' || sub.trialEndsAt === null) return null
    if (!isPlanCode(sub.planCode) || !isPeriod(sub.period)) return null
    return {
      record: {
        id: trialRecordId(event.subscriptionId),
        kind: 'trial_start',
        planCode: sub.planCode,
        period: sub.period,
        startedAt: sub.startedAt,
        endsAt: sub.trialEndsAt
      },
      spend: 0
    }
  }
  const w = r.record
  if (w.key.startsWith('feed:')) return null
  switch (w.kind) {
    case 'wallet_debit':
      if (paysSubscription(w)) return null
      return {
        record: { id: `dbt-${w.id}`, kind: 'wallet_debit', amount: w.amount, feature: w.feature.slice(0, 64), occurredAt: w.at },
        spend: w.amount.amount
      }
    case 'hold_settled':
      if (w.settled.amount <= 0) return null
      return {
        record: { id: `dbt-${w.id}`, kind: 'wallet_debit', amount: w.settled, feature: w.feature.slice(0, 64), occurredAt: w.at },
        spend: w.settled.amount
      }
    case 'first_free_claim':
      return {
        record: { id: `ffc-${w.id}`, kind: 'first_free_claim', feature: w.feature.slice(0, 64), price: w.price, occurredAt: w.at },
        spend: 0
      }
    case 'refund':
      return null
  }
}

export function writeOutbox(store: SyncStore, r: BillingRecord, now: number): boolean {
  const o = outboxRecordOf(r)
  if (!o) return false
  store.outboxInsert.run(o.record.id, o.record.kind, JSON.stringify(o.record), o.spend, now)
  return true
}

/**
 * Every local spend and use in the (hash-chained) ledgers has its outbox row; rows are never
 * deleted. A row removed from the file would keep that spend from the relay and out of the
 * offline allowance. Effects that came from the relay (keys `feed:…`) have none. Returns the
 * problems found (at most `max` of each kind). `since`: only the entries and events after
 * these seqs (start-up after a verified checkpoint).
 */
export function verifyOutbox(sqlite: BillingDb['sqlite'], max = 20, since = { walletSeq: 0, usageSeq: Number.MIN_SAFE_INTEGER }): string[] {
  const spends = sqlite
    .prepare(
      `SELECT e.id AS id, e.type AS type FROM wallet_entries e
       JOIN wallet_accounts dr ON dr.id = e.debit_account
       JOIN wallet_accounts cr ON cr.id = e.credit_account
       WHERE e.seq > ? AND e.leg = 0 AND cr.kind = 'revenue' AND (e.op_key IS NULL OR substr(e.op_key, 1, 5) <> 'feed:')
         AND ((e.type IN ('consume', 'settle') AND dr.kind IN ('wallet', 'holds', 'bonus')) OR (e.type = 'first_free' AND dr.kind = 'promotions'))
         AND NOT (e.feature = 'subscription' AND substr(coalesce(e.op_key, ''), 1, 13) = 'subscription:')
         AND NOT EXISTS (SELECT 1 FROM sync_outbox o WHERE o.id = (CASE e.type WHEN 'first_free' THEN 'ffc-' ELSE 'dbt-' END) || e.id)
       ORDER BY e.seq LIMIT ?`
    )
    .all(since.walletSeq, max) as { id: string; type: string }[]
  // A wallet-paid period: its purchase record, or (files from before purchases were sent) the
  // debit record of the wallet entry that paid it.
  const purchases = sqlite
    .prepare(
      `SELECT c.id AS id FROM subscription_charges c
       WHERE c.source = 'wallet' AND c.amount_minor > 0
         AND NOT EXISTS (SELECT 1 FROM sync_outbox o WHERE o.id = '${PURCHASE_PREFIX}' || c.id)
         AND NOT EXISTS (SELECT 1 FROM wallet_entries e JOIN sync_outbox o ON o.id = 'dbt-' || e.id
                         WHERE e.op_key = substr(c.payment_ref, 8))
       ORDER BY c.at LIMIT ?`
    )
    .all(max) as { id: string }[]
  const uses = sqlite
    .prepare(`SELECT u.id AS id FROM usage_events u WHERE u.seq > ? AND NOT EXISTS (SELECT 1 FROM sync_outbox o WHERE o.id = 'use-' || u.id) ORDER BY u.seq LIMIT ?`)
    .all(since.usageSeq, max) as { id: string }[]
  return [
    ...spends.map((e) => `wallet ${e.type} entry ${e.id} has no outbox record`),
    ...purchases.map((c) => `wallet-paid subscription charge ${c.id} has no outbox record`),
    ...uses.map((u) => `usage event ${u.id} has no outbox record`)
  ]
}
