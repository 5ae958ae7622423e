import type { ChannelName, Input, Output } from '../../src/shared/ipc/contract'
import type { Handlers } from '../../src/shared/ipc/server'

// One valid input and one valid output per channel; the mapped types make a missing channel
// a compile error, so a new channel cannot slip past the contract tests.
const cny = (amount: number) => ({ amount, currency: 'CNY' as const })
const key = 'test-key-0001'

export const validInputs: { [C in ChannelName]: Input<C> } = {
  'wallet.balance': {},
  'wallet.history': { limit: 20, types: ['recharge'], from: 0, to: 10, cursor: null },
  'wallet.chargeOrFree': { idempotencyKey: key, feature: 'live_session' },
  'gate.begin': { idempotencyKey: key, feature: 'ai_request' },
  'gate.confirm': { key },
  'gate.cancel': { key },
  'live.start': { idempotencyKey: key },
  'live.end': { key },
  'live.state': {},
  'recharge.options': {},
  'checkout.create': { idempotencyKey: key, method: 'alipay', purpose: { kind: 'recharge', amount: cny(5000) } },
  'checkout.status': { orderId: 'o1' },
  'checkout.cancel': { orderId: 'o1' },
  'checkout.openExternal': { orderId: 'o1' },
  'plans.list': {},
  'subscription.current': {},
  'subscription.subscribe': { idempotencyKey: key, planId: 'basic-monthly' },
  'subscription.startTrial': { idempotencyKey: key, planId: 'basic-monthly' },
  'subscription.cancel': { idempotencyKey: key, reason: 'other', atPeriodEnd: true },
  'subscription.setAutoRenew': { idempotencyKey: key, enabled: false },
  'usage.summary': {},
  'payments.history': { limit: 10 },
  'sync.state': {},
  'sync.now': {},
  'settings.get': {},
  'settings.set': { locale: 'en' },
  'account.get': {},
  'account.requestCode': { method: 'email', target: 'streamer@example.com' },
  'account.verifyCode': { method: 'sms', target: '+8613800138000', code: '123456' },
  'account.removeDevice': { deviceId: 'dev_2' },
  'account.signOut': {},
  'notices.list': { limit: 20 },
  'notices.unread': {},
  'notices.markRead': { ids: ['n_1'] },
  'notices.markAllRead': {},
  'notices.settings': {},
  'notices.setSettings': { muted: ['refund'], quietHours: { start: '22:00', end: '08:00' } },
  'checkout.quote': { purpose: { kind: 'plan', planId: 'BASIC:monthly' }, code: 'SPRING10' },
  'coupons.mine': {},
  'coupons.preview': { planId: 'BASIC:monthly', grantId: 'grant-0001' },
  'invoices.list': {},
  'invoices.downloadPdf': { number: 'INV-2026-000001', lang: 'zh-CN' },
  'invoices.openPdf': { number: 'INV-2026-000001', lang: 'en' },
  'invoices.requestFapiao': { number: 'INV-2026-000001' },
  'invoices.billingDetails': {},
  'invoices.setBillingDetails': { details: { type: 'personal', title: '张三', email: 'zhang@example.com' } }
}

const subscription: Output<'subscription.startTrial'> = {
  id: 's1',
  planId: 'basic-monthly',
  tier: 'BASIC',
  period: 'monthly',
  status: 'trialing',
  autoRenew: false,
  currentPeriodStart: 0,
  currentPeriodEnd: 1,
  trialEndsAt: 1,
  cancelAtPeriodEnd: false,
  cancelReason: null
}
const checkout: Output<'checkout.status'> = {
  orderId: 'o1',
  method: 'alipay',
  purpose: { kind: 'recharge' },
  amount: cny(5000),
  status: 'pending',
  display: { kind: 'qr', content: 'https://qr.alipay.com/x' },
  expiresAt: 2,
  createdAt: 1,
  failureReason: null
}
const sync: Output<'sync.state'> = {
  online: true,
  syncing: false,
  lastSyncAt: null,
  pendingCount: 0,
  pendingCheckouts: 0,
  lastError: null,
  rejectedCount: 0,
  lastRejection: null,
  skippedCount: 0,
  lastSkipped: null,
  trialRefused: null,
  catalogVersion: 1,
  health: { fullCheckAt: null, fullCheckError: null, longestBlockMs: 12.5 },
  warnings: []
}

const quote: Output<'gate.begin'> = {
  key,
  status: 'pending',
  decision: { outcome: 'paid', feature: 'live_session', price: cny(500), balanceAfter: cny(500) },
  expiresAt: 2
}
const live = { key, startedAt: 1, roomExpiresAt: 2 }
const signedIn = {
  signedIn: true as const,
  accountId: 'acc_1',
  deviceId: 'dev_1',
  method: 'email' as const,
  target: 'streamer@example.com',
  devices: [{ deviceId: 'dev_1', name: 'studio-pc', enrolledAt: 1, current: true }]
}

export const validOutputs: { [C in ChannelName]: Output<C> } = {
  'wallet.balance': { balance: cny(1), bonus: cny(0), held: cny(0), available: cny(1), debt: cny(0), firstFreeAvailable: true },
  'wallet.history': { items: [], nextCursor: null },
  'wallet.chargeOrFree': { outcome: 'first_free', feature: 'live_session', price: cny(500) },
  'gate.begin': quote,
  'gate.confirm': { key, outcome: 'paid', feature: 'live_session', price: cny(500), balance: cny(500), live },
  'gate.cancel': { ...quote, status: 'cancelled' },
  'live.start': quote,
  'live.end': live,
  'live.state': { sessions: [live] },
  'recharge.options': { presets: [cny(1000)], min: cny(1000), max: cny(100000), methods: ['alipay'] },
  'checkout.create': checkout,
  'checkout.status': checkout,
  'checkout.cancel': { ...checkout, status: 'cancelled' },
  'checkout.openExternal': { opened: true },
  'plans.list': { plans: [] },
  'subscription.current': { subscription: null },
  'subscription.subscribe': { outcome: 'subscribed', subscription },
  'subscription.startTrial': subscription,
  'subscription.cancel': subscription,
  'subscription.setAutoRenew': subscription,
  'usage.summary': { items: [], effectiveTier: 'FREE' },
  'payments.history': { items: [], nextCursor: null },
  'sync.state': sync,
  'sync.now': sync,
  'settings.get': { locale: 'zh-CN' },
  'settings.set': { locale: 'en' },
  'account.get': { signedIn: false, methods: ['email'] },
  'account.requestCode': { expiresAt: 1 },
  'account.verifyCode': signedIn,
  'account.removeDevice': signedIn,
  'account.signOut': { signedIn: false, methods: null },
  'notices.list': {
    items: [{ id: 'n_1', kind: 'refund', at: 1, params: { orderNo: 'o1', amount: cny(100) }, source: 'relay', readAt: null }],
    nextCursor: null,
    unread: 1
  },
  'notices.unread': { unread: 0 },
  'notices.markRead': { unread: 0 },
  'notices.markAllRead': { unread: 0 },
  'notices.settings': { muted: [], quietHours: null },
  'notices.setSettings': { muted: [], quietHours: null },
  'checkout.quote': {
    item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' },
    catalogVersion: 1,
    listPrice: cny(3000),
    discount: cny(300),
    taxRate: '0.06',
    tax: cny(153),
    total: cny(2700)
  },
  'coupons.mine': { coupons: [] },
  'coupons.preview': { grantId: 'grant-0001', list: cny(3000), discount: cny(500), total: cny(2500) },
  'invoices.list': { invoices: [] },
  'invoices.downloadPdf': { downloaded: true },
  'invoices.openPdf': { opened: true },
  'invoices.requestFapiao': { invoiceNumber: 'INV-2026-000001', status: 'requested', requestedAt: 1 },
  'invoices.billingDetails': { details: null },
  'invoices.setBillingDetails': { details: { type: 'personal', title: '张三', email: 'zhang@example.com' } }
}

/** Handlers that answer the sample output and count their calls. */
export function countingHandlers(): { handlers: Handlers<string>; calls: Map<string, number> } {
  const calls = new Map<string, number>()
  const handlers = {} as Record<string, unknown>
  for (const name of Object.keys(validOutputs) as ChannelName[]) {
    handlers[name] = () => {
      calls.set(name, (calls.get(name) ?? 0) + 1)
      return validOutputs[name]
    }
  }
  return { handlers: handlers as Handlers<string>, calls }
}
