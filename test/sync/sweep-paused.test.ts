import { describe, expect, it } from 'vitest'
import { newDevice, startWorld, topUp, type Device, type World } from './support'

// An auto-renewal that falls due while paid use is paused (the clock moved back): the wallet
// refuses though the balance covers it. The sweep must not throw (the Electron adapter runs it
// every minute); the subscription goes past due with the refusal's code and is renewed, once,
// by a sweep after the next sync.

const HOUR = 3_600_000

/** Offline; the clock runs past `due`, then is set back an hour: paid use is paused. */
function pausedPast(a: Device, due: number): void {
  a.signals.setOnline(false)
  a.clock.set(due + 2 * HOUR)
  a.billing.quotas.check('ai_request')
  a.clock.set(due + HOUR)
  a.billing.quotas.check('ai_request')
  expect(a.sync.state().warnings).toContain('clock_moved_back')
}

/** Back online with the relay at the same time: the sync clears the pause. */
async function trustedAgain(w: World, a: Device): Promise<void> {
  a.signals.setOnline(true)
  w.t.clock.set(a.clock.now())
  expect((await a.sync.syncNow()).warnings).toEqual([])
}

describe('renewal while paid use is paused', () => {
  it('goes past due instead of throwing, and renews once after a sync', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await topUp(w, a, 10_000)
    const sub = a.billing.subscriptions.subscribe({ key: 'sub-1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    expect(sub.autoRenew).toBe(true)
    const price = sub.price.amount
    pausedPast(a, sub.currentPeriodEnd!)

    expect(() => a.billing.sweep()).not.toThrow()
    const due = a.billing.subscriptions.current()!
    expect(due).toMatchObject({ status: 'past_due' })
    const failed = a.billing.subscriptions.history(due.id).at(-1)!
    expect(failed).toMatchObject({ kind: 'renewal_failed', details: { refused: 'FORBIDDEN' } })
    expect(a.billing.wallet.balance().amount).toBe(10_000 - price)
    // A renewal asked for by the user meanwhile says why, not "insufficient funds".
    expect(() => a.billing.subscriptions.renew({ key: 'user-renew', payment: 'wallet' })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }))

    await trustedAgain(w, a)
    a.billing.sweep()
    a.billing.sweep()
    expect(a.billing.subscriptions.current()).toMatchObject({ status: 'active' })
    expect(a.billing.wallet.balance().amount).toBe(10_000 - 2 * price)
  })

  it('a trial whose first payment is refused for now stays a trial (no access past its end) and converts after a sync', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await topUp(w, a, 10_000)
    const trial = a.billing.subscriptions.subscribe({ key: 'trial-1', planCode: 'BASIC', period: 'monthly', trial: true })
    pausedPast(a, trial.currentPeriodEnd!)
    a.billing.sweep()
    expect(a.billing.subscriptions.current()).toMatchObject({ status: 'trialing' })
    expect(a.billing.subscriptions.entitlement().planCode).toBe('FREE')
    await trustedAgain(w, a)
    a.billing.sweep()
    expect(a.billing.subscriptions.current()).toMatchObject({ status: 'active' })
    expect(a.billing.wallet.balance().amount).toBe(10_000 - a.billing.subscriptions.current()!.price.amount)
  })
})
