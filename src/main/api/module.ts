import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { BillingError } from '../../shared/errors'
import { createEventEmitter, type Handlers } from '../../shared/ipc/server'
import type { EventName, Payload } from '../../shared/ipc/contract'
import type { Confirmed, Quote } from '../../shared/ipc/types'
import {
  createIpcHandlers,
  createNotifier,
  fileSettings,
  forwardSyncEvents,
  relaySyncOptions,
  syncHandlers,
  type PriceList
} from '../ipc'
import { toUsageItems } from '../ipc/mapping'
import { createPaidUse, type PaidUses } from '../paid-use'
import { FileSecretStore, FileSettingsStore } from '../settings'
import { alwaysOnline, createSyncedBilling } from '../sync'
import { DEFAULT_BILLING_TZ } from '../../shared/calendar'
import { warmIntl } from '../../node/intl-warmup'
import { openBillingFile } from '../billing'
import type { BillingDb } from '../db/open'
import { ipcAttachments } from './attach'
import { hostNotifications } from './notifications'
import type { BillingModule, BillingModuleOptions, IpcEventLike, Logger, ModuleEventName, ModuleEvents, QuoteHandle } from './types'

// createBillingModule: the billing core, its sync with the relay, the paid-use quotes and
// live sessions, and the IPC contract for attached windows, wired once. The project's own
// Electron entry and the example host app both start from here.

/**
 * createBillingModule for a host's main process: the ledger file is opened in this turn while ICU
 * starts on a worker thread, and the rest follows in a turn of its own, so neither holds the
 * host's windows near the 50 ms budget (docs/performance.md, "Main thread").
 */
export async function openBillingModule(opts: BillingModuleOptions): Promise<BillingModule> {
  const warming = warmIntl(DEFAULT_BILLING_TZ)
  mkdirSync(opts.dataDir, { recursive: true })
  const db = openBillingFile({
    dbPath: join(opts.dataDir, 'billing.sqlite'),
    ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
    ...(opts.migrationsFolder ? { migrationsFolder: opts.migrationsFolder } : {})
  })
  try {
    await warming
    return createBillingModule(opts, db)
  } catch (err) {
    db.close()
    throw err
  }
}

/** `db`: the file openBillingModule opened already (not part of the public options). */
export function createBillingModule(opts: BillingModuleOptions, db?: BillingDb): BillingModule {
  const log: Logger = opts.logger ?? console
  mkdirSync(opts.dataDir, { recursive: true })
  const relay = opts.relay ?? null
  const screenSettings = fileSettings(opts.screenSettingsPath ?? join(opts.dataDir, 'billing-settings.json'))
  const { billing, sync } = createSyncedBilling({
    dbPath: join(opts.dataDir, 'billing.sqlite'),
    ...(db ? { db } : {}),
    settings: opts.settings ?? new FileSettingsStore(join(opts.dataDir, 'sync-settings.json')),
    secrets: opts.secrets ?? new FileSecretStore(join(opts.dataDir, 'secrets.json')),
    ...relaySyncOptions(relay, opts.signals ?? alwaysOnline),
    ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
    ...(opts.migrationsFolder ? { migrationsFolder: opts.migrationsFolder } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.ids ? { ids: opts.ids } : {}),
    ...(opts.previousRunEnded ? { previousRunEnded: true } : {}),
    ...(opts.integrityWorkerUrl ? { fullCheck: { workerUrl: opts.integrityWorkerUrl } } : {}),
    notifications: { locale: () => screenSettings.get().locale, ...(opts.desktopNotifier ? { desktop: opts.desktopNotifier } : {}) },
    ...(opts.openFile ? { openFile: opts.openFile } : {})
  })
  const listeners = new Map<ModuleEventName, Set<(payload: never) => void>>()
  const emitLocal = <E extends ModuleEventName>(event: E, payload: ModuleEvents[E]): void => {
    for (const cb of listeners.get(event) ?? []) {
      try {
        ;(cb as (p: ModuleEvents[E]) => void)(payload)
      } catch (err) {
        log.error(`[billing] a ${event} listener threw`, err)
      }
    }
  }
  const logHealth = healthLogger(log)
  const quotaChanged = (): void => emitLocal('quota', { items: toUsageItems(billing.quotas.usage()).items })
  // Every event the screens get, the host's main process gets too (under its API name).
  const toLocal = (event: EventName, payload: unknown): void => {
    if (event === 'balance.changed') emitLocal('balance', payload as Payload<'balance.changed'>)
    else if (event === 'payment.confirmed') emitLocal('payment', payload as Payload<'payment.confirmed'>)
    else if (event === 'sync.state') {
      logHealth(payload as Payload<'sync.state'>)
      emitLocal('sync', payload as Payload<'sync.state'>)
    }
    else if (event === 'live.changed') {
      emitLocal('live', payload as Payload<'live.changed'>)
      quotaChanged()
    } else if (event === 'subscription.changed') {
      const { subscription } = payload as Payload<'subscription.changed'>
      emitLocal('entitlement', { subscription, effectiveTier: toUsageItems(billing.quotas.usage()).effectiveTier })
      quotaChanged()
    }
  }
  let attachments: ReturnType<typeof ipcAttachments> | null = null
  const events = createEventEmitter(
    (event, payload) => {
      toLocal(event, payload)
      attachments?.send(event, payload)
    },
    (info) => log.error(`[billing event] ${info.event}`, info.error)
  )
  const notify = createNotifier(billing, events, { firstFreeAvailable: () => sync.firstFreeAvailable() })
  const unforward = forwardSyncEvents(sync, billing, notify)
  // Fixed prices when the host gives them; otherwise the catalog in force (synced from the relay), read per quote.
  const fixed = opts.prices
  const prices: () => PriceList =
    typeof fixed === 'function' ? fixed : fixed ? () => fixed : () => billing.subscriptions.catalog().featurePrices
  const paidUse = createPaidUse({
    billing,
    prices,
    ...(opts.quoteTtlMs !== undefined ? { quoteTtlMs: opts.quoteTtlMs } : {}),
    ...(opts.liveRoomTtlMs !== undefined ? { liveRoomTtlMs: opts.liveRoomTtlMs } : {}),
    ...(opts.heartbeatMs !== undefined ? { heartbeatMs: opts.heartbeatMs } : {}),
    onChanged: () => notify.balanceChanged(),
    onLiveChanged: (sessions) => void events.emit('live.changed', { sessions }),
    onLiveLost: (key, err) => log.warn(`[billing live] session ${key} lost its room`, err instanceof Error ? err.message : err)
  })
  const handlers: Handlers<IpcEventLike> = createIpcHandlers<IpcEventLike>({
    billing,
    notify,
    paidUse,
    extra: syncHandlers<IpcEventLike>(sync),
    settings: screenSettings,
    prices,
    external: {
      checkoutUrl: (orderId) => sync.checkoutUrl(orderId),
      ...(opts.openExternal ? { open: opts.openExternal } : {})
    }
  })
  const att = ipcAttachments(handlers, opts.ipcMain, log)
  attachments = att

  // A failed sweep is logged and tried again next time (never an uncaught main-process error).
  // It runs in bounded slices (the host's windows stay live); one at a time.
  // The first runs just after start: opening expires only a bounded number of due holds.
  let sweeping = false
  const runSweep = (): void => {
    if (sweeping || closed) return
    sweeping = true
    billing
      .sweepInSlices()
      .then(() => paidUse.paidUses.sweep())
      .catch((err: unknown) => {
        // A slice after close() finds the file shut: nothing to report.
        if (!closed) log.error('[billing sweep]', err instanceof Error ? err.message : err)
      })
      .finally(() => (sweeping = false))
  }
  const sweep = setInterval(runSweep, opts.sweepMs ?? 60_000)
  setImmediate(runSweep)
  sweep.unref?.()
  if (opts.startSync !== false) sync.start()

  const handle = (quote: Quote, paidUses: PaidUses): QuoteHandle => ({
    ...quote,
    confirm: (): Confirmed => paidUses.confirm(quote.key),
    cancel: (): Quote => paidUses.cancel(quote.key)
  })
  let closed = false
  return {
    gate: {
      begin: (feature, { key }) => handle(paidUse.paidUses.begin(feature, key), paidUse.paidUses),
      confirm: (key) => paidUse.paidUses.confirm(key),
      cancel: (key) => paidUse.paidUses.cancel(key)
    },
    quota: {
      check: (feature, qty = 1) => billing.quotas.check(feature, qty),
      consume(feature, qty, key) {
        const rec = billing.quotas.consume(feature, qty, key)
        quotaChanged()
        return rec
      }
    },
    live: {
      start: ({ key }) => handle(paidUse.live.start(key), paidUse.paidUses),
      heartbeat: (key) => paidUse.live.heartbeat(key),
      end: (key) => paidUse.live.end(key),
      sessions: () => paidUse.live.list()
    },
    sync: {
      start: () => sync.start(),
      get enrolled() {
        return sync.enrolled
      },
      enrol: (code, deviceName) => sync.enrol(code, deviceName),
      state: () => sync.state(),
      now: () => sync.syncNow(),
      fullCheck: () => sync.fullCheck(),
      signInWithHostToken: (token, deviceName) => sync.account.withHostToken(token, deviceName),
      account: () => sync.account.view(),
      signOut: () => sync.account.signOut()
    },
    notifications: hostNotifications(sync.notifications),
    balance: () => notify.balance(),
    on(event, cb) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(cb as (payload: never) => void)
      return () => void set.delete(cb as (payload: never) => void)
    },
    attach: (window, page) => {
      if (closed) throw new BillingError('UNAVAILABLE', 'the billing module is closed')
      return att.attach(window, page)
    },
    close() {
      if (closed) return
      closed = true
      clearInterval(sweep)
      paidUse.live.close()
      att.close()
      unforward()
      listeners.clear()
      sync.close()
    }
  }
}

/** Main-thread blocks over this are logged (the budget of docs/performance.md). */
const BLOCK_BUDGET_MS = 50

/** Logs a new longest main-thread block over the budget, and a full check that could not finish, once each. */
function healthLogger(log: Logger): (state: Payload<'sync.state'>) => void {
  let loggedBlock = BLOCK_BUDGET_MS
  let loggedError: string | null = null
  return ({ health }) => {
    if (health.longestBlockMs > loggedBlock) {
      loggedBlock = health.longestBlockMs
      log.warn(`[billing] the main thread was blocked for ${health.longestBlockMs} ms (budget ${BLOCK_BUDGET_MS} ms)`)
    }
    if (health.fullCheckError !== null && health.fullCheckError !== loggedError) log.error(`[billing] ${health.fullCheckError}`)
    loggedError = health.fullCheckError
  }
}
