import { join } from 'node:path'
import { afterEach } from 'vitest'
import type { Billing } from '../../../src/main/billing'
import { DEFAULT_PRICES, fileSettings, forwardSyncEvents, type Notifier, type PriceList } from '../../../src/main/ipc'
import { ManualSignals, type SyncService } from '../../../src/main/sync'
import { ManualClock } from '../../../src/node/clock'
import type { ProviderName } from '../../../src/relay/providers/types'
import { createClient, type BillingClient, type Transport } from '../../../src/shared/ipc/client'
import type { EventName } from '../../../src/shared/ipc/contract'
import type { Checkout, Locale } from '../../../src/shared/ipc/types'
import { openCore, T0 } from '../../ipc/core-fixture'
import { ipcOver } from '../../ipc/handlers-fixture'
import { tempDir } from '../../support/db'
import { enrolCode, newDevice, openDevice, orderNoOf, providerPays, startWorld, type Device, type World } from '../../sync/support'

// The screens' tests run over the REAL main process: the billing core on a temporary SQLite
// file (its ManualClock at NOW), the sync service, main's IPC handlers, notifier and sync
// event forwarding wired as the host wires them, behind the real dispatcher (ipcOver,
// test/ipc/handlers-fixture.ts). The renderer's
// client reaches them through an in-process transport that clones every message (as Electron
// IPC and the WebSocket do) and records the channels called. With `relay`, the device is
// enrolled with the real relay on 127.0.0.1 and its fake payment providers (test/sync), so
// checkouts are real orders paid by the provider's own notification.

/** 2025-03-10 12:00 in the billing time zone (+08:00): where every core's clock starts. */
export const NOW = T0
export const cny = (amount: number) => ({ amount, currency: 'CNY' as const })

export interface RelayOptions {
  /** Enrolled but never synced: the signals say offline until the test says otherwise. */
  neverSynced?: boolean
}

export interface AppOptions {
  /** Enrol with a real relay (checkouts need one). */
  relay?: boolean | RelayOptions
  /** Where the core's clock starts (default NOW). */
  start?: number
  /** The locale main has stored. */
  locale?: Locale
  /** Main's price list (default DEFAULT_PRICES). */
  prices?: Partial<PriceList>
}

export interface RealApp {
  billing: Billing
  sync: SyncService
  clock: ManualClock
  /** The relay world and this device (null without a relay). */
  world: World | null
  device: Device | null
  /** Set for a device opened with `neverSynced`. */
  signals: ManualSignals | null
  client: BillingClient
  transport: Transport
  /** Main's notifier: what the host app uses to push events after acting on the core itself. */
  notify: Notifier
  /** Every channel the renderer called, in order, with the input it sent. */
  calls: { channel: string; input: unknown }[]
  /** URLs main handed to the system browser. */
  opened: string[]
  /** The next `event` main pushes does not reach the renderer (a window that missed it). */
  dropNext(event: EventName): void
  /** The wallet balance in fen, read from the core. */
  balance(): number
  /** The locale as stored on disk (read back from the settings file). */
  storedLocale(): Locale
  /** This device's checkouts in the order they were created, as main reports them. */
  checkouts(): Checkout[]
  /** The provider reports the order paid to the relay; the device syncs and credits it. */
  pay(orderId: string): Promise<void>
}

const closers: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v ?? null)) as T

async function relayCore(start: number, opts: RelayOptions) {
  const w = await startWorld()
  w.t.clock.set(start)
  const clock = new ManualClock(start)
  if (!opts.neverSynced) {
    const device = await newDevice(w, 'app', undefined, { clock })
    return { world: w, device, billing: device.billing, sync: device.sync, clock, signals: null }
  }
  // Enrolled while the signals say offline: the run the enrolment triggers does nothing.
  const signals = new ManualSignals(false)
  const d = openDevice(w, 'app', tempDir('renderer-app-'), { clock, signals })
  await d.sync.enrol((await enrolCode(w)).code, 'app')
  return { world: w, device: null, billing: d.billing, sync: d.sync, clock, signals }
}

/** Opens the real core (with a relay world when asked) and connects a client to main's handlers. */
export async function openApp(opts: AppOptions = {}): Promise<RealApp> {
  const start = opts.start ?? NOW
  const core = opts.relay
    ? await relayCore(start, opts.relay === true ? {} : opts.relay)
    : { world: null, device: null, signals: null, ...openCore(start) }
  const { billing, sync } = core

  const settingsPath = join(tempDir('renderer-settings-'), 'settings.json')
  const settings = fileSettings(settingsPath)
  if (opts.locale) settings.set({ locale: opts.locale })

  const listeners = new Map<string, Set<(p: unknown) => void>>()
  const dropped = new Set<string>()
  const opened: string[] = []
  const { call, notify } = ipcOver(billing, {
    sync,
    notifier: { firstFreeAvailable: () => sync.firstFreeAvailable() },
    settings,
    prices: { ...DEFAULT_PRICES, ...opts.prices },
    external: { checkoutUrl: (orderId) => sync.checkoutUrl(orderId), open: async (url) => void opened.push(url) },
    onEvent(event, payload) {
      if (dropped.delete(event)) return
      for (const cb of listeners.get(event) ?? []) cb(clone(payload))
    }
  })
  const unforward = forwardSyncEvents(sync, billing, notify)

  const calls: RealApp['calls'] = []
  const transport: Transport = {
    async invoke(channel, input) {
      calls.push({ channel, input })
      return clone(await call(channel, clone(input)))
    },
    on(event, cb) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(cb)
      return () => void set.delete(cb)
    }
  }

  const app: RealApp = {
    ...core,
    client: createClient(transport),
    transport,
    notify,
    calls,
    opened,
    dropNext: (event) => void dropped.add(event),
    balance: () => billing.wallet.balance().amount,
    storedLocale: () => fileSettings(settingsPath).get().locale,
    checkouts() {
      const rows = billing.db.sqlite.prepare('SELECT id FROM sync_orders ORDER BY created_at, rowid').all() as { id: string }[]
      return rows.map((r) => sync.checkoutStatus({ orderId: r.id }))
    },
    async pay(orderId) {
      if (!core.world) throw new Error('pay() needs an app opened with a relay')
      const c = sync.checkoutStatus({ orderId })
      await providerPays(core.world, c.method as ProviderName, orderNoOf(core, orderId), c.amount.amount)
      await sync.syncNow()
    }
  }
  closers.push(async () => {
    unforward()
    // A run the renderer's checkout started may still be in flight: let it (and any queued) end.
    if (sync.state().syncing) await sync.scheduler.trigger('manual')
    sync.close()
  })
  return app
}
