import type { FeedData, FeedRecordType, Notice } from '../../shared/relay-contract'
import type { Reminders } from '../reminders/reminders'
import type { StoreTx } from '../store/ports'
import type { Notices } from './notices'

// Notices for the events that exist today, derived from the feed record that reports each one,
// in the record's own unit of work (Feed.onAppend), and carried in that record: the record is the
// fact, so a notice exists exactly when its event does, and its noticeId is the event's key (one
// notice per event on every device). Reminders are (re)scheduled from the same records.
// - payment_confirmed → payment_received (a plan) / recharge_credited (a recharge)
// - subscription_grant active → subscription_started, or subscription_renewed when it extends a
//   run (an order, a wallet purchase or an operator's grant accepted on the relay)
// - subscription_grant revoked by a refund of its order → subscription_cancelled. The relay hears
//   no cancellation by the user: auto-renew is switched off on the device, offline; the period
//   then simply ends (subscription_expired, a reminder at its end).
// - refund → refund; debt (the first of an episode) → debt_created (reminders.ts)
// - invoice as issued (status paid) → invoice_issued; credit_note → credit_note; fapiao issued →
//   fapiao_issued (these kinds are transactional: emailed even to an account that opted out)
// - trial_decision confirmed → trial_ending reminders
// Reminders, which have no record of their own, are 'notice' records (Notices.notify).

export function noticeListener(notices: Notices, reminders: Reminders) {
  return async (tx: StoreTx, accountId: string, type: FeedRecordType, data: unknown): Promise<Notice | undefined> => {
    switch (type) {
      case 'payment_confirmed': {
        const p = data as FeedData<'payment_confirmed'>
        const noticeId = `payment:${p.orderNo}`
        return p.item.kind === 'recharge'
          ? notices.ride(tx, { accountId, kind: 'recharge_credited', noticeId, params: { orderNo: p.orderNo, amount: p.amount } })
          : notices.ride(tx, { accountId, kind: 'payment_received', noticeId, params: { orderNo: p.orderNo, amount: p.amount, planCode: p.item.planCode, period: p.item.period } })
      }
      case 'refund': {
        const r = data as FeedData<'refund'>
        return notices.ride(tx, { accountId, kind: 'refund', noticeId: `refund:${r.refundId}`, params: { orderNo: r.orderNo, amount: r.amount } })
      }
      case 'subscription_grant': {
        const g = data as FeedData<'subscription_grant'>
        let notice: Notice | undefined
        if (g.status === 'active') {
          const runs = await tx.grants.ofPlan(accountId, g.planCode)
          const renewed = runs.some((o) => o.id !== g.grantId && o.source !== 'trial' && o.ends_at === g.startsAt)
          notice = await notices.ride(tx, {
            accountId,
            kind: renewed ? 'subscription_renewed' : 'subscription_started',
            noticeId: `grant:${g.grantId}`,
            params: { orderNo: g.orderNo, planCode: g.planCode, period: g.period, ...(g.endsAt === null ? {} : { endsAt: g.endsAt }) }
          })
        } else if (g.status === 'revoked' && g.source === 'order' && g.accessUntil !== null) {
          notice = await notices.ride(tx, { accountId, kind: 'subscription_cancelled', noticeId: `grant_revoked:${g.grantId}`, params: { orderNo: g.orderNo, planCode: g.planCode, period: g.period, endsAt: g.accessUntil } })
        }
        await reminders.planChanged(tx, accountId, g.planCode)
        return notice
      }
      case 'debt':
        return reminders.debtChanged(tx, accountId, data as FeedData<'debt'>)
      case 'trial_decision': {
        const t = data as FeedData<'trial_decision'>
        if (t.outcome === 'confirmed') await reminders.trialConfirmed(tx, accountId, t.planCode, t.deviceId)
        return undefined
      }
      case 'invoice': {
        // Sent again on every change (credited, void): the notice is the only.
        const inv = data as FeedData<'invoice'>
        if (inv.status !== 'paid') return undefined
        const orderNo = inv.source.kind === 'order' ? { orderNo: inv.source.orderNo } : {}
        return notices.ride(tx, { accountId, kind: 'invoice_issued', noticeId: `invoice:${inv.number}`, params: { invoiceNo: inv.number, amount: inv.total, ...orderNo } })
      }
      case 'credit_note': {
        const note = data as FeedData<'credit_note'>
        return notices.ride(tx, { accountId, kind: 'credit_note', noticeId: `credit_note:${note.number}`, params: { creditNoteNo: note.number, invoiceNo: note.invoiceNumber, amount: note.amount } })
      }
      case 'fapiao': {
        const f = data as FeedData<'fapiao'>
        if (f.status !== 'issued' || !f.fapiaoNumber) return undefined
        return notices.ride(tx, { accountId, kind: 'fapiao_issued', noticeId: `fapiao:${f.invoiceNumber}`, params: { invoiceNo: f.invoiceNumber, fapiaoNo: f.fapiaoNumber } })
      }
      default:
        return undefined
    }
  }
}
