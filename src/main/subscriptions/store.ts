import type { BillingDb } from '../db/open'
import { canonicalJson } from '../../node/fingerprint'
import { money } from '../../shared/money'
import { EMPTY_HEAD, eventHash, type ChainHead, type HashedEventRow } from './chain'
import type { BillingPeriod } from '../../shared/catalog/periods'
import type { SubscriptionStatus } from './states'
import type { Actor, Subscription, SubscriptionEvent, SubscriptionEventKind } from './types'

// Row mapping and prepared statements, created once per service (hot reads stay cheap).

export interface SubscriptionRow {
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

export interface EventRow extends HashedEventRow {
  hash: string
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

/** The subscriptions row of `s`, column by column: what an event's `state` records. */
export function toRow(s: Subscription): SubscriptionRow {
  return {
    id: s.id,
    plan_code: s.planCode,
    period: s.period,
    status: s.status,
    price_minor: s.price.amount,
    currency: s.price.currency,
    auto_renew: s.autoRenew ? 1 : 0,
    anchor_day: s.anchorDay,
    started_at: s.startedAt,
    trial_ends_at: s.trialEndsAt,
    current_period_start: s.currentPeriodStart,
    current_period_end: s.currentPeriodEnd,
    grace_until: s.graceUntil,
    cancel_at_period_end: s.cancelAtPeriodEnd ? 1 : 0,
    cancel_reason: s.cancelReason,
    cancelled_at: s.cancelledAt,
    ended_at: s.endedAt,
    version: s.version,
    created_at: s.createdAt,
    updated_at: s.updatedAt
  }
}

/** Canonical JSON of a row as read from the table or built by toRow (key order irrelevant). */
export const rowState = (row: SubscriptionRow): string => canonicalJson(row)

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
  // Plan and start never change after insert; the price changes at a renewal (the catalog's
  // price then); everything else may.
  const updateSub = s.prepare(
    `UPDATE subscriptions SET status = @status, price_minor = @priceMinor, currency = @currency,
       auto_renew = @autoRenew, anchor_day = @anchorDay,
       trial_ends_at = @trialEndsAt, current_period_start = @currentPeriodStart,
       current_period_end = @currentPeriodEnd, grace_until = @graceUntil,
       cancel_at_period_end = @cancelAtPeriodEnd, cancel_reason = @cancelReason, cancelled_at = @cancelledAt,
       ended_at = @endedAt, version = @version, updated_at = @updatedAt
     WHERE id = @id`
  )
  const insertEvent = s.prepare(
    `INSERT INTO subscription_events (seq, subscription_id, kind, from_status, to_status, actor, reason, request_key,
       details, at, state, hash)
     VALUES (@seq, @subscription_id, @kind, @from_status, @to_status, @actor, @reason, @request_key,
       @details, @at, @state, @hash)`
  )
  // The chain continues from the file's last event, read inside the write transaction: right
  // whatever a caller's transaction did before (the memory head is only for verify()).
  const tail = s.prepare<[], ChainHead>('SELECT seq, hash FROM subscription_events ORDER BY seq DESC LIMIT 1')
  let appended: ChainHead | null = null
  const eventBySeq = s.prepare('SELECT * FROM subscription_events WHERE seq = ?')
  const eventsOf = s.prepare('SELECT * FROM subscription_events WHERE subscription_id = ? ORDER BY seq')
  const allEvents = s.prepare('SELECT * FROM subscription_events ORDER BY seq')
  const getRequest = s.prepare('SELECT key, op, fingerprint, result FROM subscription_requests WHERE key = ?')
  const insertRequest = s.prepare(
    'INSERT INTO subscription_requests (key, op, fingerprint, result, created_at) VALUES (?, ?, ?, NULL, ?)'
  )
  const setRequestResult = s.prepare('UPDATE subscription_requests SET result = ? WHERE key = ?')
  const chargeByRef = s.prepare('SELECT id FROM subscription_charges WHERE payment_ref = ?')
  // The part of each charge's period inside [from, until): what it paid for that is still ahead.
  const paidSpan = s.prepare<[number, number, string, string], { ms: number; n: number }>(
    `SELECT coalesce(sum(max(0, min(period_end, ?) - max(period_start, ?))), 0) AS ms, count(*) AS n
     FROM subscription_charges WHERE subscription_id = ? AND payment_ref = ?`
  )
  const paidSpanAll = s.prepare<[number, number, string], { ms: number; n: number }>(
    `SELECT coalesce(sum(max(0, min(period_end, ?) - max(period_start, ?))), 0) AS ms, count(*) AS n
     FROM subscription_charges WHERE subscription_id = ?`
  )
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
    /** Appends a history event chained to the last one; `state` is the row the change produced. */
    appendEvent(e: Omit<SubscriptionEvent, 'seq'>, state: Subscription): SubscriptionEvent {
      const prev = tail.get() ?? EMPTY_HEAD
      const row: HashedEventRow = {
        seq: prev.seq + 1,
        subscription_id: e.subscriptionId,
        kind: e.kind,
        from_status: e.from,
        to_status: e.to,
        actor: e.actor,
        reason: e.reason,
        request_key: e.requestKey,
        details: JSON.stringify(e.details),
        at: e.at,
        state: rowState(toRow(state))
      }
      const hash = eventHash(prev.hash, row)
      insertEvent.run({ ...row, hash })
      appended = { seq: row.seq, hash }
      return toEvent(eventBySeq.get(row.seq) as EventRow)
    },
    /** The newest event appended since the last call (null if none); clears it. */
    takeAppended(): ChainHead | null {
      const a = appended
      appended = null
      return a
    },
    readTail: (): ChainHead => tail.get() ?? EMPTY_HEAD,
    events: (subscriptionId?: string): SubscriptionEvent[] =>
      ((subscriptionId === undefined ? allEvents.all() : eventsOf.all(subscriptionId)) as EventRow[]).map(toEvent),
    getRequest: (key: string): RequestRow | undefined => getRequest.get(key) as RequestRow | undefined,
    insertRequest: (key: string, op: string, fp: string, at: number): void => void insertRequest.run(key, op, fp, at),
    setRequestResult: (key: string, result: string): void => void setRequestResult.run(result, key),
    chargeExists: (ref: string): boolean => chargeByRef.get(ref) !== undefined,
    /** The charges of a subscription by one payment ref (or all): how many, and the time in [from, until) they paid for. */
    paidSpan: (subscriptionId: string, ref: string | undefined, from: number, until: number): { ms: number; n: number } =>
      ref === undefined ? paidSpanAll.get(until, from, subscriptionId)! : paidSpan.get(until, from, subscriptionId, ref)!,
    insertCharge: (c: ChargeInsert): void => void insertCharge.run(c),
    trialUsed: (planCode: string): boolean => trialUsed.get(planCode) !== undefined
  }
}
