import { describe, expect, it } from 'vitest'
import { newDevice, startWorld, topUp } from './support'

// An auto-renewal that falls due while paid use is paused (the clock moved back): the wallet
// refuses though the balance covers it. The sweep must not throw (the Electron adapter runs it
// every minute); the subscription goes past due with the refusal's code and is renewed, once,
// by a sweep after the next sync.

const HOUR = 3_600_000

describe('renewal while paid use is paused', () => {
  it('goes past due instead of throwing, and renews once after a sync', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await topUp(w, a, 10_000)
    const sub = a.billing.subscriptions.subscribe({ key: 'sub-1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    expect(sub.autoRenew).toBe(true)
    const price = sub.price.amount
    a.signals.setOnline(false)
    // The clock runs past the period end, then is set back an hour: paid use is paused.
    a.clock.set(sub.currentPeriodEnd! + 2 * HOUR)
    a.billing.quotas.check('ai_request')
    a.clock.set(sub.currentPeriodEnd! + HOUR)
    a.billing.quotas.check('ai_request')
    expect(a.sync.state().warnings).toContain('clock_moved_back')

    expect(() => a.billing.sweep()).not.toThrow()
    const due = a.billing.subscriptions.current()!
    expect(due).toMatchObject({ status: 'past_due' })
    const failed = a.billing.subscriptions.history(due.id).at(-1)!
    expect(failed).toMatchObject({ kind: 'renewal_failed', details: { refused: 'FORBIDDEN' } })
    expect(a.billing.wallet.balance().amount).toBe(10_000 - price)
    // A renewal asked for by the user meanwhile says why, not "insufficient funds".
    expect(() => a.billing.subscriptions.renew({ key: 'user-renew', payment: 'wallet' })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }))

    a.signals.setOnline(true)
    w.t.clock.set(a.clock.now())
    expect((await a.sync.syncNow()).warnings).toEqual([])
    a.billing.sweep()
    a.billing.sweep()
    expect(a.billing.subscriptions.current()).toMatchObject({ status: 'active' })
    expect(a.billing.wallet.balance().amount).toBe(10_000 - 2 * price)
  })
})
