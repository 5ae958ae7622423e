import { BillingError, InvalidTransition, NotFound, QuotaExceeded } from '../../../src/shared/errors'
import type { Transport } from '../../../src/shared/ipc/client'
import type { EventName, Input, Output } from '../../../src/shared/ipc/contract'
import { createDispatcher, createEventEmitter, type Handlers } from '../../../src/shared/ipc/server'
import type {
  Checkout,
  GateOutcome,
  Locale,
  PaymentRecord,
  Plan,
  Subscription,
  SyncState,
  UsageItem,
  WalletBalance,
  WalletEntry
} from '../../../src/shared/ipc/types'

// An in-memory stand-in for main, implementing the whole contract with simple state, so the
// screens can be tested through the real client, dispatcher and stores. The real core runs
// behind the same contract in the end-to-end tests.

const cny = (amount: number) => ({ amount, currency: 'CNY' as const })
export const NOW = Date.parse('2025-03-10T04:00:00Z')
const DAY = 86_400_000

const planRow = (
  tier: Plan['tier'],
  period: Plan['period'],
  price: number,
  limits: Plan['limits'],
  sortOrder: number,
  trialDays: number | null = null
): Plan => ({
  id: `${tier.toLowerCase()}-${period}`,
  tier,
  period,
  price: cny(price),
  originalPrice: price > 0 ? cny(Math.round(price * 1.25)) : null,
  features: [],
  limits,
  trialDays,
  sortOrder
})

export function defaultPlans(): Plan[] {
  const basic = { max_streams: 1, max_storage_gb: 10, max_ai_requests: 500, max_export_count: 50 }
  const premium = { max_streams: 3, max_storage_gb: 100, max_ai_requests: 5000, max_export_count: 500 }
  const ent = { max_streams: null, max_storage_gb: 1000, max_ai_requests: null, max_export_count: null }
  const plans: Plan[] = [planRow('FREE', 'monthly', 0, { max_streams: 1, max_storage_gb: 1, max_ai_requests: 20, max_export_count: 3 }, 0)]
  const prices = { monthly: 1, quarterly: 2.7, yearly: 10, lifetime: 30 } as const
  let order = 1
  for (const period of ['monthly', 'quarterly', 'yearly', 'lifetime'] as const) {
    plans.push(planRow('BASIC', period, Math.round(2900 * prices[period]), basic, order++, period === 'monthly' ? 7 : null))
    plans.push(planRow('PREMIUM', period, Math.round(9900 * prices[period]), premium, order++, period === 'monthly' ? 7 : null))
    plans.push(planRow('ENTERPRISE', period, Math.round(49900 * prices[period]), ent, order++))
  }
  return plans
}

export interface FakeCore {
  transport: Transport
  state: {
    balance: number
    firstFreeUsed: boolean
    livePrice: number
    entries: WalletEntry[]
    payments: PaymentRecord[]
    checkouts: Map<string, Checkout>
    subscription: Subscription | null
    usage: UsageItem[]
    sync: SyncState
    locale: Locale
    opened: string[]
    quotaFull: boolean
  }
  calls: { channel: string; input: unknown }[]
  /** The relay's paid record arrived: credit once, push the events main would push. */
  confirmPayment(orderId: string): void
  expireCheckout(orderId: string): void
  setSync(patch: Partial<SyncState>): void
  emit(event: EventName, payload: unknown): void
  /** Makes the next call to `channel` fail with this error. */
  failNext(channel: string, error: BillingError): void
  /** Makes calls hang until released (to observe in-between states). */
  holdCalls(channel: string): () => void
}

export function createFakeCore(init: Partial<FakeCore['state']> = {}): FakeCore {
  let seq = 0
  const id = (p: string): string => `${p}-${++seq}`
  const state: FakeCore['state'] = {
    balance: 0,
    firstFreeUsed: false,
    livePrice: 500,
    entries: [],
    payments: [],
    checkouts: new Map(),
    subscription: null,
    usage: [
      { feature: 'ai_request', kind: 'counter', unit: 'requests', limit: 20, used: 5, resetsAt: NOW + 20 * DAY },
      { feature: 'export', kind: 'counter', unit: 'exports', limit: 3, used: 3, resetsAt: NOW + 20 * DAY },
      { feature: 'live_room', kind: 'gauge', unit: 'rooms', limit: 1, used: 0, resetsAt: null },
      { feature: 'storage', kind: 'gauge', unit: 'MB', limit: null, used: 2, resetsAt: null }
    ],
    sync: { online: true, syncing: false, lastSyncAt: NOW - 60_000, pendingCount: 0, pendingCheckouts: 0, lastError: null, warnings: [], rejectedCount: 0, lastRejection: null, skippedCount: 0, lastSkipped: null },
    locale: 'zh-CN',
    opened: [],
    quotaFull: false,
    ...init
  }
  const plans = defaultPlans()
  const calls: FakeCore['calls'] = []
  const failures = new Map<string, BillingError>()
  const holds = new Map<string, Promise<void>>()
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  const emitter = createEventEmitter((event, payload) => {
    for (const cb of listeners.get(event) ?? []) cb(payload)
  })

  const balance = (): WalletBalance => ({
    balance: cny(state.balance),
    held: cny(0),
    available: cny(Math.max(0, state.balance)),
    debt: cny(Math.max(0, -state.balance)),
    firstFreeAvailable: !state.firstFreeUsed
  })
  const entry = (type: WalletEntry['type'], amount: number, reason: string | null, feature: string | null = null): void => {
    state.balance += amount
    state.entries.unshift({
      id: id('entry'),
      type,
      amount: cny(amount),
      balanceAfter: cny(state.balance),
      feature,
      reason,
      createdAt: NOW + seq
    })
  }
  const page = <T extends { createdAt: number }>(items: T[], input: { cursor?: string | null; limit: number; from?: number; to?: number }) => {
    const filtered = items.filter((i) => (input.from === undefined || i.createdAt >= input.from) && (input.to === undefined || i.createdAt < input.to))
    const start = input.cursor ? Number(input.cursor) : 0
    const slice = filtered.slice(start, start + input.limit)
    const next = start + input.limit < filtered.length ? String(start + input.limit) : null
    return { items: slice, nextCursor: next }
  }
  const getCheckout = (orderId: string): Checkout => {
    const c = state.checkouts.get(orderId)
    if (!c) throw new NotFound('checkout', orderId)
    return c
  }
  const setCheckout = (c: Checkout): Checkout => {
    state.checkouts.set(c.orderId, c)
    emitter.emit('checkout.updated', c)
    return c
  }
  const planOf = (planId: string): Plan => {
    const p = plans.find((x) => x.id === planId)
    if (!p) throw new NotFound('plan', planId)
    return p
  }
  const startSubscription = (p: Plan, status: Subscription['status']): Subscription => {
    const end = p.period === 'lifetime' ? null : NOW + (p.period === 'monthly' ? 30 : p.period === 'quarterly' ? 90 : 365) * DAY
    state.subscription = {
      id: id('sub'),
      planId: p.id,
      tier: p.tier,
      period: p.period,
      status,
      autoRenew: status === 'active' && end !== null,
      currentPeriodStart: NOW,
      currentPeriodEnd: status === 'trialing' ? NOW + (p.trialDays ?? 0) * DAY : end,
      trialEndsAt: status === 'trialing' ? NOW + (p.trialDays ?? 0) * DAY : null,
      cancelAtPeriodEnd: false,
      cancelReason: null
    }
    emitter.emit('subscription.changed', { subscription: state.subscription })
    return state.subscription
  }
  const liveSub = (): Subscription => {
    if (!state.subscription) throw new NotFound('subscription', 'current')
    return state.subscription
  }

  const handlers: Handlers = {
    'wallet.balance': () => balance(),
    'wallet.history': (i) => page(state.entries.filter((e) => !i.types || i.types.includes(e.type)), i),
    'wallet.chargeOrFree': (i): GateOutcome => {
      if (state.quotaFull) throw new QuotaExceeded({ feature: 'live_room', limit: 1, used: 1, requested: 1 })
      const price = cny(state.livePrice)
      if (state.balance >= state.livePrice) {
        entry('consume', -state.livePrice, null, i.feature)
        emitter.emit('balance.changed', balance())
        return { outcome: 'paid', feature: i.feature, price, balanceAfter: cny(state.balance) }
      }
      if (!state.firstFreeUsed) {
        state.firstFreeUsed = true
        entry('first_free', 0, null, i.feature)
        emitter.emit('balance.changed', balance())
        return { outcome: 'first_free', feature: i.feature, price }
      }
      return { outcome: 'needs_recharge', feature: i.feature, price, balance: cny(state.balance), shortfall: cny(state.livePrice - state.balance) }
    },
    'recharge.options': () => ({
      presets: [cny(1000), cny(5000), cny(10000), cny(50000)],
      min: cny(1000),
      max: cny(500000),
      methods: ['alipay', 'wechat', 'stripe', 'paypal']
    }),
    'checkout.create': (i) => {
      const orderId = id('order')
      const amount = i.purpose.kind === 'recharge' ? i.purpose.amount : planOf(i.purpose.planId).price
      const qr = i.method === 'alipay' || i.method === 'wechat'
      state.payments.unshift({
        id: id('pay'),
        orderId,
        kind: 'payment',
        method: i.method,
        amount,
        purpose: i.purpose.kind,
        status: 'pending',
        createdAt: NOW + seq
      })
      return setCheckout({
        orderId,
        method: i.method,
        purpose: i.purpose.kind === 'plan' ? { kind: 'plan', planId: i.purpose.planId } : { kind: 'recharge' },
        amount,
        status: 'pending',
        display: qr
          ? { kind: 'qr', content: i.method === 'alipay' ? `https://qr.alipay.com/${orderId}` : `weixin://wxpay/bizpayurl?pr=${orderId}` }
          : { kind: 'url' },
        expiresAt: NOW + 15 * 60_000,
        createdAt: NOW,
        failureReason: null
      })
    },
    'checkout.status': (i) => getCheckout(i.orderId),
    'checkout.cancel': (i) => {
      const c = getCheckout(i.orderId)
      if (c.status !== 'pending') throw new InvalidTransition('checkout', c.status, 'cancelled')
      return setCheckout({ ...c, status: 'cancelled' })
    },
    'checkout.openExternal': (i) => {
      const c = getCheckout(i.orderId)
      if (c.display.kind !== 'url') throw new InvalidTransition('checkout', c.display.kind, 'open')
      state.opened.push(i.orderId)
      return { opened: true as const }
    },
    'plans.list': () => ({ plans }),
    'subscription.current': () => ({ subscription: state.subscription }),
    'subscription.subscribe': (i): Output<'subscription.subscribe'> => {
      const p = planOf(i.planId)
      if (state.balance < p.price.amount) {
        return { outcome: 'needs_recharge', price: p.price, shortfall: cny(p.price.amount - state.balance) }
      }
      entry('consume', -p.price.amount, `plan ${p.id}`)
      emitter.emit('balance.changed', balance())
      return { outcome: 'subscribed', subscription: startSubscription(p, 'active') }
    },
    'subscription.startTrial': (i) => {
      if (state.subscription) throw new InvalidTransition('subscription', state.subscription.status, 'trialing')
      return startSubscription(planOf(i.planId), 'trialing')
    },
    'subscription.cancel': (i) => {
      const s = liveSub()
      // As the real handler does: the core keeps one reason string, "<code>: <note>".
      const cancelReason = i.note ? `${i.reason}: ${i.note}` : i.reason
      state.subscription = i.atPeriodEnd
        ? { ...s, cancelAtPeriodEnd: true, autoRenew: false, cancelReason }
        : { ...s, status: 'cancelled', autoRenew: false, currentPeriodEnd: NOW, cancelReason }
      return state.subscription
    },
    'subscription.setAutoRenew': (i) => {
      state.subscription = { ...liveSub(), autoRenew: i.enabled }
      return state.subscription
    },
    'usage.summary': () => ({ items: state.usage, effectiveTier: state.subscription?.tier ?? 'FREE' }),
    'payments.history': (i) => page(state.payments.filter((p) => !i.kinds || i.kinds.includes(p.kind)), i),
    'sync.state': () => state.sync,
    'sync.now': () => {
      state.sync = { ...state.sync, lastSyncAt: NOW + 3_600_000, pendingCount: 0 }
      return state.sync
    },
    'settings.get': () => ({ locale: state.locale }),
    'settings.set': (i) => {
      state.locale = i.locale
      return { locale: state.locale }
    }
  }

  const dispatcher = createDispatcher(handlers, { isTrustedSender: (s) => s === 'renderer' })
  const transport: Transport = {
    async invoke(channel, input) {
      calls.push({ channel, input })
      const hold = holds.get(channel)
      if (hold) await hold
      const failure = failures.get(channel)
      if (failure) {
        failures.delete(channel)
        return { ok: false, error: failure.toInfo() }
      }
      // A structured clone, as Electron IPC and JSON over a socket would make.
      return dispatcher.dispatch(channel, JSON.parse(JSON.stringify(input ?? null)), 'renderer')
    },
    on(event, cb) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(cb)
      return () => set.delete(cb)
    }
  }

  return {
    transport,
    state,
    calls,
    confirmPayment(orderId) {
      const c = getCheckout(orderId)
      if (c.status === 'paid') return
      if (c.purpose.kind === 'recharge') entry('recharge', c.amount.amount, null)
      else startSubscription(planOf(c.purpose.planId), 'active')
      setCheckout({ ...c, status: 'paid' })
      const p = state.payments.find((x) => x.orderId === orderId)
      if (p) p.status = 'succeeded'
      emitter.emit('balance.changed', balance())
      emitter.emit('payment.confirmed', { orderId, amount: c.amount, purpose: c.purpose.kind })
    },
    expireCheckout(orderId) {
      setCheckout({ ...getCheckout(orderId), status: 'expired' })
    },
    setSync(patch) {
      state.sync = { ...state.sync, ...patch }
      emitter.emit('sync.state', state.sync)
    },
    emit(event, payload) {
      emitter.emit(event, payload as never)
    },
    failNext(channel, error) {
      failures.set(channel, error)
    },
    holdCalls(channel) {
      let release!: () => void
      holds.set(channel, new Promise<void>((r) => (release = r)))
      return () => {
        holds.delete(channel)
        release()
      }
    }
  }
}

export type { Input }
