import { hostname } from 'node:os'
import { dirname, join } from 'node:path'
import { InvoiceBook, InvoicePdfs, recordingOpener, type FileOpener } from '../invoices'
import { BillingDocs } from './billing-docs'
import { createBilling, openBillingFile, type Billing, type BillingOptions } from '../billing'
import { systemClock } from '../../node/clock'
import { randomIds } from '../../node/ids'
import type { SecretStore, SettingsStore } from '../settings'
import type { Input } from '../../shared/ipc/contract'
import { OfflineAllowance } from './allowance'
import { billingPorts, type LateSyncParts } from './billing-ports'
import { CheckoutFlow, type Checkout } from './checkouts'
import { DeviceEnrolment } from './enrolment'
import { AccountSession } from './sign-in'
import { SyncEventBus, type SyncEvents } from './events'
import type { RelayFetch } from './http-transport'
import { checkIntegrity, type IntegrityReport } from './integrity'
import { planStartCheck, type Checkpoints } from '../integrity/checkpoint'
import { eventLoopMeter, type BlockMeter } from '../watchdog/event-loop'
import { leaseStatus, LeaseKeeper, type LeaseStatus } from './lease'
import { paymentsHistory, type PaymentsHistory } from './payment-history'
import { FullChecks } from './full-checks'
import { RelayKeyRing } from './key-ring'
import { FeedPuller } from './pull'
import { OutboxPusher } from './push'
import { DeviceDeparture } from './departure'
import { rechargeOptionsOf, type RechargeOptions } from './recharge-options'
import { relayConnection } from './relay-connection'
import { assertRelayUrl } from './relay-url'
import { alwaysOnline, DEFAULT_SCHEDULE, realTimers, SyncScheduler, type ScheduleOptions, type SyncSignals, type Timers } from './scheduler'
import { prepareSyncStore } from './store'
import { runSync } from './sync-run'
import { SyncStatus, type SyncState } from './sync-state'
import { TrustGuard } from './trust'
import { NotificationCentre, RecordingDesktopNotifier, type DesktopNotifier } from '../notifications'
import type { Locale } from '../../shared/ipc/types'
import { DEFAULT_BILLING_TZ } from '../../shared/calendar'
import { warmIntl } from '../../node/intl-warmup'

// The sync layer around the billing core: createSyncedBilling() opens the billing file with
// the sync ports plugged in (billing-ports.ts) and returns the SyncService the IPC handlers
// and the host app call. Each part lives in its own file; this one wires them. See docs/sync.md.

export type { SyncState } from './sync-state'
export type { SyncEvents } from './events'
export type { RechargeOptions } from './recharge-options'
export type { PaymentsHistory } from './payment-history'

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
  /** Feed records applied per transaction, the event loop turning between (default 100). */
  feedApplySlice?: number
  outboxBatchSize?: number
  /**
   * Outbox batches in flight at once. Default 8: while this thread applies a pulled page it
   * sends nothing, so the relay needs that much work queued not to sit idle (fewer left it
   * waiting per page in the catch-up benchmark; docs/performance.md).
   */
  outboxPipeline?: number
  schedule?: Partial<ScheduleOptions>
  /** The name this device signs in under (default: the computer's host name). */
  deviceName?: string
  /**
   * The full check of the file on a worker thread (fullCheck()): first `afterStartMs` after
   * start() (default 10 s), then every `everyMs` (default 6 h; 0: on demand only). `workerUrl`:
   * the worker entry, for a host that bundles this module into its own build. `startWalkLimit`:
   * the most rows start-up walks on this thread (default START_WALK_LIMIT); with more written
   * since the last whole full check, the full check runs at once instead.
   */
  fullCheck?: { afterStartMs?: number; everyMs?: number; workerUrl?: URL; startWalkLimit?: number }
  /** Measures the longest main-thread block (default: perf_hooks' event-loop delay). */
  blockMeter?: BlockMeter
  /**
   * The notification centre: the desktop port (default: the Node stand-in, which shows
   * nothing), the language of desktop text (default zh-CN), the zone of quiet hours (default
   * the computer's), how often local reminders are computed after start() (default 1 min).
   */
  notifications?: { desktop?: DesktopNotifier; locale?: () => Locale; localTimeZone?: string; checkEveryMs?: number }
  /** Opens a kept invoice PDF: Electron's shell.openPath in the app; default a recorder (Node host, tests). */
  openFile?: FileOpener
  /** Where invoice PDFs are kept (default: `invoices` beside the billing file). */
  invoicePdfDir?: string
}

export interface SyncService {
  /**
   * Start-up: checks the stored lease and the ledger rows written since the last whole full
   * check (src/main/integrity), starts the triggers, and soon after the full check on a worker.
   */
  start(): void
  stop(): void
  /** Enrols this device with a one-time code from the relay operator. */
  enrol(code: string, deviceName: string): Promise<{ accountId: string; deviceId: string }>
  readonly enrolled: boolean
  /** Sign-in to a relay account, its devices, sign-out (sign-in.ts). */
  readonly account: AccountSession
  /** One run now (joins the one in progress); resolves with the state after it. */
  syncNow(): Promise<SyncState>
  state(): SyncState
  on<E extends keyof SyncEvents>(event: E, cb: (payload: SyncEvents[E]) => void): () => void
  createCheckout(input: Input<'checkout.create'>): Promise<Checkout>
  checkoutStatus(input: Input<'checkout.status'>): Checkout
  cancelCheckout(input: Input<'checkout.cancel'>): Promise<Checkout>
  /** The provider URL of a 'url' checkout, for checkout.openExternal. */
  checkoutUrl(orderId: string): string
  rechargeOptions(): RechargeOptions
  paymentsHistory(input: Input<'payments.history'>): PaymentsHistory
  /** Re-verifies the ledger's hash chain and the stored lease, here and now (synchronous: tests and tools). */
  checkIntegrity(): { ok: boolean; problems: string[] }
  /**
   * The full check of the file on a worker thread (joins one in flight): problems flag
   * `ledger_tampered`; a check that could not finish rejects with IntegrityCheckFailed and
   * shows in the state's `health.fullCheckError`.
   */
  fullCheck(): Promise<{ ok: boolean; problems: string[] }>
  /** What this device may still spend offline (null: not enrolled, no bound). */
  allowance(): number | null
  firstFreeAvailable(): boolean
  leaseStatus(): LeaseStatus
  /** Notices from the feed and local reminders (src/main/notifications). */
  readonly notifications: NotificationCentre
  /** Quotes with promotion codes, invoices (listed offline), their PDFs, fapiao requests, 开票信息. */
  readonly docs: BillingDocs
  readonly scheduler: SyncScheduler
  close(): void
}

/**
 * createSyncedBilling for a host's main process: ICU's one-time start-up is paid on a worker
 * thread (src/node/intl-warmup.ts) while this turn opens the file, and the rest follows in a
 * turn of its own, so neither turn holds the host's windows for long.
 */
export async function openSyncedBilling(opts: SyncedBillingOptions): Promise<{ billing: Billing; sync: SyncService }> {
  const warming = warmIntl(opts.timeZone ?? DEFAULT_BILLING_TZ)
  // The file (lock, driver, migrations) needs no calendar: opened in this turn, while ICU warms.
  const db = opts.db ?? openBillingFile(opts)
  try {
    await warming
    return createSyncedBilling({ ...opts, db })
  } catch (err) {
    if (!opts.db) db.close()
    throw err
  }
}

export function createSyncedBilling(opts: SyncedBillingOptions): { billing: Billing; sync: SyncService } {
  const opening = performance.now()
  const clock = opts.clock ?? systemClock
  const now = () => clock.now()
  const ids = opts.ids ?? randomIds(clock)
  const { settings, secrets } = opts
  const keys = new RelayKeyRing(opts.relayPublicKey, settings)
  const signals = opts.signals ?? alwaysOnline
  const graceMs = opts.leaseGraceMs ?? 3 * 86_400_000
  const timers = opts.timers ?? realTimers
  // Refused at configuration: the feed is signed, but the device token and the replies are not.
  if (opts.relayUrl !== undefined) assertRelayUrl(opts.relayUrl)

  const relay = relayConnection(opts)
  const enrolment = new DeviceEnrolment({ settings, secrets, relay })
  const enrolled = () => enrolment.isEnrolled()
  const parts: LateSyncParts = {}
  const allowance = new OfflineAllowance(parts, enrolled)
  const billing = createBilling({ ...opts, ids, ...billingPorts(parts, { clock, graceMs, enrolled, allowance }) })
  parts.billing = billing
  const store = (parts.store = prepareSyncStore(billing.db))
  const guard = (parts.guard = new TrustGuard(clock, store, opts.clockToleranceMs ?? 10 * 60_000))
  const keeper = (parts.keeper = new LeaseKeeper(store, () => keys.forStored, guard, () => settings.get()))
  keeper.load()
  billing.quotas.invalidate()

  const meter = opts.blockMeter ?? eventLoopMeter()
  const checks = new FullChecks({
    billing,
    guard,
    timers,
    now,
    nativeBinding: opts.nativeBinding,
    workerUrl: opts.fullCheck?.workerUrl,
    everyMs: opts.fullCheck?.everyMs ?? 6 * 3_600_000,
    announce: () => status.announce()
  })

  const events = new SyncEventBus()
  const invoices = new InvoiceBook(billing.db)
  const docs = new BillingDocs({
    client: relay,
    invoices,
    pdfs: new InvoicePdfs(opts.invoicePdfDir ?? join(dirname(opts.dbPath), 'invoices')),
    open: opts.openFile ?? recordingOpener(),
    enrolled
  })
  const checkouts: CheckoutFlow = new CheckoutFlow({
    db: billing.db,
    store,
    ids,
    client: relay,
    subscriptions: () => billing.subscriptions,
    now,
    changed: (orderId) => {
      const row = store.orderById.get(orderId)
      if (row) events.emit('checkout.updated', checkouts.view(row))
      // The status bar counts the checkouts waiting for payment.
      status.announce()
    }
  })
  const status = new SyncStatus({
    store,
    guard,
    keeper,
    graceMs,
    wallet: billing.wallet,
    subscriptions: billing.subscriptions,
    now,
    checkouts,
    events,
    enrolled,
    initiallyOnline: signals.isOnline(),
    health: () => ({ ...checks.health(), longestBlockMs: meter.longestBlockMs() })
  })
  guard.onChange(() => {
    billing.quotas.invalidate()
    status.announce()
  })

  const pushing = {
    db: billing.db,
    store,
    now,
    batchSize: opts.outboxBatchSize ?? 500,
    pipelineDepth: Math.max(1, opts.outboxPipeline ?? 8),
    acked: () => allowance.invalidate(),
    refused: () => status.announce()
  }
  const pusher = new OutboxPusher({ ...pushing, relay })
  const departure = new DeviceDeparture({
    secrets,
    relayUrl: () => opts.relayUrl ?? settings.get().relayUrl,
    lastSeq: () => store.outboxLastSeq.get()?.seq ?? 0,
    push: (token, untilSeq) => new OutboxPusher({ ...pushing, relay: relayConnection(opts, () => token) }).push(untilSeq),
    revoke: (deviceId, token) => relay().revokeDevice(deviceId, token)
  })
  const notifications = new NotificationCentre({
    db: billing.db,
    clock,
    settings,
    desktop: opts.notifications?.desktop ?? new RecordingDesktopNotifier(),
    locale: opts.notifications?.locale ?? (() => 'zh-CN'),
    timeZone: billing.subscriptions.timeZone,
    ...(opts.notifications?.localTimeZone ? { localTimeZone: opts.notifications.localTimeZone } : {}),
    facts: () => {
      const lease = keeper.current
      const honoured = enrolled() && lease !== null && leaseStatus({ keeper, guard, graceMs }) === 'honoured'
      const { wallet } = billing
      return {
        subscription: billing.subscriptions.current(),
        lease: honoured ? lease : null,
        available: wallet.spendable(),
        debt: wallet.debt()
      }
    }
  })
  // After the change's transaction (a microtask runs once the synchronous transaction is over;
  // one that rolled back leaves the facts as they were, so the check finds nothing new).
  let recheck = false
  parts.subscriptionChanged = () => {
    if (recheck) return
    recheck = true
    queueMicrotask(() => {
      recheck = false
      if (!closed) notifications.checkReminders()
    })
  }
  // Local reminders are due by the clock alone: computed at start and then every minute (offline too).
  let reminderTimer: unknown = null
  const remindEvery = (): void => {
    reminderTimer = timers.setTimeout(() => {
      notifications.checkReminders()
      remindEvery()
    }, opts.notifications?.checkEveryMs ?? 60_000)
  }
  const stopReminders = (): void => {
    if (reminderTimer !== null) timers.clearTimeout(reminderTimer)
    reminderTimer = null
  }

  const puller = new FeedPuller({
    billing,
    store,
    keeper,
    notices: notifications,
    ids,
    settings,
    checkouts,
    invoices,
    events,
    relay,
    relayKeys: () => keys.current,
    pageSize: opts.feedPageSize ?? 500,
    applySlice: opts.feedApplySlice ?? 100,
    now,
    applied: () => allowance.invalidate(),
    skipped: () => status.announce()
  })
  const runDeps = { billing, store, guard, settings, signals, status, pusher, puller, checkouts, enrolled, now, keys, relay, departure }

  const scheduler = new SyncScheduler({
    run: () => runSync(runDeps),
    signals,
    timers,
    random: opts.random ?? Math.random,
    waitingForPayment: () => checkouts.waiting() > 0,
    onOffline: () => {
      status.online = false
      status.announce()
    },
    options: { ...DEFAULT_SCHEDULE, ...opts.schedule }
  })
  const account = new AccountSession({
    settings,
    secrets,
    relay,
    enrolled,
    deviceName: () => (opts.deviceName ?? settings.get().deviceName ?? hostname()).slice(0, 100),
    relayIdentity: () => ({ relayUrl: opts.relayUrl ?? settings.get().relayUrl, relayPublicKey: opts.relayPublicKey }),
    resetLease() {
      store.setLease.run(null)
      keeper.load()
      billing.quotas.invalidate()
    },
    flush: () => scheduler.trigger('manual'),
    departure,
    changed() {
      allowance.invalidate()
      status.announce()
      if (enrolled()) void scheduler.trigger('manual')
    }
  })
  const integrity = (since?: Checkpoints): IntegrityReport => checkIntegrity(billing, keeper, guard, { store, enrolled }, since)

  let closed = false
  const sync: SyncService = {
    start() {
      const started = performance.now()
      // The rows since the last whole full check, here; all of them on the worker thread soon after.
      const plan = planStartCheck(billing.db.sqlite, opts.fullCheck?.startWalkLimit)
      if (plan.walk) integrity(plan.since)
      else keeper.load()
      if (plan.problems.length > 0) guard.flag('ledger_tampered')
      scheduler.start()
      stopReminders()
      notifications.checkReminders()
      remindEvery()
      checks.schedule(plan.walk ? (opts.fullCheck?.afterStartMs ?? 10_000) : 0)
      meter.record(performance.now() - started)
    },
    stop() {
      scheduler.stop()
      stopReminders()
      checks.stop()
    },
    async enrol(code, deviceName) {
      const device = await enrolment.enrol(code, deviceName)
      void scheduler.trigger('manual')
      return device
    },
    get enrolled() {
      return enrolled()
    },
    account,
    async syncNow() {
      await scheduler.trigger('manual')
      return status.state()
    },
    state: () => status.state(),
    on: (event, listener) => events.on(event, listener),
    async createCheckout(input) {
      const checkout = await checkouts.create(input)
      if (checkout.status === 'pending') void scheduler.trigger('checkout')
      return checkout
    },
    checkoutStatus: (input) => checkouts.status(input),
    cancelCheckout: (input) => checkouts.cancel(input),
    checkoutUrl: (orderId) => checkouts.url(orderId),
    rechargeOptions: () => rechargeOptionsOf(billing.subscriptions.catalog(), keeper.current?.paymentMethods),
    paymentsHistory: (input) => paymentsHistory(billing.db, input),
    checkIntegrity: () => {
      const report = integrity()
      return { ok: report.ok && !guard.warnings.includes('ledger_tampered'), problems: report.problems }
    },
    fullCheck: () => checks.run(),
    allowance: () => allowance.current(),
    firstFreeAvailable: () => !billing.wallet.firstFreeUsed() && store.state.get()!.first_free_claim_id === null,
    leaseStatus: () => leaseStatus({ keeper, guard, graceMs }),
    notifications,
    docs,
    scheduler,
    close() {
      if (closed) return
      closed = true
      scheduler.stop()
      stopReminders()
      checks.close()
      meter.close()
      guard.flush()
      billing.close()
    }
  }
  // Opening ran in the meter's first turn, which its histogram does not see.
  meter.record(performance.now() - opening)
  return { billing, sync }
}
