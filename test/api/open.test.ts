import { afterEach, describe, expect, it } from 'vitest'
import { openBillingModule, type BillingModule } from '../../src/main'
import { ManualClock } from '../../src/node/clock'
import { tempDir } from '../support/db'
import { fund, silent, T0 } from './support'

// openBillingModule: the host's asynchronous opener (ICU warmed on a worker first), the same
// module as createBillingModule once it resolves, and the same typed errors, as a rejection.
const open: BillingModule[] = []
afterEach(() => {
  for (const m of open.splice(0)) m.close()
})

describe('openBillingModule', () => {
  it('opens the data folder and gates as createBillingModule does', async () => {
    const dataDir = tempDir('billing-open-')
    fund(dataDir, 500)
    const m = await openBillingModule({ dataDir, clock: new ManualClock(T0), logger: silent, startSync: false, heartbeatMs: 0 })
    open.push(m)
    expect(m.balance().balance).toEqual({ amount: 500, currency: 'CNY' })
    expect(m.gate.begin('ai_request', { key: 'open-test-1' }).decision.outcome).not.toBe('no_room')
  })

  it('rejects with BILLING_FILE_IN_USE when another opener holds the file', async () => {
    const dataDir = tempDir('billing-open-')
    const opts = { dataDir, clock: new ManualClock(T0), logger: silent, startSync: false, heartbeatMs: 0 }
    open.push(await openBillingModule(opts))
    await expect(openBillingModule(opts)).rejects.toMatchObject({ code: expect.stringMatching(/IN_USE/i) })
  })
})
