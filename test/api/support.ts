import { join } from 'node:path'
import { afterEach } from 'vitest'
import { createBilling } from '../../src/main/billing'
import { createBillingModule, type BillingModule, type BillingModuleOptions } from '../../src/main'
import { ManualClock, type Clock } from '../../src/node/clock'
import { tempDir } from '../support/db'

// The public API as a host uses it: createBillingModule on a data folder (a real SQLite file),
// no relay, a clock the test moves. Money arrives as a confirmed provider payment written to the
// same file before the module opens it (in the app the relay's feed does that).

export const T0 = Date.UTC(2025, 2, 3, 2, 0, 0)
const open: BillingModule[] = []
afterEach(() => {
  for (const m of open.splice(0)) m.close()
})

export const silent = { info() {}, warn() {}, error() {} }

export function fund(dataDir: string, minor: number, clock: Clock = new ManualClock(T0)): void {
  const billing = createBilling({ dbPath: join(dataDir, 'billing.sqlite'), clock })
  billing.wallet.recharge({ key: `fund-${minor}-${clock.now()}`, paymentId: `pay-${clock.now()}`, provider: 'alipay', amount: minor })
  billing.close()
}

export function openModule(over: Partial<BillingModuleOptions> & { balance?: number } = {}) {
  const clock = new ManualClock(T0)
  const dataDir = over.dataDir ?? tempDir('billing-api-')
  if (over.balance) fund(dataDir, over.balance, over.clock ?? clock)
  const { balance: _b, ...rest } = over
  const m = createBillingModule({ dataDir, clock, logger: silent, startSync: false, heartbeatMs: 0, ...rest })
  open.push(m)
  return { m, clock, dataDir }
}

/** Runs fn, expecting a BillingError with `code`. */
export function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    return (err as { code?: string }).code ?? String(err)
  }
  return 'no error'
}
