import { z } from 'zod'
import {
  checkoutCreateInput,
  checkoutQuoteInput,
  checkoutQuoteOutput,
  checkoutSchema,
  orderRefInput,
  paymentConfirmedSchema,
  paymentsHistoryInput,
  paymentsHistoryOutput,
  rechargeOptionsSchema
} from './schemas/checkout'
import {
  billingDetailsOutput,
  billingDetailsSetInput,
  couponPreviewInput,
  couponPreviewOutput,
  invoicePdfInput,
  invoiceRefInput,
  invoicesListOutput,
  myCouponsOutput
} from './schemas/billing-docs'
import { FapiaoRequestSchema } from '../billing/invoices'
import { accountViewSchema, removeDeviceInput, requestCodeInput, requestCodeOutput, verifyCodeInput } from './schemas/account'
import { emptyInput } from './schemas/common'
import {
  autoRenewInput,
  cancelInput,
  currentSubscriptionOutput,
  plansListOutput,
  subscribeInput,
  subscribeOutput,
  subscriptionSchema
} from './schemas/subscriptions'
import {
  confirmedSchema,
  gateBeginInput,
  liveSessionSchema,
  liveStartInput,
  liveStateSchema,
  quoteRefInput,
  quoteSchema
} from './schemas/paid-use'
import { settingsSchema, settingsSetInput, syncStateSchema } from './schemas/sync'
import { noticeSettingsSchema, noticesChangedSchema, noticesListInput, noticesListOutput, noticesMarkReadInput, unreadOutput } from './schemas/notices'
import { usageSummaryOutput } from './schemas/usage'
import {
  chargeOrFreeInput,
  gateOutcomeSchema,
  walletBalanceSchema,
  walletHistoryInput,
  walletHistoryOutput
} from './schemas/wallet'

// The one IPC contract between the renderer and main. Main, preload, the WebSocket host and
// the renderer all derive from it; nothing crosses that is not named here. Channel names
// are the keys of one object literal, so a duplicate is a compile error (TS1117), and the
// types come from the schemas by z.infer: there is no second copy to drift.

const channel = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output })

export const channels = {
  'wallet.balance': channel(emptyInput, walletBalanceSchema),
  'wallet.history': channel(walletHistoryInput, walletHistoryOutput),
  /** The wallet rule for a paid use: debit, first free use, or "recharge by this much". */
  'wallet.chargeOrFree': channel(chargeOrFreeInput, gateOutcomeSchema),
  /** A paid use in two steps: what would happen (reserved, nothing spent), then confirm or cancel. */
  'gate.begin': channel(gateBeginInput, quoteSchema),
  'gate.confirm': channel(quoteRefInput, confirmedSchema),
  'gate.cancel': channel(quoteRefInput, quoteSchema),
  /** gate.begin for a live session; gate.confirm starts it, live.end frees its room at once. */
  'live.start': channel(liveStartInput, quoteSchema),
  'live.end': channel(quoteRefInput, liveSessionSchema),
  'live.state': channel(emptyInput, liveStateSchema),
  'recharge.options': channel(emptyInput, rechargeOptionsSchema),
  'checkout.create': channel(checkoutCreateInput, checkoutSchema),
  'checkout.status': channel(orderRefInput, checkoutSchema),
  'checkout.cancel': channel(orderRefInput, checkoutSchema),
  /** Main opens the URL it holds for this order in the system browser; the renderer never sends a URL. */
  'checkout.openExternal': channel(orderRefInput, z.object({ opened: z.literal(true) })),
  'plans.list': channel(emptyInput, plansListOutput),
  'subscription.current': channel(emptyInput, currentSubscriptionOutput),
  /** Pays from the wallet; falls short → needs_recharge. Paying by provider is checkout.create with purpose plan. */
  'subscription.subscribe': channel(subscribeInput, subscribeOutput),
  'subscription.startTrial': channel(subscribeInput, subscriptionSchema),
  'subscription.cancel': channel(cancelInput, subscriptionSchema),
  'subscription.setAutoRenew': channel(autoRenewInput, subscriptionSchema),
  'usage.summary': channel(emptyInput, usageSummaryOutput),
  'payments.history': channel(paymentsHistoryInput, paymentsHistoryOutput),
  'sync.state': channel(emptyInput, syncStateSchema),
  'sync.now': channel(emptyInput, syncStateSchema),
  'settings.get': channel(emptyInput, settingsSchema),
  'settings.set': channel(settingsSetInput, settingsSchema),
  /** The signed-in account and its devices, or the sign-in methods when signed out. */
  'account.get': channel(emptyInput, accountViewSchema),
  'account.requestCode': channel(requestCodeInput, requestCodeOutput),
  'account.verifyCode': channel(verifyCodeInput, accountViewSchema),
  /** Revokes another device of the account (this one signs out instead). */
  'account.removeDevice': channel(removeDeviceInput, accountViewSchema),
  /** Forgets this device's token (revoked on the relay when reachable): free tier from then on. */
  'account.signOut': channel(emptyInput, accountViewSchema),
  /** The notification centre: newest first; mark read (unknown ids: NOT_FOUND, nothing marked). */
  'notices.list': channel(noticesListInput, noticesListOutput),
  'notices.unread': channel(emptyInput, unreadOutput),
  'notices.markRead': channel(noticesMarkReadInput, unreadOutput),
  'notices.markAllRead': channel(emptyInput, unreadOutput),
  'notices.settings': channel(emptyInput, noticeSettingsSchema),
  'notices.setSettings': channel(noticeSettingsSchema, noticeSettingsSchema),
  /** The relay's live price of a checkout with a promotion code (its refusal, when it does not apply). */
  'checkout.quote': channel(checkoutQuoteInput, checkoutQuoteOutput),
  /** 我的优惠券: the account-bound coupons, listed offline. */
  'coupons.mine': channel(emptyInput, myCouponsOutput),
  /** What an account-bound coupon takes off a plan paid from the wallet (checked here, offline). */
  'coupons.preview': channel(couponPreviewInput, couponPreviewOutput),
  /** 发票: invoices with their credit notes and fapiao requests, listed offline. */
  'invoices.list': channel(emptyInput, invoicesListOutput),
  /** Downloads the invoice's PDF once into the data dir. */
  'invoices.downloadPdf': channel(invoicePdfInput, z.object({ downloaded: z.literal(true) })),
  /** Opens the kept PDF with the system viewer (offline once downloaded). */
  'invoices.openPdf': channel(invoicePdfInput, z.object({ opened: z.literal(true) })),
  /** 申请发票: asks the operator for an official fapiao for the invoice. */
  'invoices.requestFapiao': channel(invoiceRefInput, FapiaoRequestSchema),
  /** 开票信息, stored on the relay. */
  'invoices.billingDetails': channel(emptyInput, billingDetailsOutput),
  'invoices.setBillingDetails': channel(billingDetailsSetInput, billingDetailsOutput)
} as const

/** Events main pushes to the renderer. */
export const events = {
  'balance.changed': walletBalanceSchema,
  'payment.confirmed': paymentConfirmedSchema,
  'checkout.updated': checkoutSchema,
  'sync.state': syncStateSchema,
  'subscription.changed': currentSubscriptionOutput,
  /** The host app ran the wallet rule for a live session it started; the renderer shows the gate dialog. */
  'gate.decided': gateOutcomeSchema,
  /** Live sessions started, ended or lost (the header shows 直播中 while one runs). */
  'live.changed': liveStateSchema,
  /** A notice arrived (feed or local reminder) or was read: the bell's count and what is new. */
  'notices.changed': noticesChangedSchema
} as const

export type Channels = typeof channels
export type ChannelName = keyof Channels
export type Input<C extends ChannelName> = z.infer<Channels[C]['input']>
export type Output<C extends ChannelName> = z.infer<Channels[C]['output']>

export type Events = typeof events
export type EventName = keyof Events
export type Payload<E extends EventName> = z.infer<Events[E]>

export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[]
export const EVENT_NAMES = Object.keys(events) as EventName[]

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(channels, name)
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name)
}

/** Names on the wire (Electron IPC): one prefixed channel per contract entry and per event. */
export const IPC_PREFIX = 'billing:'
export const ipcChannel = (name: ChannelName): string => `${IPC_PREFIX}${name}`
export const ipcEvent = (name: EventName): string => `${IPC_PREFIX}event:${name}`

export * from './schemas/common'
export * from './schemas/wallet'
export * from './schemas/checkout'
export * from './schemas/subscriptions'
export * from './schemas/usage'
export * from './schemas/sync'
export * from './schemas/paid-use'
export * from './schemas/account'
export * from './schemas/notices'
export * from './schemas/billing-docs'
