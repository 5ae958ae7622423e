import type { Handlers } from '../../shared/ipc/server'
import { NOTICE_CHANNELS } from './notice-handlers'

// The channels the sync service implements: they need the relay (checkouts, recharge
// limits, payments mirror) or the sync engine's state. createIpcHandlers takes them from
// outside (syncHandlers in sync-handlers.ts), so the Electron app and the host plug the
// same service in.

export const EXTRA_CHANNELS = [
  'recharge.options',
  'checkout.create',
  'checkout.status',
  'checkout.cancel',
  'payments.history',
  'sync.state',
  'sync.now',
  'account.get',
  'account.requestCode',
  'account.verifyCode',
  'account.removeDevice',
  'account.signOut',
  ...NOTICE_CHANNELS,
  'checkout.quote',
  'invoices.list',
  'invoices.downloadPdf',
  'invoices.openPdf',
  'invoices.requestFapiao',
  'invoices.billingDetails',
  'invoices.setBillingDetails'
] as const
export type ExtraChannel = (typeof EXTRA_CHANNELS)[number]

export type ExtraHandlers<S = unknown> = Pick<Handlers<S>, ExtraChannel>
