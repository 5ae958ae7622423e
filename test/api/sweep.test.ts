import { describe, expect, it } from 'vitest'
import { openModule } from './support'

// The module's sweep timer runs the sliced sweep (billing.sweepInSlices) and then the quotes':
// a quote left unconfirmed past its expiry gives its hold and its room back without a call.

const cny = (amount: number) => ({ amount, currency: 'CNY' })

describe('the sweep timer', () => {
  it('releases what expired quotes hold, through the sliced sweep, and says so', async () => {
    const { m, clock } = openModule({ balance: 1600, sweepMs: 5, quoteTtlMs: 60_000 })
    for (const key of ['live-s0000001', 'ai-s00000001', 'ai-s00000002']) m.gate.begin(key.startsWith('live') ? 'live_session' : 'export', { key })
    expect(m.balance().held.amount).toBeGreaterThan(0)
    const released = new Promise<void>((resolve) => m.on('balance', (b) => b.held.amount === 0 && resolve()))
    clock.advance(10 * 60_000)
    await released
    expect(m.balance()).toMatchObject({ balance: cny(1600), held: cny(0) })
    expect(m.quota.check('live_room').allowed).toBe(true)
  })
})
