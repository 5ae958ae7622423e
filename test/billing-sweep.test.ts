import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createBilling, SWEEP_SLICE, type Billing } from '../src/main/billing'
import { ManualClock } from '../src/node/clock'
import { sequentialIds } from '../src/node/ids'
import { tempDir } from './support/db'

// The sweep on the module's timer runs in bounded slices (at most `budget` expired holds or
// subscription steps per transaction), the event loop turning between them. Sliced or whole,
// it does the same thing.

const T0 = Date.UTC(2026, 0, 15, 4, 0, 0)
const HOLDS = 120
const cny = (amount: number) => ({ amount, currency: 'CNY' as const })

/** A file with 120 holds past their expiry and a monthly plan two years behind on renewals. */
function behind(): { billing: Billing; clock: ManualClock } {
  const clock = new ManualClock(T0)
  const billing = createBilling({ dbPath: join(tempDir(), 'billing.sqlite'), clock, ids: sequentialIds('e'), durability: 'normal' })
  billing.wallet.recharge({ key: 'r1', paymentId: 'pay-1', provider: 'alipay', amount: cny(2_900 * 30 + HOLDS * 10) })
  billing.subscriptions.subscribe({ key: 's1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
  for (let i = 0; i < HOLDS; i++) billing.wallet.hold({ key: `h${i}`, amount: cny(10), feature: 'live_room', reason: 'room', ttlMs: 60_000 + i })
  clock.set(Date.UTC(2028, 0, 20))
  return { billing, clock }
}

const count = (b: Billing, sql: string): number => b.db.sqlite.prepare(sql).pluck().get() as number
const expiredHolds = (b: Billing) => count(b, "SELECT COUNT(*) FROM wallet_holds WHERE status = 'expired'")
const steps = (b: Billing) => expiredHolds(b) + count(b, "SELECT COUNT(*) FROM subscription_events WHERE actor = 'system'")
const tables = (b: Billing) => ({
  entries: b.db.sqlite.prepare('SELECT * FROM wallet_entries ORDER BY seq').all(),
  events: b.db.sqlite.prepare('SELECT * FROM subscription_events ORDER BY seq').all(),
  holds: b.db.sqlite.prepare('SELECT * FROM wallet_holds ORDER BY id').all(),
  subs: b.db.sqlite.prepare('SELECT * FROM subscriptions').all()
})

describe('the sweep in slices', () => {
  it('takes at most `budget` steps per slice and ends where one whole sweep ends', () => {
    const sliced = behind()
    const budgets: number[] = []
    let before = steps(sliced.billing)
    for (let more = true; more; ) {
      more = sliced.billing.sweepSlice(10)
      const now = steps(sliced.billing)
      budgets.push(now - before)
      before = now
    }
    expect(Math.max(...budgets)).toBeLessThanOrEqual(10)
    expect(budgets.length).toBeGreaterThan((HOLDS + 24) / 10)
    expect(expiredHolds(sliced.billing)).toBe(HOLDS)
    expect(sliced.billing.subscriptions.current()).toMatchObject({ status: 'active' })
    expect(sliced.billing.subscriptions.current()!.currentPeriodEnd).toBeGreaterThan(sliced.clock.now())
    expect(sliced.billing.sweepSlice(10)).toBe(false) // nothing left

    const whole = behind()
    whole.billing.sweep()
    expect(tables(sliced.billing)).toEqual(tables(whole.billing))
    expect(sliced.billing.wallet.balance()).toEqual(whole.billing.wallet.balance())
    expect(sliced.billing.verify()).toEqual({ ok: true, problems: [] })
  })

  it('sweepInSlices lets the event loop turn between slices', async () => {
    const { billing } = behind()
    let seenBetween = -1
    setImmediate(() => (seenBetween = expiredHolds(billing)))
    await billing.sweepInSlices(10)
    // The callback ran after the first slice had committed, long before the last.
    expect(seenBetween).toBe(10)
    expect(expiredHolds(billing)).toBe(HOLDS)
    expect(billing.verify().ok).toBe(true)
  })

  it('refuses a bound that is not a whole number ≥ 1, and writes nothing', () => {
    const { billing } = behind()
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => billing.subscriptions.sweep(undefined, bad)).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }))
    }
    for (const bad of [0, 2.5]) expect(() => billing.sweepSlice(bad)).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }))
    expect(expiredHolds(billing)).toBe(0)
    // The default slice is the module timer's.
    expect(billing.sweepSlice()).toBe(true)
    expect(expiredHolds(billing)).toBe(Math.min(HOLDS, SWEEP_SLICE))
  })
})
