import { BillingError } from '../../shared/errors'
import type { QuoteRequest } from '../../shared/billing/coupons'
import type { Input } from '../../shared/ipc/contract'
import { parsePlanId } from '../../shared/ipc/plan-id'
import type { Billing } from '../billing'
import type { SyncService } from '../sync'
import { toSubscriptionDto } from './mapping'
import type { ExtraHandlers } from './extra'
import type { Notifier } from './notify'
import { noticeHandlers } from './notice-handlers'

// The sync service behind the seven channels that need the relay, and its events forwarded
// to the renderer. The Electron adapter and the WebSocket host wire the same two functions.

export type SyncPort = Pick<
  SyncService,
  | 'enrolled'
  | 'rechargeOptions'
  | 'createCheckout'
  | 'checkoutStatus'
  | 'cancelCheckout'
  | 'paymentsHistory'
  | 'state'
  | 'syncNow'
  | 'on'
  | 'account'
  | 'notifications'
  | 'docs'
>

export function syncHandlers<S>(sync: SyncPort): ExtraHandlers<S> {
  return {
    'recharge.options': () => sync.rechargeOptions(),
    'checkout.create'(input) {
      // Without a device credential the relay cannot be asked: say so, record nothing.
      if (!sync.enrolled) throw new BillingError('UNAVAILABLE', 'payments need this device to be enrolled with the relay')
      return sync.createCheckout(input)
    },
    'checkout.status': (input) => sync.checkoutStatus(input),
    'checkout.cancel': (input) => sync.cancelCheckout(input),
    'payments.history': (input) => sync.paymentsHistory(input),
    'sync.state': () => sync.state(),
    'sync.now': () => sync.syncNow(),
    'account.get': () => sync.account.view(),
    'account.requestCode': (input) => sync.account.requestCode(input.method, input.target),
    'account.verifyCode': (input) => sync.account.verifyCode(input.method, input.target, input.code),
    'account.removeDevice': (input) => sync.account.removeDevice(input.deviceId),
    'account.signOut': () => sync.account.signOut(),
    ...noticeHandlers<S>(sync.notifications),
    'checkout.quote': ({ purpose, code }) => sync.docs.quote(quoteRequestOf(purpose, code)),
    'invoices.list': () => ({
      invoices: sync.docs.invoices().map((e) => ({ ...e, pdfs: LANGS.filter((l) => sync.docs.hasPdf(e.invoice.number, l)) }))
    }),
    'invoices.downloadPdf': ({ number, lang }) => sync.docs.downloadPdf(number, lang) as Promise<{ downloaded: true }>,
    'invoices.openPdf': ({ number, lang }) => sync.docs.openPdf(number, lang),
    'invoices.requestFapiao': ({ number }) => sync.docs.requestFapiao(number),
    'invoices.billingDetails': async () => ({ details: await sync.docs.billingDetails() }),
    'invoices.setBillingDetails': async ({ details }) => ({ details: await sync.docs.setBillingDetails(details) })
  }
}

/**
 * Pushes the service's events to the renderer: a confirmed payment also changes the balance
 * (and the plan, when it paid for one). Records without an event of their own (a refund,
 * another device's debit, a grant or revoke, debt) change the wallet or the plan in a sync
 * run, so after each run the two are compared with what the renderer was last sent.
 * Returns the unsubscriber.
 */
export function forwardSyncEvents(sync: SyncPort, billing: Billing, notify: Notifier): () => void {
  const emit = notify.events
  const subscription = () => {
    const s = billing.subscriptions.current()
    return s ? toSubscriptionDto(s) : null
  }
  let lastBalance = JSON.stringify(notify.balance())
  let lastPlan = JSON.stringify(subscription())
  const balanceChanged = (): void => {
    lastBalance = JSON.stringify(notify.balance())
    notify.balanceChanged()
  }
  const planChanged = (): void => {
    lastPlan = JSON.stringify(subscription())
    notify.subscriptionChanged()
  }
  const offs = [
    sync.on('payment.confirmed', (p) => {
      balanceChanged()
      if (p.purpose === 'plan') planChanged()
      emit?.emit('payment.confirmed', p)
    }),
    sync.on('checkout.updated', (c) => void emit?.emit('checkout.updated', c)),
    sync.notifications.onChange((change) => void emit?.emit('notices.changed', change)),
    sync.on('sync.state', (s) => {
      if (!s.syncing) {
        if (JSON.stringify(notify.balance()) !== lastBalance) balanceChanged()
        if (JSON.stringify(subscription()) !== lastPlan) planChanged()
      }
      emit?.emit('sync.state', s)
    })
  ]
  return () => {
    for (const off of offs) off()
  }
}

const LANGS = ['zh-CN', 'en'] as const

/** The relay's quote request for a checkout purpose: a plan by code and period, a recharge by amount. */
function quoteRequestOf(purpose: Input<'checkout.quote'>['purpose'], code: string | undefined): QuoteRequest {
  const item: QuoteRequest['item'] =
    purpose.kind === 'recharge' ? { kind: 'recharge', amount: purpose.amount } : { kind: 'plan', ...parsePlanId(purpose.planId) }
  return { item, ...(code ? { code } : {}) }
}
