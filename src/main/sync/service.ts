import { randomBytes, type KeyObject } from 'node:crypto'
import { createBilling, type Billing, type BillingOptions, type BillingRecord } from '../billing'
import { systemClock } from '../../node/clock'
import { randomIds } from '../../node/ids'
import { DEVICE_TOKEN_SECRET, type SecretStore, type SettingsStore } from '../settings'
import { BillingError, InvalidInput, InvalidTransition } from '../../shared/errors'
import { PROVIDERS } from '../../shared/catalog'
import { paymentsHistoryInput, type Input, type Output, type Payload } from '../../shared/ipc/contract'
import type { FeedEnvelope, FeedPage, OutboxAck } from '../../shared/relay-contract'
import { applyRecord, type AppliedEvent, type ApplyDeps } from './apply'
import { CheckoutFlow, type Checkout } from './checkouts'
import { GatedWallet } from './gated-wallet'
import { entitlementGate, leaseStatus, LeaseKeeper, type LeaseStatus } from './lease'
import { verifyOutbox, writeOutbox } from './outbox'
import type { RelayFetch } from './http-transport'
import { RelayClient, RelayError } from './relay-client'
import { alwaysOnline, DEFAULT_SCHEDULE, realTimers, SyncScheduler, type ScheduleOptions, type SyncSignals, type Timers } from './scheduler'
import { prepareSyncStore, type PaymentRow, type SyncStore } from './store'
import { TrustGuard } from './trust'
import { assertRelayUrl } from './relay-url'
import { checkEachRecord, checkFeedPage, FeedRecordRejected, publicKeyFromBase64, type CheckedPage, type CheckedRecord } from '../../node/feed'

// The sync layer around the billing core: createSyncedBilling() opens the billing file with
// the outbox writer, the gated wallet and the lease-aware entitlement plugged in, and returns
// the SyncService the IPC handlers and the host app call. One sync run: push the outbox,
// fetch the lease, pull the feed to the end, poll open checkouts; then anchor the clock and
// clear the sticky warnings. See docs/sync.md.

/**
 * The contract's sync state, with the outbox records the relay refused (kept, never retried:
 * the same record would be refused again) and the feed records skipped as unapplicable.
 */
export type SyncState = Output<'sync.state'>
export type RechargeOptions = Output<'recharge.options'>
export type PaymentsHistory = Output<'payments.history'>
export type SyncEvents = {
  'sync.state': SyncState
  'payment.confirmed': Payload<'payment.confirmed'>
  'checkout.updated': Payload<'checkout.updated'>
}

export interface SyncedBillingOptions extends Omit<BillingOptions, 'onRecord' | 'createWallet' | 'entitlements'> {
  settings: SettingsStore
  secrets: SecretStore
  /** The pinned relay key (base64 of the raw Ed25519 key), shipped with the app. */
  relayPublicKey: string
  /** Default: the settings' relayUrl. https, or http only to a loopback address (RelayUrlInsecure). */
  relayUrl?: string
  signals?: SyncSignals
  timers?: Timers
  random?: () => number
  /** The HTTP transport (default node:http(s) with keep-alive; the global fetch fits too). */
  fetch?: RelayFetch
  requestTimeoutMs?: number
  /** Lease honoured offline this long after validUntil. Default 3 days. */
  leaseGraceMs?: number
  /** A clock moved back by more than this is tampering. Default 10 min. */
  clockToleranceMs?: number
  feedPageSize?: number
  outboxBatchSize?: number
  /**
   * Outbox batches in flight at once. Default 8: while this thread applies a pulled page it
   * sends nothing, so the relay needs that much work queued not to sit idle (fewer left it
   * waiting per page in the catch-up benchmark; docs/performance.md).
   */
  outboxPipeline?: number
  schedule?: Partial<ScheduleOptions>
}

export interface SyncService {
  /** Start-up: checks the ledger and the stored lease, then starts the triggers. */
  start(): void
  stop(): void
  /** Enrols this device with a one-time code from the relay operator. */
  enrol(code: string, deviceName: string): Promise<{ accountId: string; deviceId: string }>
  readonly enrolled: boolean
  /** One run now (joins the one in progress); resolves with the state after it. */
  syncNow(): Promise<SyncState>
  state(): SyncState
  on<E extends keyof SyncEvents>(event: E, cb: (payload: SyncEvents[E]) => void): () => void
  createCheckout(input: Input<'checkout.create'>): Promise<Checkout>
  checkoutStatus(input: Input<'checkout.status'>): Checkout
  cancelCheckout(input: Input<'checkout.cancel'>): Checkout
  /** The provider URL of a 'url' checkout, for checkout.openExternal. */
  checkoutUrl(orderId: string): string
  rechargeOptions(): RechargeOptions
  paymentsHistory(input: Input<'payments.history'>): PaymentsHistory
  /** Re-verifies the ledger's hash chain and the stored lease (start-up runs it). */
  checkIntegrity(): { ok: boolean; problems: string[] }
  /** What this device may still spend offline (null: not enrolled, no bound). */
  allowance(): number | null
  firstFreeAvailable(): boolean
  leaseStatus(): LeaseStatus
  readonly scheduler: SyncScheduler
  close(): void
}

const PRESETS = [1000, 3000, 5000, 10000, 20000, 50000]

export function createSyncedBilling(opts: SyncedBillingOptions): { billing: Billing; sync: SyncService } {
  const clock = opts.clock ?? systemClock
  const ids = opts.ids ?? randomIds(clock)
  const key: KeyObject = publicKeyFromBase64(opts.relayPublicKey)
  const settings = opts.settings
  const secrets = opts.secrets
  const signals = opts.signals ?? alwaysOnline
  const graceMs = opts.leaseGraceMs ?? 3 * 86_400_000
  const pageSize = opts.feedPageSize ?? 500
  const batchSize = opts.outboxBatchSize ?? 500
  const pushDepth = Math.max(1, opts.outboxPipeline ?? 8)
  // Refused at configuration: the feed is signed, but the device token and the replies are not.
  if (opts.relayUrl !== undefined) assertRelayUrl(opts.relayUrl)

  // Late-bound: the billing modules need these ports before the store exists.
  let store: SyncStore | undefined
  let guard: TrustGuard | undefined
  let keeper: LeaseKeeper | undefined
  let billing: Billing | undefined
  let unsynced: number | null = null
  const enrolled = () => Boolean(settings.get().deviceId && secrets.get(DEVICE_TOKEN_SECRET))

  const allowance = (): number | null => {
    if (!enrolled() || !store || !billing) return null
    if (unsynced === null) unsynced = store.unsyncedSpend.get()?.total ?? 0
    const s = store.state.get()!
    return s.relay_balance - unsynced - billing.wallet.held().amount
  }

  // The billing modules read time through the guard, so a clock moved back is noticed on
  // the next quota check or wallet operation, not only at the next sync.
  const watchedClock = { now: () => (guard ? guard.observe() : clock.now()) }
  billing = createBilling({
    ...opts,
    clock: watchedClock,
    ids,
    onRecord(r: BillingRecord) {
      if (!store) throw new Error('sync: a mutation was reported before the outbox was ready')
      if (writeOutbox(store, r, clock.now())) unsynced = null
    },
    createWallet: (deps) =>
      new GatedWallet(deps, {
        blocking: () => {
          if (!enrolled() || !guard) return []
          guard.observe()
          return guard.warnings
        },
        allowance
      }),
    entitlements: (local) => {
      const gate = entitlementGate(
        {
          keeper: { get current() { return keeper?.current ?? null } } as LeaseKeeper,
          guard: {
            get trusted() { return guard?.trusted ?? true },
            trustedNow: () => guard?.trustedNow() ?? clock.now(),
            observe: () => guard?.observe() ?? clock.now()
          } as TrustGuard,
          graceMs,
          enrolled,
          subscriptions: () => billing!.subscriptions
        },
        local
      )
      // While the billing file opens, the sync state is not read yet: the local plan stands in
      // until the quotas ask again (invalidated right after).
      return { current: (now) => (billing && keeper ? gate.current(now) : local.current(now)) }
    }
  })
  const b = billing
  store = prepareSyncStore(b.db)
  const st = store
  guard = new TrustGuard(clock, st, opts.clockToleranceMs ?? 10 * 60_000)
  const g = guard
  keeper = new LeaseKeeper(st, key, g, () => settings.get())
  const k = keeper
  k.load()
  b.quotas.invalidate()

  const listeners = new Map<string, Set<(p: never) => void>>()
  const emit = <E extends keyof SyncEvents>(event: E, payload: SyncEvents[E]) => {
    for (const cb of listeners.get(event) ?? []) (cb as (p: SyncEvents[E]) => void)(payload)
  }

  let client: RelayClient | null = null
  const relay = (): RelayClient => {
    const url = opts.relayUrl ?? settings.get().relayUrl
    if (!url) throw new RelayError('no relay URL configured', 0, 'NOT_CONFIGURED', false)
    if (!client) assertRelayUrl(url)
    client ??= new RelayClient({
      baseUrl: url,
      token: () => secrets.get(DEVICE_TOKEN_SECRET),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      ...(opts.requestTimeoutMs ? { timeoutMs: opts.requestTimeoutMs } : {})
    })
    return client
  }

  const flow = new CheckoutFlow({
    db: b.db,
    store: st,
    ids,
    client: relay,
    subscriptions: () => b.subscriptions,
    now: () => clock.now(),
    changed: (orderId) => {
      const row = st.orderById.get(orderId)
      if (row) emit('checkout.updated', flow.view(row))
    }
  })

  let syncing = false
  let online = signals.isOnline()
  let prices: RechargeOptions | null = null
  let lastError: string | null = st.state.get()!.last_error

  const state = (): SyncState => {
    const s = st.state.get()!
    const warnings: SyncState['warnings'] = enrolled() ? [...g.warnings] : []
    if (enrolled() && leaseStatus({ keeper: k, guard: g, graceMs }) === 'expired') warnings.push('lease_expired')
    if (b.wallet.debt().amount > 0 || s.relay_debt > 0) warnings.push('debt_outstanding')
    return {
      online,
      syncing,
      lastSyncAt: s.last_sync_at,
      pendingCount: st.outboxPendingCount.get()!.n,
      pendingCheckouts: flow.waiting(),
      lastError,
      warnings,
      ...rejections(),
      ...skipped()
    }
  }
  const skipped = (): Pick<SyncState, 'skippedCount' | 'lastSkipped'> => {
    const skippedCount = st.inboxSkippedCount.get()!.n
    if (skippedCount === 0) return { skippedCount, lastSkipped: null }
    const r = st.inboxLastSkipped.get()!
    return { skippedCount, lastSkipped: { recordId: r.id, type: r.type, reason: r.skip_reason ?? 'skipped', at: r.applied_at } }
  }
  const rejections = (): Pick<SyncState, 'rejectedCount' | 'lastRejection'> => {
    const rejectedCount = st.outboxRejectedCount.get()!.n
    if (rejectedCount === 0) return { rejectedCount, lastRejection: null }
    const r = st.outboxLastRejected.get()!
    return {
      rejectedCount,
      lastRejection: { recordId: r.id, kind: r.kind, code: r.rejected_code, reason: r.rejected_reason ?? r.rejected_code, at: r.rejected_at }
    }
  }
  const emitState = () => emit('sync.state', state())
  g.onChange(() => {
    b.quotas.invalidate()
    emitState()
  })

  const applyDeps: ApplyDeps = {
    db: b.db,
    store: st,
    wallet: b.wallet,
    subscriptions: b.subscriptions,
    ids,
    keeper: k,
    deviceId: () => settings.get().deviceId,
    now: () => clock.now()
  }

  /**
   * Applies checked records and the cursor in one transaction; then tells the UI. The cursor
   * is the last record's signed sequence number (null: records outside the feed's paging).
   */
  const applyPage = (records: [FeedEnvelope, CheckedRecord][], cursor: string | null): void => {
    const events: AppliedEvent[] = []
    try {
      b.db.tx(() => {
        const totals = { relayBalance: 0 }
        for (const [env, c] of records) applyRecord(applyDeps, env, c.payload, events, totals, c.problem)
        if (totals.relayBalance !== 0) st.addRelayBalance.run(totals.relayBalance)
        if (cursor !== null && cursorAfter(cursor, st.state.get()!.cursor)) st.setCursor.run(cursor, clock.now())
      })
    } catch (err) {
      k.load()
      throw err
    }
    unsynced = null
    if (cursor !== null) settings.set({ cursor })
    if (events.length === 0) return
    b.wallet.refresh()
    b.quotas.invalidate()
    for (const e of events) {
      if (e.kind === 'payment.confirmed') {
        const order = flow.byOrderNo(e.orderNo)
        emit('payment.confirmed', { orderId: order?.id ?? e.orderNo, amount: e.amount as Payload<'payment.confirmed'>['amount'], purpose: e.purpose })
      } else if (e.kind === 'order.changed') {
        const order = flow.byOrderNo(e.orderNo)
        if (order) emit('checkout.updated', flow.view(order))
      }
    }
    if (events.some((e) => e.kind === 'record.skipped')) emitState()
  }

  /**
   * Keeps the records whose signed sequence is above everything applied so far, in order: a
   * replayed page or record (at or below the cursor) is dropped, so the cursor only moves
   * forward and only to a number the relay signed.
   */
  const forward = (records: [FeedEnvelope, CheckedRecord][]): [FeedEnvelope, CheckedRecord][] => {
    const applied = st.state.get()!.cursor
    let high = applied !== null && /^\d+$/.test(applied) ? BigInt(applied) : 0n
    const out: [FeedEnvelope, CheckedRecord][] = []
    for (const r of records) {
      const seq = BigInt(r[1].seq)
      if (seq <= high) continue
      high = seq
      out.push(r)
    }
    return out
  }

  /** Applies one batch's ack in one transaction; a refusal is kept with its reason, never retried. */
  const applyAck = (batch: OutboxBatch, ack: OutboxAck): void => {
    const now = clock.now()
    const { ids } = batch
    const whole = ack.rejected.length === 0 && ack.accepted.length === ids.length && sameIds(ids, ack.accepted)
    b.db.tx(() => {
      if (whole) st.outboxAckRange.run(now, batch.firstSeq, batch.lastSeq)
      else if (ack.accepted.length > 0) st.outboxAckMany.run(now, JSON.stringify(ack.accepted))
      for (const r of ack.rejected) st.outboxReject.run(r.code, `${r.code}: ${r.message}`.slice(0, 500), now, r.id)
    })
    unsynced = null
    if (ack.rejected.length > 0) emitState()
    if (whole) return
    const sent = new Set(ids)
    if (!ack.accepted.some((id) => sent.has(id)) && !ack.rejected.some((r) => sent.has(r.id))) {
      throw new RelayError('the relay acknowledged none of the batch', 0, 'BAD_RESPONSE', true)
    }
  }

  /**
   * Pushes the outbox in batches with up to `pushDepth` requests in flight, so the relay works
   * on one batch while the next travels; each ack commits on its own. Rows are sent from their
   * stored JSON. After a failure no new batch starts; the ones in flight finish, the run fails,
   * and unacked rows go again next time (a resend is acked, never reapplied).
   * Returns the number of rows sent.
   */
  const push = async (): Promise<number> => {
    let afterSeq = 0
    let sentRows = 0
    let failure: unknown = null
    const inFlight = new Set<Promise<void>>()
    while (failure === null) {
      const rows = st.outboxPendingAfter.all(afterSeq, batchSize)
      if (rows.length === 0) break
      const batch: OutboxBatch = { firstSeq: rows[0]![0], lastSeq: rows[rows.length - 1]![0], ids: rows.map((r) => r[1]) }
      afterSeq = batch.lastSeq
      sentRows += rows.length
      const p: Promise<void> = relay()
        .pushOutboxJson(rows.map((r) => r[2]))
        .then((ack) => applyAck(batch, ack))
        .catch((err: unknown) => {
          failure ??= err
        })
        .finally(() => inFlight.delete(p))
      inFlight.add(p)
      if (inFlight.size >= pushDepth) await Promise.race(inFlight)
    }
    await Promise.all(inFlight)
    if (failure !== null) throw failure
    return sentRows
  }

  /**
   * Pulls the feed to its end. As soon as a page arrives the next one is requested and its
   * page signature starts verifying (on libuv's pool), so fetching and verifying page k+1
   * overlap applying page k; what was fetched ahead of a failure is dropped.
   */
  const pull = async (accountId: string): Promise<number> => {
    type Loaded = { page: FeedPage; verified: Promise<CheckedPage> }
    const load = (cursor: string | null): Promise<Loaded> => {
      const nonce = randomBytes(16).toString('base64url')
      return relay()
        .feed(cursor, pageSize, nonce)
        .then((page) => ({ page, verified: checkFeedPage(page, key, accountId, cursor, nonce) }))
    }
    let next: Promise<Loaded> | null = load(st.state.get()!.cursor)
    let serverTime = clock.now()
    try {
      while (next) {
        const { page, verified } = await next
        next = null
        serverTime = page.serverTime
        const last = page.records[page.records.length - 1]?.cursor ?? null
        if (page.hasMore && last !== null) {
          // A stale (replayed) page must not send the pull back before what is applied.
          const applied = st.state.get()!.cursor
          next = load(applied !== null && !cursorAfter(last, applied) ? applied : last)
        }
        const { ok, rejected } = await verified
        const fresh = forward(ok)
        applyPage(fresh, fresh.length ? String(fresh[fresh.length - 1]![1].seq) : null)
        if (rejected) throw rejected
      }
      return serverTime
    } finally {
      // A page requested ahead of a failure is not wanted; do not leave its error unhandled.
      ;(next as Promise<unknown> | null)?.catch(() => undefined)
    }
  }

  const refreshLease = async (accountId: string) => {
    const { lease } = await relay().lease()
    const { ok, rejected } = await checkEachRecord([lease], key, accountId)
    if (rejected) throw rejected
    const [, checked] = ok[0]!
    if (checked.payload?.type !== 'entitlement_lease') throw new FeedRecordRejected(lease.id, 'the lease reply is not a readable lease')
    applyPage(ok, null)
  }

  const fetchPrices = async () => {
    if (prices) return
    const p = await relay().prices()
    prices = {
      presets: p.recharge.presets.map((amount) => ({ amount, currency: p.recharge.currency })),
      min: { amount: p.recharge.min, currency: p.recharge.currency },
      max: { amount: p.recharge.max, currency: p.recharge.currency },
      methods: [...PROVIDERS]
    }
  }

  const runOnce = async (): Promise<boolean> => {
    // `online` is whether the relay answered the last run: the network may be up while the
    // relay is not reachable (a venue's captive portal, a relay restart).
    if (!signals.isOnline()) {
      online = false
      emitState()
      return false
    }
    const accountId = settings.get().accountId
    if (!enrolled() || !accountId) {
      lastError = 'this device is not enrolled with the relay'
      emitState()
      return false
    }
    syncing = true
    emitState()
    try {
      // Push and (lease, pull) run side by side; a pull after a push that sent something
      // brings the relay's echoes of it (debits, first-free decisions) into this same run.
      const [pushed, pulled] = await Promise.allSettled([push(), refreshLease(accountId).then(() => pull(accountId))])
      if (pushed.status === 'rejected') throw pushed.reason
      if (pulled.status === 'rejected') throw pulled.reason
      const serverTime = pushed.value > 0 ? await pull(accountId) : pulled.value
      await flow.poll()
      await fetchPrices().catch(() => undefined)
      const now = clock.now()
      b.db.tx(() => {
        g.anchor(serverTime)
        st.setResult.run(now, null, now)
      })
      lastError = null
      online = true
      b.quotas.invalidate()
      return true
    } catch (err) {
      online = !(err instanceof RelayError && err.code === 'NETWORK')
      lastError = err instanceof Error ? err.message : String(err)
      st.setResult.run(null, lastError.slice(0, 500), clock.now())
      return false
    } finally {
      syncing = false
      emitState()
    }
  }

  const scheduler = new SyncScheduler({
    run: runOnce,
    signals,
    timers: opts.timers ?? realTimers,
    random: opts.random ?? Math.random,
    waitingForPayment: () => flow.waiting() > 0,
    onOffline: () => {
      online = false
      emitState()
    },
    options: { ...DEFAULT_SCHEDULE, ...opts.schedule }
  })

  const checkIntegrity = () => {
    const verified = b.verify()
    const missing = verifyOutbox(b.db.sqlite)
    const report = { ...verified, ok: verified.ok && missing.length === 0, problems: [...verified.problems, ...missing] }
    k.load()
    if (!report.ok) g.flag('ledger_tampered')
    return report
  }

  let closed = false
  const sync: SyncService = {
    start() {
      checkIntegrity()
      scheduler.start()
    },
    stop: () => scheduler.stop(),
    async enrol(code, deviceName) {
      if (enrolled()) throw new InvalidTransition('device', 'enrolled', 'enrolled')
      if (typeof code !== 'string' || code.length < 8 || typeof deviceName !== 'string' || !deviceName.trim()) {
        throw new InvalidInput('an enrolment code and a device name are required')
      }
      const api = relay() // an insecure or missing relay URL is its own typed error
      let res
      try {
        res = await api.enrol(code, deviceName.trim().slice(0, 100))
      } catch (err) {
        if (err instanceof RelayError && err.status === 401) throw new BillingError('UNAUTHORIZED', 'enrolment code unknown, used or expired')
        throw new BillingError('UNAVAILABLE', `enrolment failed: ${err instanceof Error ? err.message : String(err)}`)
      }
      secrets.set(DEVICE_TOKEN_SECRET, res.deviceToken)
      settings.set({ accountId: res.accountId, deviceId: res.deviceId, deviceName })
      void scheduler.trigger('manual')
      return { accountId: res.accountId, deviceId: res.deviceId }
    },
    get enrolled() {
      return enrolled()
    },
    async syncNow() {
      await scheduler.trigger('manual')
      return state()
    },
    state,
    on(event, cb) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(cb as (p: never) => void)
      return () => void set.delete(cb as (p: never) => void)
    },
    async createCheckout(input) {
      const c = await flow.create(input)
      if (c.status === 'pending') void scheduler.trigger('checkout')
      return c
    },
    checkoutStatus: (input) => flow.status(input),
    cancelCheckout: (input) => flow.cancel(input),
    checkoutUrl: (orderId) => flow.url(orderId),
    rechargeOptions: () =>
      prices ?? {
        presets: PRESETS.map((amount) => ({ amount, currency: 'CNY' as const })),
        min: { amount: 100, currency: 'CNY' },
        max: { amount: 500000, currency: 'CNY' },
        methods: [...PROVIDERS]
      },
    paymentsHistory: (input) => paymentsHistory(b, st, input),
    checkIntegrity: () => {
      const r = checkIntegrity()
      return { ok: r.ok && !g.warnings.includes('ledger_tampered'), problems: r.problems }
    },
    allowance,
    firstFreeAvailable: () => !b.wallet.firstFreeUsed() && st.state.get()!.first_free_claim_id === null,
    leaseStatus: () => leaseStatus({ keeper: k, guard: g, graceMs }),
    scheduler,
    close() {
      if (closed) return
      closed = true
      scheduler.stop()
      g.flush()
      b.close()
    }
  }
  return { billing: b, sync }
}

/** A pushed batch: its rows' ids in order and the seq range they span (nothing else pending in it). */
interface OutboxBatch {
  firstSeq: number
  lastSeq: number
  ids: string[]
}

/** The relay acked exactly the rows sent (in the order sent, as it answers). */
function sameIds(sent: string[], acked: string[]): boolean {
  for (let i = 0; i < sent.length; i++) if (sent[i] !== acked[i]) return false
  return true
}

/** A replayed (stale) feed page must not move the cursor back. */
function cursorAfter(next: string, current: string | null): boolean {
  if (current === null) return true
  if (/^\d+$/.test(next) && /^\d+$/.test(current)) return BigInt(next) > BigInt(current)
  return next !== current
}

/** A payments-history row: a payment joined to its order's local id. */
type HistoryRow = Omit<PaymentRow, 'order_no'> & { order_id: string }

/** Payments and refunds the feed reported, plus this device's orders not paid (yet). Cold path. */
function paymentsHistory(b: Billing, _st: SyncStore, raw: Input<'payments.history'>): PaymentsHistory {
  const parsed = paymentsHistoryInput.safeParse(raw)
  if (!parsed.success) throw new InvalidInput('invalid history query')
  const q = parsed.data
  const rows = b.db.sqlite
    .prepare<[], HistoryRow>(
      `SELECT p.id, COALESCE(o.id, p.order_no) AS order_id, p.kind, p.method, p.amount, p.currency, p.purpose, p.status, p.created_at
         FROM sync_payments p LEFT JOIN sync_orders o ON o.order_no = p.order_no
       UNION ALL
       SELECT 'order:' || o.id, o.id, 'payment', o.method, o.amount, o.currency, o.kind,
              CASE o.status WHEN 'creating' THEN 'pending' ELSE o.status END, o.created_at
         FROM sync_orders o WHERE o.status <> 'paid'
       ORDER BY 9 DESC, 1 DESC`
    )
    .all()
  const offset = q.cursor ? Number.parseInt(q.cursor, 10) || 0 : 0
  const filtered = rows.filter(
    (r) =>
      (!q.kinds || q.kinds.includes(r.kind)) && (q.from === undefined || r.created_at >= q.from) && (q.to === undefined || r.created_at < q.to)
  )
  const page = filtered.slice(offset, offset + q.limit)
  return {
    items: page.map((r) => ({
      id: r.id,
      orderId: r.order_id,
      kind: r.kind,
      method: r.method as 'alipay',
      amount: { amount: r.amount, currency: r.currency as 'CNY' },
      purpose: r.purpose,
      status: r.status as 'pending',
      createdAt: r.created_at
    })),
    nextCursor: offset + q.limit < filtered.length ? String(offset + q.limit) : null
  }
}
