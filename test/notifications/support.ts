import { join } from 'node:path'
import { afterEach } from 'vitest'
import { ManualClock } from '../../src/node/clock'
import { sequentialIds } from '../../src/node/ids'
import { relaySyncOptions } from '../../src/main/ipc'
import { RecordingDesktopNotifier } from '../../src/main/notifications'
import { FileSecretStore, FileSettingsStore } from '../../src/main/settings'
import { alwaysOnline, createSyncedBilling, type SyncService, type SyncedBillingOptions } from '../../src/main/sync'
import type { Billing } from '../../src/main/billing'
import { tempDir } from '../support/db'
import { at } from '../subscriptions/support'

// The app's core as it runs without a relay (offline), on a real SQLite file and settings file,
// with the Node stand-in for desktop notifications; reopen() is a restart on the same files.

export const T0 = at(2026, 3, 2, 10, 0)
const opened: SyncService[] = []
afterEach(() => {
  for (const s of opened.splice(0)) {
    try {
      s.close()
    } catch {
      /* closed */
    }
  }
})

export interface OfflineApp {
  billing: Billing
  sync: SyncService
  clock: ManualClock
  desktop: RecordingDesktopNotifier
  dir: string
  reopen(): OfflineApp
}

export function offlineApp(opts: { clock?: ManualClock; dir?: string; localTimeZone?: string; over?: Partial<SyncedBillingOptions> } = {}): OfflineApp {
  const clock = opts.clock ?? new ManualClock(T0)
  const dir = opts.dir ?? tempDir('notices-')
  const desktop = new RecordingDesktopNotifier()
  const { billing, sync } = createSyncedBilling({
    dbPath: join(dir, 'billing.sqlite'),
    durability: 'normal',
    clock,
    ids: sequentialIds(`n${opened.length}`),
    settings: new FileSettingsStore(join(dir, 'settings.json')),
    secrets: new FileSecretStore(join(dir, 'secrets.json')),
    timers: { setTimeout: () => null, clearTimeout: () => {} },
    ...relaySyncOptions(null, alwaysOnline),
    notifications: { desktop, localTimeZone: opts.localTimeZone ?? 'Asia/Shanghai' },
    ...opts.over
  })
  opened.push(sync)
  const app: OfflineApp = {
    billing,
    sync,
    clock,
    desktop,
    dir,
    reopen() {
      sync.close()
      return offlineApp({ ...opts, clock, dir })
    }
  }
  return app
}

export const cny = (amount: number) => ({ amount, currency: 'CNY' as const })

export function topUp(app: Pick<OfflineApp, 'billing'>, amount: number, key: string): void {
  app.billing.wallet.recharge({ key, paymentId: `pay-${key}`, provider: 'alipay', amount: cny(amount) })
}

/** Every notice in the centre, newest first, as (kind, daysLeft) pairs. */
export function kinds(app: Pick<OfflineApp, 'sync'>): string[] {
  return app.sync.notifications.list({ limit: 100 }).items.map((n) => `${n.kind}:${n.params.daysLeft ?? '-'}`)
}

export const DAY = 86_400_000
export const HOUR = 3_600_000
