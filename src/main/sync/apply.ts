import type { IdSource } from '../../node/ids'
import type { BillingDb } from '../db/open'
import type { SubscriptionService } from '../subscriptions'
import type { Wallet } from '../wallet'
import type { CouponGrants } from '../coupons'
import type { InvoiceBook } from '../invoices'
import { BillingError } from '../../shared/errors'
import { BONUS_WITHDRAWAL_FEATURE, RELAY_DEVICE_ID, type FeedEnvelope, type FeedPayload, type MoneyDto } from '../../shared/relay-contract'
import { applyGrant } from './grants'
import { endRefusedTrial } from './trial'
import type { LeaseKeeper } from './lease'
import type { NotificationCentre } from '../notifications'
import type { SyncStore } from './store'

// Applies verified feed records to the local ledger, inside the caller's transaction (one
// per page, with the cursor). Every effect is keyed by the record id (`feed:<id>`) and the
// record is remembered in sync_inbox, so a record seen twice changes nothing. Records:
// - payment_confirmed: a recharge credits the wallet once per order (paymentId = orderNo) with
//   the amount recharged (item.amount: a recharge coupon makes the amount paid smaller) and its
//   bonus as promotion credit; a plan payment is history here, its subscription_grant starts or
//   extends the plan.
// - refund: a recharge refund takes the money back (beyond the balance → debt) and the bonus
//   share the relay took from promotion credit (bonusWithdrawn); the local checkout of the order
//   takes the relay's order state (partially_refunded / refunded).
// - subscription_grant: the relay's subscription record, mirrored (grants.ts): its dates win;
//   the answer to this device's own wallet purchase aligns the period it bought, never adds one.
// - entitlement_lease: this device's newest lease is kept.
// - debt: the relay's outstanding debt.
// - wallet_debit: this device's own debit echoed → marks the outbox row as seen; anyone
//   else's debit, and any lost first-free claim, is posted with wallet.postExternalDebit.
// - first_free: the relay's winning claim for the account; another device's is recorded with
//   wallet.markFirstFreeTakenElsewhere.
// - order_closed: the matching local checkout still waiting is closed (expired/failed/cancelled).
// - trial_decision: the plan's trial is marked used (sync_trials, any device's decision); a
//   refused trial this device started (its own trial_start record) ends now (trial.ts).
// - catalog: a newer catalog version than the one in force here is applied (plans, prices per
//   use, recharge rules, payment methods: subscriptions.applyCatalog); an older one is kept in
//   the inbox only. Live subscriptions keep their price until they renew.
// - notice: kept in the notification centre (src/main/notifications), once per noticeId; the
//   relay's reminder for an event a local reminder told first takes that row over.
// - coupon_grant: an account-bound coupon, kept for 我的优惠券 and offline use (src/main/coupons);
//   the relay's latest record is kept; a grant used here stays used until the relay judges the
//   use (its coupon_refused debit, below, puts the relay's state back).
// - invoice, credit_note, fapiao: kept for the invoices screen, listed offline (src/main/invoices);
//   a later record (feed seq) of the same number wins.
// Every money record also moves `relay_balance`, the relay's view of the wallet.
//
// One record = one savepoint. A record whose content the ledger refuses (a BillingError: an
// invalid amount, a currency the wallet does not hold, …) is rolled back alone and kept in
// the inbox as 'skipped' with the reason, and the cursor moves past it: an authentic but bad
// record must not stop every later payment. Anything else (the database failing) still rolls
// back the page.

export type AppliedEvent =
  | { kind: 'payment.confirmed'; orderNo: string; amount: MoneyDto; purpose: 'recharge' | 'plan' }
  | { kind: 'order.changed'; orderNo: string }
  | { kind: 'subscription.changed' }
  | { kind: 'lease.changed' }
  | { kind: 'catalog.changed'; version: number }
  | { kind: 'record.skipped'; recordId: string; reason: string }
  | { kind: 'notice.added'; id: string }

/** The relay's debit of the discount of a refused coupon use: `<purchase record id>:coupon_refused`. */
const COUPON_REFUSED = ':coupon_refused'

export interface ApplyDeps {
  db: BillingDb
  store: SyncStore
  wallet: Wallet
  subscriptions: SubscriptionService
  coupons: CouponGrants
  invoices: InvoiceBook
  ids: IdSource
  keeper: LeaseKeeper
  notices: Pick<NotificationCentre, 'applyRelay'>
  /** A device of this file: the one signed in, or an earlier one (settings.formerDeviceIds). */
  ownDevice: (deviceId: string) => boolean
  now: () => number
}

/** What a page of records adds up to, written once with the page (not once per record). */
export interface PageTotals {
  /** Change of the relay's view of the wallet (sync_state.relay_balance). */
  relayBalance: number
}

export type ApplyOutcome = 'applied' | 'skipped' | 'seen'

/**
 * Applies one record in its own savepoint. `payload` null: authentic content this version
 * cannot read (`problem` says why), recorded as skipped.
 */
export function applyRecord(
  d: ApplyDeps,
  env: FeedEnvelope,
  p: FeedPayload | null,
  out: AppliedEvent[],
  totals: PageTotals,
  problem: string | null = null
): ApplyOutcome {
  const now = d.now()
  if (p === null) return skip(d, env, typeOf(env), problem ?? 'unreadable content', now, out)
  const events: AppliedEvent[] = []
  const mine: PageTotals = { relayBalance: 0 }
  try {
    const applied = d.db.tx(() => {
      // The inbox row first: a record applied before changes nothing (one statement, not a lookup and an insert).
      if (d.store.inboxClaim.run(env.id, env.cursor, p.type, env.timestamp, env.payload, env.signature, now).changes === 0) return false
      applyEffects(d, env, p, events, mine, now)
      // The notice the record's event causes rides in the record (a reminder's is a 'notice' record).
      if (p.notice && d.notices.applyRelay(p.notice, now)) events.push({ kind: 'notice.added', id: p.notice.noticeId })
      return true
    })
    if (!applied) return 'seen'
  } catch (err) {
    if (!(err instanceof BillingError)) throw err
    return skip(d, env, p.type, `${err.code}: ${err.message}`, now, out)
  }
  totals.relayBalance += mine.relayBalance
  out.push(...events)
  return 'applied'
}

function skip(d: ApplyDeps, env: FeedEnvelope, type: string, reason: string, now: number, out: AppliedEvent[]): ApplyOutcome {
  const r = reason.slice(0, 500)
  if (d.store.inboxSkip.run(env.id, env.cursor, type, env.timestamp, env.payload, env.signature, now, r).changes === 0) return 'seen'
  out.push({ kind: 'record.skipped', recordId: env.id, reason: r })
  return 'skipped'
}

function typeOf(env: FeedEnvelope): string {
  try {
    const t = (JSON.parse(env.payload) as { type?: unknown }).type
    return typeof t === 'string' ? t.slice(0, 64) : 'unknown'
  } catch {
    return 'unknown'
  }
}

function applyEffects(d: ApplyDeps, env: FeedEnvelope, p: FeedPayload, out: AppliedEvent[], totals: PageTotals, now: number): void {
  const { store } = d
  const key = `feed:${env.id}`
  switch (p.type) {
    case 'payment_confirmed': {
      const { item, amount, orderNo, provider } = p.data
      store.paymentInsert.run(`pay:${orderNo}`, orderNo, 'payment', provider, amount.amount, amount.currency, item.kind, 'succeeded', p.data.paidAt)
      if (item.kind === 'recharge') {
        // The wallet gets the amount recharged; with a recharge coupon, `amount` (what was paid) is
        // less. A recharge bonus is promotion credit beside it (spent after the cash).
        const bonus = p.data.bonus && p.data.bonus.amount > 0 ? p.data.bonus : undefined
        d.wallet.recharge({ key, paymentId: orderNo, provider, amount: item.amount, ...(bonus ? { bonus } : {}) })
        totals.relayBalance += item.amount.amount + (bonus?.amount ?? 0)
      }
      const order = store.orderByNo.get(orderNo)
      if (order && !PAID_STATES.has(order.status)) store.orderStatus.run('paid', null, now, order.id)
      out.push({ kind: 'payment.confirmed', orderNo, amount, purpose: item.kind })
      if (order) out.push({ kind: 'order.changed', orderNo })
      break
    }
    case 'refund': {
      const { item, amount, orderNo, refundId } = p.data
      const method = store.orderByNo.get(orderNo)?.method ?? paymentMethod(d, orderNo)
      store.paymentInsert.run(`refund:${refundId}`, orderNo, 'refund', method, amount.amount, amount.currency, item.kind, 'succeeded', p.data.refundedAt)
      if (item.kind === 'recharge') {
        d.wallet.refund({ key, refundId, paymentId: orderNo, amount })
        totals.relayBalance -= amount.amount
        const taken = p.data.bonusWithdrawn
        if (taken && taken.amount > 0) {
          // The bonus share the relay took from promotion credit (what it had already seen spent
          // comes as a wallet_debit). Keyed by the refund: once per refund, whatever record says it.
          d.wallet.withdrawBonus({ key: `feed:bonus:${refundId}`, refundId, amount: taken })
          totals.relayBalance -= taken.amount
        }
      }
      const order = store.orderByNo.get(orderNo)
      const state = p.data.orderState
      if (order && (state === 'partially_refunded' || state === 'refunded') && order.status !== state && order.status !== 'refunded') {
        store.orderStatus.run(state, null, now, order.id)
        out.push({ kind: 'order.changed', orderNo })
      }
      break
    }
    case 'subscription_grant': {
      const g = p.data
      const own = g.source === 'wallet' && g.deviceId !== null && d.ownDevice(g.deviceId) && g.purchaseId !== null && store.outboxHas.get(g.purchaseId) !== undefined
      const purchasesPending = store.outboxPendingOfKind.get('subscription_purchase') !== undefined
      if (applyGrant(d.subscriptions, key, g, now, { own, purchasesPending })) out.push({ kind: 'subscription.changed' })
      break
    }
    case 'entitlement_lease':
      if (d.keeper.offer(env, p.data)) out.push({ kind: 'lease.changed' })
      break
    case 'debt':
      store.setRelayDebt.run(p.data.outstanding.amount)
      break
    case 'wallet_debit': {
      const { sourceId, deviceId, amount, feature, reason } = p.data
      totals.relayBalance -= amount.amount
      const mine = d.ownDevice(deviceId) && store.outboxHas.get(sourceId) !== undefined
      if (mine) store.outboxMirrored.run(now, sourceId)
      // A purchase of this file whose coupon the relay refused: the grant is as the relay has it again.
      if (sourceId.endsWith(COUPON_REFUSED) && d.ownDevice(deviceId)) {
        const body = store.outboxBody.get(sourceId.slice(0, -COUPON_REFUSED.length))?.body
        const grantId = body ? (JSON.parse(body) as { coupon?: { grantId?: unknown } }).coupon?.grantId : undefined
        if (typeof grantId === 'string') d.coupons.refused(grantId)
      }
      if (!mine || reason === 'first_free_lost') {
        // What the wallet covers leaves it, the rest is debt (the relay recorded the same).
        d.wallet.postExternalDebit({
          key,
          amount,
          deviceId,
          feature: feature || 'unknown',
          reason: reason === 'first_free_lost' ? 'first-free claim lost' : `spent on device ${deviceId}`,
          // Spends use promotion credit after the cash, as on the relay; taking back a bonus already spent is the cash's.
          useBonus: !(deviceId === RELAY_DEVICE_ID && feature === BONUS_WITHDRAWAL_FEATURE)
        })
      }
      break
    }
    case 'first_free': {
      const { winningClaimId, deviceId, feature } = p.data
      store.setFirstFree.run(winningClaimId, deviceId)
      // Another device's claim won: none here from now on (this device's own claim, if it
      // made one, stays and its loss arrives as a first_free_lost debit).
      if (store.outboxHas.get(winningClaimId) === undefined) {
        d.wallet.markFirstFreeTakenElsewhere({ key, claimId: winningClaimId, deviceId, feature: feature || 'unknown' })
      }
      break
    }
    case 'trial_decision': {
      const { recordId, planCode, deviceId, outcome, decidedAt } = p.data
      const own = d.ownDevice(deviceId) && store.outboxHas.get(recordId) !== undefined
      store.trialInsert.run(recordId, planCode, deviceId, outcome, own ? 1 : 0, decidedAt, now)
      if (own && outcome === 'refused' && endRefusedTrial(d.subscriptions, key, recordId, planCode, now)) {
        out.push({ kind: 'subscription.changed' })
      }
      break
    }
    case 'catalog':
      if (d.subscriptions.applyCatalog(p.data.document)) out.push({ kind: 'catalog.changed', version: p.data.document.version })
      break
    case 'notice':
      if (d.notices.applyRelay(p.data, now)) out.push({ kind: 'notice.added', id: p.data.noticeId })
      break
    case 'coupon_grant':
      d.coupons.applyRecord(p.data)
      break
    case 'invoice':
      d.invoices.applyInvoice(p.data, p.seq)
      break
    case 'credit_note':
      d.invoices.applyCreditNote(p.data, p.seq)
      break
    case 'fapiao':
      d.invoices.applyFapiao(p.data, p.seq)
      break
    case 'order_closed': {
      // Only a checkout still waiting is closed: a paid order stays paid (money that arrives
      // after the close comes as payment_confirmed and marks it paid again).
      const order = store.orderByNo.get(p.data.orderNo)
      if (order && (order.status === 'creating' || order.status === 'pending')) {
        store.orderStatus.run(p.data.state, p.data.reason.slice(0, 200), now, order.id)
        out.push({ kind: 'order.changed', orderNo: p.data.orderNo })
      }
      break
    }
  }
}

/** A checkout in one of these was paid: a payment record never moves it back. */
const PAID_STATES = new Set(['paid', 'partially_refunded', 'refunded'])

function paymentMethod(d: ApplyDeps, orderNo: string): string {
  const row = d.db.sqlite.prepare<[string], { method: string }>("SELECT method FROM sync_payments WHERE id = ?").get(`pay:${orderNo}`)
  return row?.method ?? 'alipay'
}
