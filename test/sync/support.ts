import { relayNetWallet } from '../support/relay-ledger'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import type { Billing } from '../../src/main/billing'
import { ManualClock } from '../../src/node/clock'
import { sequentialIds } from '../../src/node/ids'
import { FileSecretStore, FileSettingsStore } from '../../src/main/settings'
import { createSyncedBilling, ManualSignals, type SyncService, type SyncedBillingOptions, type Timers } from '../../src/main/sync'
import type { ProviderName } from '../../src/relay/providers/types'
import { tempDir } from '../support/db'
import { ADMIN_TOKEN, startTestRelay, type TestRelay } from '../relay/support/relay'
import type { RelayConfig } from '../../src/relay/config/config'
import { realProviders, type Delivery, type RealProviders } from './real-providers'

// Two (or more) app instances, each on its own SQLite file, against a real relay on
// 127.0.0.1. Timers never fire by themselves: tests run sync by hand (syncNow) or drive the
// scheduler's signals, so nothing depends on wall-clock time.

export const T0 = Date.UTC(2025, 0, 15, 4, 0, 0)
const opened: { sync: SyncService }[] = []
afterEach(() => {
  for (const d of opened.splice(0)) {
    try {
      d.sync.close()
    } catch {
      /* closed */
    }
  }
})

export const NO_TIMERS: Timers = { setTimeout: () => null, clearTimeout: () => {} }

export interface World {
  t: TestRelay
  /** The real provider adapters' fakes and signed notifications (real-providers.ts). */
  providers: RealProviders
  publicKey: string
  /** Stops the relay and starts it again on the same file and key (same clock time); `samePort`: at the same URL; `config` over both (another key). */
  restartRelay(ids: string, samePort?: boolean, config?: Partial<RelayConfig>): Promise<void>
}

const RATE = { devicePerMinute: 1_000_000, addressPerMinute: 1_000_000, notifyPerMinute: 1_000_000 }

/** A relay on 127.0.0.1 with the four real provider adapters against their fakes. */
export async function startWorld(config: Parameters<typeof startTestRelay>[0] = {}): Promise<World> {
  const providers = await realProviders(T0)
  const start = (extra: NonNullable<Parameters<typeof startTestRelay>[0]>) =>
    startTestRelay({
      ...config,
      ...extra,
      config: { rateLimit: RATE, ...providers.wiring.config, ...config.config, ...extra.config },
      deps: { ...providers.wiring.deps, ...config.deps, ...extra.deps }
    })
  const t = await start({})
  t.clock.set(T0)
  const w: World = {
    t,
    providers,
    publicKey: t.relay.key.publicKeyBase64,
    async restartRelay(ids, samePort = false, over = {}) {
      const cfg = w.t.config
      const now = w.t.clock.now()
      const port = samePort ? { port: Number(new URL(w.t.url).port) } : {}
      await w.t.relay.stop()
      w.t = await start({ dataDir: cfg.dataDir, config: { signingKey: cfg.signingKey, ...port, ...over }, deps: { ids: sequentialIds(ids) } })
      w.t.clock.set(now)
    }
  }
  providers.newRelay(() => w.t)
  return w
}

export interface Device {
  name: string
  billing: Billing
  sync: SyncService
  clock: ManualClock
  signals: ManualSignals
  dir: string
  deviceId: string
  accountId: string
  /** Closes and reopens the same files (a restart). */
  reopen(over?: DeviceOptions): Device
}

let seq = 0
export async function enrolCode(w: World, accountId?: string): Promise<{ code: string; accountId: string }> {
  const r = await w.t.api('POST', '/v1/admin/enrolments', { token: ADMIN_TOKEN, body: accountId ? { accountId } : {} })
  if (r.status !== 200) throw new Error(`enrolment: ${r.status} ${r.text}`)
  return { code: r.body.code, accountId: r.body.accountId }
}

export function openDevice(
  w: World,
  name: string,
  dir: string,
  over: DeviceOptions = {}
): Omit<Device, 'deviceId' | 'accountId' | 'reopen'> {
  const clock = over.clock ?? new ManualClock(T0)
  const signals = over.signals ?? new ManualSignals(true)
  const { billing, sync } = createSyncedBilling({
    dbPath: join(dir, 'billing.sqlite'),
    durability: 'normal',
    clock,
    ids: sequentialIds(`${name}-${++seq}-entry`),
    settings: new FileSettingsStore(join(dir, 'settings.json')),
    secrets: new FileSecretStore(join(dir, 'secrets.json')),
    relayPublicKey: w.publicKey,
    relayUrl: w.t.url,
    signals,
    timers: NO_TIMERS,
    random: () => 0.5,
    ...over
  })
  opened.push({ sync })
  return { name, billing, sync, clock, signals, dir }
}

/** A new app instance enrolled into `accountId` (a new account when omitted). */
type DeviceOptions = Partial<Omit<SyncedBillingOptions, 'clock' | 'signals'>> & { clock?: ManualClock; signals?: ManualSignals }

export async function newDevice(w: World, name: string, accountId?: string, over: DeviceOptions = {}): Promise<Device> {
  const dir = tempDir(`sync-${name}-`)
  const d = openDevice(w, name, dir, over)
  const { code } = await enrolCode(w, accountId)
  const who = await d.sync.enrol(code, name)
  await d.sync.syncNow()
  const make = (cur: Omit<Device, 'deviceId' | 'accountId' | 'reopen'>): Device => ({
    ...cur,
    ...who,
    reopen(o = {}) {
      cur.sync.close()
      return make(openDevice(w, name, dir, { clock: cur.clock, signals: cur.signals, ...o }))
    }
  })
  return make(d)
}

/** The provider says the order was paid (its real notification, signed as it signs). */
export function providerPays(w: World, provider: ProviderName, orderNo: string, amount: number): Promise<Delivery> {
  return w.providers.pay(provider, orderNo, amount)
}

export function providerRefunds(w: World, provider: ProviderName, orderNo: string, amount: number, refundId: string): Promise<void> {
  return w.providers.refund(provider, orderNo, amount, refundId)
}

/** POST to one of the relay's admin routes (coupons, grants, fapiao decisions): the answer's body, or it throws. */
export async function admin(w: World, path: string, body: unknown = {}) {
  const r = await w.t.api('POST', path, { token: ADMIN_TOKEN, body })
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`)
  return r.body
}

/** Relay order number of a local checkout. */
export function orderNoOf(d: Pick<Device, 'billing'>, orderId: string): string {
  const row = d.billing.db.sqlite.prepare('SELECT order_no FROM sync_orders WHERE id = ?').get(orderId) as { order_no: string }
  return row.order_no
}

/** Recharges `amount` through checkout + provider payment + sync; returns the relay's order number. */
export async function topUp(w: World, d: Pick<Device, 'name' | 'billing' | 'sync'>, amount: number, provider: ProviderName = 'alipay'): Promise<string> {
  const c = await d.sync.createCheckout({
    idempotencyKey: `topup-${d.name}-${++seq}`,
    method: provider,
    purpose: { kind: 'recharge', amount: { amount, currency: 'CNY' } }
  })
  const orderNo = orderNoOf(d, c.orderId)
  await providerPays(w, provider, orderNo, amount)
  await d.sync.syncNow()
  return orderNo
}

export function relayWallet(w: World, accountId: string): { balance: number } {
  return { balance: relayNetWallet(w.t.relay.db.sqlite, accountId) }
}

/** Signed local balance: balance − debt. */
export const net = (d: Pick<Device, 'billing'>): number => d.billing.wallet.balance().amount - d.billing.wallet.debt().amount
