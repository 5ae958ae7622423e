import { join } from 'node:path'
import { afterEach } from 'vitest'
import { createBilling, type Billing } from '../../src/main/billing'
import { ManualClock } from '../../src/main/core/clock'
import { sequentialIds } from '../../src/main/core/ids'
import { tempDir } from '../support/db'

// The real billing core on a migrated SQLite file, closed after each test.

export const T0 = Date.UTC(2025, 2, 10, 4, 0, 0)
const open: Billing[] = []

export function openCore(): { billing: Billing; clock: ManualClock } {
  const clock = new ManualClock(T0)
  const billing = createBilling({
    dbPath: join(tempDir('ipc-'), 'billing.sqlite'),
    clock,
    ids: sequentialIds('t'),
    durability: 'normal'
  })
  open.push(billing)
  return { billing, clock }
}

afterEach(() => {
  for (const b of open.splice(0)) {
    try {
      b.close()
    } catch {
      /* closed by the test */
    }
  }
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
