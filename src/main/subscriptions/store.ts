import type { BillingDb } from '../db/open'
import { money } from '../../shared/money'
import type { BillingPeriod } from './period'
import type { SubscriptionStatus } from './states'
import type { Actor, Subscription, SubscriptionEvent, SubscriptionEventKind } from './types'

// Row mapping and prepared statements, created once per service (hot reads stay cheap).

interface SubscriptionRow {
  id: string
  plan_code: string
  period: string
  status: string
  price_minor: number
  currency: string
  auto_renew: number
  anchor_day: number
  started_at: number
  trial_ends_at: number | null
  current_period_start: number
  current_period_end: number | null
  grace_until: number | null
  cancel_at_period_end: number
  cancel_reason: string | null
  cancelled_at: number | null
  ended_at: number | null
  version: number
  created_at: number
  updated_at: number
}

interface EventRow {
  seq: number
  subscription_id: string
  kind: string
  from_status: string | null
  to_status: string
  actor: string
  reason: string | null
  request_key: string | null
  details: string
  at: number
}

export interface RequestRow {
  key: string
  op: string
  fingerprint: string
  result: string | null
}

export function toSubscription(r: SubscriptionRow): Subscription {
  return {
    id: r.id,
    planCode: r.plan_code,
    period: r.period as BillingPeriod,
    status: r.status as SubscriptionStatus,
    price: money(r.price_minor, r.currency),
    autoRenew: r.auto_renew === 1,
    anchorDay: r.anchor_day,
    startedAt: r.started_at,
    trialEndsAt: r.trial_ends_at,
    currentPeriodStart: r.current_period_start,
    currentPeriodEnd: r.current_period_end,
    graceUntil: r.grace_until,
    cancelAtPeriodEnd: r.cancel_at_period_end === 1,
    cancelReason: r.cancel_reason,
    cancelledAt: r.cancelled_at,
    endedAt: r.ended_at,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at
  }
}

function toParams(s: Subscription): Record<string, unknown> {
  return {
    id: s.id,
    planCode: s.planCode,
    period: s.period,
    status: s.status,
    priceMinor: s.price.amount,
    currency: s.price.currency,
    autoRenew: s.autoRenew ? 1 : 0,
    anchorDay: s.anchorDay,
    startedAt: s.startedAt,
    trialEndsAt: s.trialEndsAt,
    currentPeriodStart: s.currentPeriodStart,
    currentPeriodEnd: s.currentPeriodEnd,
    graceUntil: s.graceUntil,
    cancelAtPeriodEnd: s.cancelAtPeriodEnd ? 1 : 0,
    cancelReason: s.cancelReason,
    cancelledAt: s.cancelledAt,
    endedAt: s.endedAt,
    version: s.version,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt
  }
}

function toEvent(r: EventRow): SubscriptionEvent {
  return {
    seq: r.seq,
    subscriptionId: r.subscription_id,
    kind: r.kind as SubscriptionEventKind,
    from: r.from_status as SubscriptionStatus | null,
    to: r.to_status as SubscriptionStatus,
    actor: r.actor as Actor,
    reason: r.reason,
    requestKey: r.request_key,
    details: JSON.parse(r.details) as Record<string, unknown>,
    at: r.at
  }
}

export interface ChargeInsert {
  id: string
  subscriptionId: string
  kind: string
  source: 'wallet' | 'payment'
  paymentRef: string
  amountMinor: number
  currency: string
  periodStart: number
  periodEnd: number | null
  at: number
}

export type SubscriptionStore = ReturnType<typeof createStore>

export function createStore(db: BillingDb) {
  const s = db.sqlite
  const live = s.prepare(
    "SELECT * FROM subscriptions WHERE status <> 'expired' ORDER BY created_at DESC, rowid DESC LIMIT 1"
  )
  const byId = s.prepare('SELECT * FROM subscriptions WHERE id = ?')
  const allSubs = s.prepare('SELECT * FROM subscriptions ORDER BY created_at, rowid')
  const liveAll = s.prepare("SELECT * FROM subscriptions WHERE status <> 'expired' ORDER BY created_at, rowid")
  const insertSub = s.prepare(
    `INSERT INTO subscriptions (id, plan_code, period, status, price_minor, currency, auto_renew, anchor_day,
       started_at, trial_ends_at, current_period_start, current_period_end, grace_until, cancel_at_period_end,
       cancel_reason, cancelled_at, ended_at, version, created_at, updated_at)
     VALUES (@id, @planCode, @period, @status, @priceMinor, @currency, @autoRenew, @anchorDay,
       @startedAt, @trialEndsAt, @currentPeriodStart, @currentPeriodEnd, @graceUntil, @cancelAtPeriodEnd,
       @cancelReason, @cancelledAt, @endedAt, @version, @createdAt, @updatedAt)`
  )
  // Plan, price and start never change after insert; everything else may.
  const updateSub = s.prepare(
    `UPDATE subscriptions SET status = @status, auto_renew = @autoRenew, anchor_day = @anchorDay,
       trial_ends_at = @trialEndsAt, current_period_start = @currentPeriodStart,
       current_period_end = @currentPeriodEnd, grace_until = @graceUntil,
       cancel_at_period_end = @cancelAtPeriodEnd, cancel_reason = @cancelReason, cancelled_at = @cancelledAt,
       ended_at = @endedAt, version = @version, updated_at = @updatedAt
     WHERE id = @id`
  )
  const insertEvent = s.prepare(
    `INSERT INTO subscription_events (subscription_id, kind, from_status, to_status, actor, reason, request_key, details, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  const eventBySeq = s.prepare('SELECT * FROM subscription_events WHERE seq = ?')
  const eventsOf = s.prepare('SELECT * FROM subscription_events WHERE subscription_id = ? ORDER BY seq')
  const allEvents = s.prepare('SELECT * FROM subscription_events ORDER BY seq')
  const getRequest = s.prepare('SELECT key, op, fingerprint, result FROM subscription_requests WHERE key = ?')
  const insertRequest = s.prepare(
    'INSERT INTO subscription_requests (key, op, fingerprint, result, created_at) VALUES (?, ?, ?, NULL, ?)'
  )
  const setRequestResult = s.prepare('UPDATE subscription_requests SET result = ? WHERE key = ?')
  const chargeByRef = s.prepare('SELECT id FROM subscription_charges WHERE payment_ref = ?')
  const insertCharge = s.prepare(
    `INSERT INTO subscription_charges (id, subscription_id, kind, source, payment_ref, amount_minor, currency,
       period_start, period_end, at)
     VALUES (@id, @subscriptionId, @kind, @source, @paymentRef, @amountMinor, @currency, @periodStart, @periodEnd, @at)`
  )
  const trialUsed = s.prepare('SELECT 1 FROM subscriptions WHERE plan_code = ? AND trial_ends_at IS NOT NULL LIMIT 1')

  return {
    live: (): Subscription | null => {
      const r = live.get() as SubscriptionRow | undefined
      return r ? toSubscription(r) : null
    },
    liveAll: (): Subscription[] => (liveAll.all() as SubscriptionRow[]).map(toSubscription),
    byId: (id: string): Subscription | null => {
      const r = byId.get(id) as SubscriptionRow | undefined
      return r ? toSubscription(r) : null
    },
    all: (): Subscription[] => (allSubs.all() as SubscriptionRow[]).map(toSubscription),
    insert: (sub: Subscription): void => void insertSub.run(toParams(sub)),
    update: (sub: Subscription): void => void updateSub.run(toParams(sub)),
    appendEvent(e: Omit<SubscriptionEvent, 'seq'>): SubscriptionEvent {
      const info = insertEvent.run(
        e.subscriptionId,
        e.kind,
        e.from,
        e.to,
        e.actor,
        e.reason,
        e.requestKey,
        JSON.stringify(e.details),
        e.at
      )
      return toEvent(eventBySeq.get(info.lastInsertRowid) as EventRow)
    },
    events: (subscriptionId?: string): SubscriptionEvent[] =>
      ((subscriptionId === undefined ? allEvents.all() : eventsOf.all(subscriptionId)) as EventRow[]).map(toEvent),
    getRequest: (key: string): RequestRow | undefined => getRequest.get(key) as RequestRow | undefined,
    insertRequest: (key: string, op: string, fp: string, at: number): void => void insertRequest.run(key, op, fp, at),
    setRequestResult: (key: string, result: string): void => void setRequestResult.run(result, key),
    chargeExists: (ref: string): boolean => chargeByRef.get(ref) !== undefined,
    insertCharge: (c: ChargeInsert): void => void insertCharge.run(c),
    trialUsed: (planCode: string): boolean => trialUsed.get(planCode) !== undefined
  }
}
