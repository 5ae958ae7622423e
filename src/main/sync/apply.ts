import type { IdSource } from '../core/ids'
import type { BillingDb } from '../db/open'
import type { SubscriptionService } from '../subscriptions'
import type { Wallet } from '../wallet'
import type { FeedEnvelope, FeedPayload } from '../../shared/relay-contract'
import type { LeaseKeeper } from './lease'
import type { SyncStore } from './store'

// Applies verified feed records to the local ledger, inside the caller's transaction (one
// per page, with the cursor). Every effect is keyed by the record id (`feed:<id>`) and the
// record is remembered in sync_inbox, so a record seen twice changes nothing. Records:
// - payment_confirmed: a recharge credits the wallet once per order (paymentId = orderNo);
//   a plan payment is history here, its subscription_grant starts or extends the plan.
// - refund: a recharge refund takes the money back (beyond the balance → debt).
// - subscription_grant: active → subscribe or renew (payment = the order); revoked → cancel.
// - entitlement_lease: this device's newest lease is kept.
// - debt: the relay's outstanding debt.
// - wallet_debit: this device's own debit echoed → marks the outbox row as seen; anyone
//   else's debit, and any lost first-free claim, is posted with wallet.postExternalDebit.
// - first_free: the relay's winning claim for the account; another device's is recorded with
//   wallet.markFirstFreeTakenElsewhere.
// Every money record also moves `relay_balance`, the relay's view of the wallet.

export type AppliedEvent =
  | { kind: 'payment.confirmed'; orderNo: string; amount: { amount: number; currency: string }; purpose: 'recharge' | 'plan' }
  | { kind: 'order.changed'; orderNo: string }
  | { kind: 'subscription.changed' }
  | { kind: 'lease.changed' }

export interface ApplyDeps {
  db: BillingDb
  store: SyncStore
  wallet: Wallet
  subscriptions: SubscriptionService
  ids: IdSource
  keeper: LeaseKeeper
  deviceId: () => string | undefined
  now: () => number
}

/** What a page of records adds up to, written once with the page (not once per record). */
export interface PageTotals {
  /** Change of the relay's view of the wallet (sync_state.relay_balance). */
  relayBalance: number
}

export function applyRecord(d: ApplyDeps, env: FeedEnvelope, p: FeedPayload, out: AppliedEvent[], totals: PageTotals): boolean {
  const { store } = d
  const now = d.now()
  // The inbox row first: a record applied before changes nothing (one statement, not a lookup and an insert).
  if (store.inboxClaim.run(env.id, env.cursor, p.type, env.timestamp, env.payload, env.signature, now).changes === 0) return false
  const key = `feed:${env.id}`
  switch (p.type) {
    case 'payment_confirmed': {
      const { item, amount, orderNo, provider } = p.data
      store.paymentInsert.run(`pay:${orderNo}`, orderNo, 'payment', provider, amount.amount, amount.currency, item.kind, 'succeeded', p.data.paidAt)
      if (item.kind === 'recharge') {
        d.wallet.recharge({ key, paymentId: orderNo, provider, amount })
        totals.relayBalance += amount.amount
      }
      const order = store.orderByNo.get(orderNo)
      if (order && order.status !== 'paid') store.orderStatus.run('paid', null, now, order.id)
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
      }
      break
    }
    case 'subscription_grant':
      applyGrant(d, key, p.data, now)
      out.push({ kind: 'subscription.changed' })
      break
    case 'entitlement_lease':
      if (d.keeper.offer(env, p.data)) out.push({ kind: 'lease.changed' })
      break
    case 'debt':
      store.setRelayDebt.run(p.data.outstanding.amount)
      break
    case 'wallet_debit': {
      const { sourceId, deviceId, amount, feature, reason } = p.data
      totals.relayBalance -= amount.amount
      const mine = deviceId === d.deviceId() && store.outboxHas.get(sourceId) !== undefined
      if (mine) store.outboxMirrored.run(now, sourceId)
      if (!mine || reason === 'first_free_lost') {
        // What the wallet covers leaves it, the rest is debt (the relay recorded the same).
        d.wallet.postExternalDebit({
          key,
          amount,
          deviceId,
          feature: feature || 'unknown',
          reason: reason === 'first_free_lost' ? 'first-free claim lost' : `spent on device ${deviceId}`
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
  }
  return true
}

function paymentMethod(d: ApplyDeps, orderNo: string): string {
  const row = d.db.sqlite.prepare<[string], { method: string }>("SELECT method FROM sync_payments WHERE id = ?").get(`pay:${orderNo}`)
  return row?.method ?? 'alipay'
}

function applyGrant(d: ApplyDeps, key: string, g: Extract<FeedPayload, { type: 'subscription_grant' }>['data'], now: number): void {
  const subs = d.subscriptions
  const live = subs.current()
  if (g.status === 'revoked') {
    if (live && live.planCode === g.planCode && live.status !== 'cancelled' && live.status !== 'expired') {
      subs.cancel({ key, atPeriodEnd: false, reason: 'payment refunded', actor: 'relay' })
    }
    return
  }
  // A grant that already ended (catching up after a long time offline) changes nothing now.
  if (g.endsAt !== null && g.endsAt <= now) return
  const payment = { paymentId: g.orderNo }
  const renewable = live && live.planCode === g.planCode && live.period === g.period && g.period !== 'lifetime'
  if (renewable && (live.status === 'active' || live.status === 'trialing' || live.status === 'past_due')) {
    subs.renew({ key, payment, actor: 'relay' })
    return
  }
  if (live && live.status !== 'cancelled') {
    if (live.currentPeriodEnd === null && live.status === 'active' && live.planCode === g.planCode) return
    subs.cancel({ key: `${key}:replace`, atPeriodEnd: false, reason: 'replaced by a relay grant', actor: 'relay' })
  }
  subs.subscribe({ key, planCode: g.planCode, period: g.period, payment, autoRenew: false, actor: 'relay' })
}
