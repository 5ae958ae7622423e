import type { Clock } from '../../node/clock'
import type { IdSource } from '../../node/ids'
import type { BillingDb } from '../db/open'
import type { BillingError } from '../../shared/errors'
import type { Money } from '../../shared/money'
import type { BillingPeriod } from '../../shared/catalog/periods'
import type { PlanLimits } from './plans'
import type { SubscriptionStatus } from './states'

export interface Subscription {
  id: string
  planCode: string
  period: BillingPeriod
  status: SubscriptionStatus
  /** The price each renewal charges: locked at subscribe time. */
  price: Money
  autoRenew: boolean
  /** Day of month renewals land on in the billing zone (31 → Feb 28/29 → Mar 31). */
  anchorDay: number
  startedAt: number
  /** End of the trial, when there was one (kept after conversion). */
  trialEndsAt: number | null
  currentPeriodStart: number
  /** Exclusive; null = lifetime. */
  currentPeriodEnd: number | null
  /** past_due only: access ends here unless paid. */
  graceUntil: number | null
  cancelAtPeriodEnd: boolean
  cancelReason: string | null
  cancelledAt: number | null
  /** When access ended (set on expiry). */
  endedAt: number | null
  /** Increments on every change; for the sync layer. */
  version: number
  createdAt: number
  updatedAt: number
}

/** Who made a change: the user in the app, the sweep, an operator, the relay via sync. */
export type Actor = 'user' | 'system' | 'admin' | 'relay'
export const ACTORS: readonly Actor[] = ['user', 'system', 'admin', 'relay']

export type SubscriptionEventKind =
  | 'subscribed'
  | 'trial_started'
  | 'renewed'
  | 'auto_renewed'
  | 'renewal_failed'
  | 'extended'
  | 'cancelled'
  | 'reactivated'
  | 'suspended'
  | 'resumed'
  | 'expired'
  | 'auto_renew_changed'
  | 'shortened'

export interface SubscriptionEvent {
  seq: number
  subscriptionId: string
  kind: SubscriptionEventKind
  /** null for the creation event. */
  from: SubscriptionStatus | null
  to: SubscriptionStatus
  actor: Actor
  reason: string | null
  requestKey: string | null
  details: Record<string, unknown>
  at: number
}

/** What the sync layer receives, inside the same transaction as the change. */
export interface SubscriptionRecord {
  type: 'subscription.changed'
  subscription: Subscription
  event: SubscriptionEvent
  /** The period this change paid for, when it paid one (the sync sends wallet-paid ones to the relay). */
  charge?: SubscriptionCharge
}

/** One paid period of a subscription. */
export interface SubscriptionCharge {
  id: string
  subscriptionId: string
  /** subscribe, renew or auto_renew */
  kind: string
  source: 'wallet' | 'payment'
  paymentRef: string
  amount: Money
  periodStart: number
  periodEnd: number | null
  at: number
  /** The catalog version its price came from (the relay checks a wallet purchase against it). */
  catalogVersion: number
  /** An account-bound coupon used for it: `amount` is the list price less `discount`. */
  coupon?: { grantId: string; discount: Money }
}

/**
 * Account-bound coupons (src/main/coupons): checks a grant for a wallet-paid period and marks it
 * used by `usedBy`, inside the subscription's transaction; throws CouponRefused.
 */
export interface CouponPort {
  redeem(grantId: string, use: { planCode: string; period: string; list: Money; now: number }, usedBy: string): { grantId: string; discount: Money }
}

/**
 * Not paid: short by `shortfall`, or `refused` by the wallet for another reason (paid use
 * paused while the clock is untrusted, the offline allowance spent).
 */
export type WalletPayResult = { paid: true } | { paid: false; shortfall: Money } | { paid: false; refused: BillingError }

/**
 * How subscriptions take money from the wallet. Called INSIDE the subscriptions
 * transaction (a nested db.tx in the wallet becomes a savepoint), so a payment and the
 * change it pays for commit or roll back together. `key` is the wallet idempotency key.
 */
export interface WalletPort {
  pay(req: { key: string; amount: Money; reason: string }): WalletPayResult
}

/** 'wallet' pays through the WalletPort; a payment id is a payment already confirmed elsewhere. */
export type PaymentSource = 'wallet' | { paymentId: string }

export interface SubscriptionDeps {
  db: BillingDb
  clock: Clock
  ids: IdSource
  walletPort: WalletPort
  /** Account-bound coupons a wallet-paid period may use; without it, a coupon is refused. */
  coupons?: CouponPort
  /** IANA zone that periods are counted in. Default Asia/Shanghai. */
  timeZone?: string
  /** Calendar days of access after a failed renewal. Default 3. */
  graceDays?: number
  /** Sync hook, called inside the transaction of every change. */
  onRecord?(record: SubscriptionRecord): void
  /**
   * Whether the account used a plan code's trial elsewhere (the relay said so: another device
   * or an earlier install). A trial is once per plan code: this file's own trials count too.
   */
  trialUsedElsewhere?(planCode: string): boolean
}

interface Keyed {
  /** Idempotency key: same key + same request → first result; different request → conflict. */
  key: string
  actor?: Actor
}

export interface SubscribeInput extends Keyed {
  planCode: string
  period: BillingPeriod
  /** Start with the plan's trial (no payment; once per plan code). */
  trial?: boolean
  /** Default true; always false for lifetime. */
  autoRenew?: boolean
  /** Required unless trial. */
  payment?: PaymentSource
  /**
   * When the paid period began, if before now: a payment confirmed elsewhere while this
   * device was offline (a relay grant). Only with a payment id; its period must not have ended.
   */
  startsAt?: number
  /** An account-bound coupon grant to take off the price (wallet payments only). */
  couponGrantId?: string
}

export interface RenewInput extends Keyed {
  payment: PaymentSource
  /** As SubscribeInput.couponGrantId. */
  couponGrantId?: string
}

/** Exactly one of periods / days. A free extension (compensation, promotion, grant). */
export interface ExtendInput extends Keyed {
  periods?: number
  days?: number
  /** The period's new end (an instant after the current one): the relay's record of it. */
  until?: number
  reason?: string
  /** The subscription whose unused time these days are (a plan switch), recorded with them. */
  carriedFrom?: string
}

/**
 * Takes back paid time a refund returned: the period ends `ms` sooner. If nothing of it
 * would be left, access ends now (cancelled). The one change that moves a period end back.
 */
export interface ShortenInput extends Keyed {
  ms: number
  reason: string
}

export interface CancelInput extends Keyed {
  atPeriodEnd: boolean
  reason: string
}

export interface SetAutoRenewInput extends Keyed {
  autoRenew: boolean
}

export interface ReactivateInput extends Keyed {
  /** Default true. */
  autoRenew?: boolean
}

export interface SuspendInput extends Keyed {
  reason: string
}

export interface ResumeInput extends Keyed {
  reason?: string
}

/**
 * What the quotas module gates on. `periodStart`/`periodEnd` bound the USAGE period:
 * counters reset at periodEnd. For FREE it is the calendar month in the billing zone; for a
 * subscription it is the monthly cycle counted from the current period's start (anchor
 * day kept), cut at `accessEndsAt`, so quarterly, yearly and lifetime plans get monthly
 * limits too and a monthly plan's cycle is exactly its billing period.
 */
export interface Entitlement {
  planCode: string
  period: BillingPeriod
  /** 'free' when no subscription grants access. */
  status: SubscriptionStatus | 'free'
  limits: PlanLimits
  periodStart: number
  periodEnd: number
  /** When paid access ends (period end, or grace end); null = lifetime or FREE. */
  accessEndsAt: number | null
  subscriptionId: string | null
}

export interface SweepResult {
  /** The events the sweep wrote, in order. */
  events: SubscriptionEvent[]
  /** Stopped at its step bound with steps still due: sweep again. */
  more: boolean
}
