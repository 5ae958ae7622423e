import { join } from 'node:path'
import { afterEach } from 'vitest'
import type { Billing } from '../../src/main/billing'
import { ManualClock } from '../../src/node/clock'
import { sequentialIds } from '../../src/node/ids'
import { relaySyncOptions } from '../../src/main/ipc'
import { MemorySecretStore, MemorySettingsStore } from '../../src/main/settings'
import { alwaysOnline, createSyncedBilling, type SyncService } from '../../src/main/sync'
import { tempDir } from '../support/db'

// The real billing core on a migrated SQLite file, opened as the app opens it: through the
// sync service, here with no relay configured. Closed after each test.

export const T0 = Date.UTC(2025, 2, 10, 4, 0, 0)
const open = new Map<Billing, SyncService>()

/** `start`: where the ManualClock starts (default T0). */
export function openCore(start = T0): { billing: Billing; clock: ManualClock; sync: SyncService } {
  const clock = new ManualClock(start)
  const { billing, sync } = createSyncedBilling({
    dbPath: join(tempDir('ipc-'), 'billing.sqlite'),
    clock,
    ids: sequentialIds('t'),
    durability: 'normal',
    settings: new MemorySettingsStore(),
    secrets: new MemorySecretStore(),
    timers: { setTimeout: () => null, clearTimeout: () => {} },
    ...relaySyncOptions(null, alwaysOnline)
  })
  open.set(billing, sync)
  return { billing, clock, sync }
}

/** The sync service a core from openCore() was opened with. */
export function syncOf(billing: Billing): SyncService {
  const sync = open.get(billing)
  if (!sync) throw new Error('not a core from openCore()')
  return sync
}

afterEach(() => {
  for (const sync of open.values()) {
    try {
      sync.close()
    } catch {
      /* closed by the test */
    }
  }
  open.clear()
})

/** Everything a bad request must leave untouched, read back from the core. */
export function snapshot(billing: Billing) {
  return {
    balance: billing.wallet.balance(),
    debt: billing.wallet.debt(),
    firstFreeUsed: billing.wallet.firstFreeUsed(),
    entries: billing.wallet.history({ limit: 500 }).items.length,
    subscription: billing.subscriptions.current(),
    usage: billing.quotas.usage().features,
    verify: billing.verify().ok
  }
}

let n = 0
export const key = (label = 'k'): string => `${label}-${String(++n).padStart(6, '0')}`

export function recharge(billing: Billing, amount: number): void {
  const id = key('pay')
  billing.wallet.recharge({ key: id, paymentId: id, provider: 'alipay', amount })
}
