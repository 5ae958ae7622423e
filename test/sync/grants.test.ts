import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createBilling } from '../../src/main/billing'
import { ManualClock } from '../../src/node/clock'
import { sequentialIds } from '../../src/node/ids'
import { applyGrant, type GrantContext } from '../../src/main/sync/grants'
import type { FeedData } from '../../src/shared/relay-contract'
import { tempDir } from '../support/db'

// The local mirror of the relay's subscription records (src/main/sync/grants.ts): the relay
// decides every date (test/sync/relay-subscriptions.test.ts runs its rules end to end); here
// each kind of record is applied as sent, and the device derives nothing.

const T0 = Date.UTC(2025, 0, 15, 4, 0, 0)
const DAY = 86_400_000
type Grant = FeedData<'subscription_grant'>
const OTHER: GrantContext = { own: false, purchasesPending: false }

function world() {
  const clock = new ManualClock(T0)
  const billing = createBilling({ dbPath: join(tempDir('grants-'), 'billing.sqlite'), clock, ids: sequentialIds('g'), durability: 'normal' })
  const subs = billing.subscriptions
  let n = 0
  const apply = (g: Partial<Grant> & Pick<Grant, 'orderNo' | 'planCode' | 'period'>, ctx: GrantContext = OTHER) =>
    applyGrant(
      subs,
      `feed:rec_${++n}`,
      { grantId: `gr-${g.orderNo}`, source: 'order', purchaseId: null, deviceId: null, startsAt: clock.now(), endsAt: clock.now() + 31 * DAY, status: 'active', accessUntil: null, ...g },
      clock.now(),
      ctx
    )
  const fund = (amount: number) => billing.wallet.recharge({ key: `r-${++n}`, paymentId: `p-${n}`, provider: 'alipay', amount: { amount, currency: 'CNY' } })
  return { clock, billing, subs, apply, fund }
}

describe('an active record', () => {
  it('starts the plan from when the relay granted it and ends it when the relay says (a device offline for weeks does not stretch it)', () => {
    const { clock, subs, apply } = world()
    const grantedAt = clock.now()
    clock.advance(25 * DAY)
    expect(apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly', startsAt: grantedAt, endsAt: grantedAt + 31 * DAY + 3 * DAY })).toBe(true)
    expect(subs.current()).toMatchObject({ planCode: 'BASIC', status: 'active', currentPeriodStart: grantedAt, currentPeriodEnd: grantedAt + 34 * DAY })
    clock.advance(10 * DAY)
    subs.sweep()
    expect(subs.current()).toBeNull()
  })

  it('renews the same plan, aligned to the relay end; waits to align while this device has purchases the relay has not seen', () => {
    const a = world()
    a.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly' })
    const end = a.subs.current()!.currentPeriodEnd!
    expect(a.apply({ orderNo: 'ORDER-B', planCode: 'BASIC', period: 'monthly', startsAt: end, endsAt: end + 28 * DAY })).toBe(true)
    expect(a.subs.current()!.currentPeriodEnd).toBe(end + 28 * DAY)
    const b = world()
    b.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly' })
    const renewedTo = b.subs.current()!.currentPeriodEnd!
    b.apply({ orderNo: 'ORDER-B', planCode: 'BASIC', period: 'monthly', endsAt: renewedTo + DAY }, { own: false, purchasesPending: true })
    expect(b.subs.current()!.currentPeriodEnd).toBeGreaterThan(renewedTo + DAY)
  })

  it("the answer to this device's own purchase aligns the period it bought and never adds one", () => {
    const { subs, apply, fund } = world()
    fund(100_000)
    const sub = subs.subscribe({ key: 'w1', planCode: 'PREMIUM', period: 'monthly', payment: 'wallet' })
    const own = { own: true, purchasesPending: false }
    expect(apply({ orderNo: 'pur-x', source: 'wallet', planCode: 'PREMIUM', period: 'monthly', endsAt: sub.currentPeriodEnd }, own)).toBe(false)
    expect(apply({ orderNo: 'pur-x', source: 'wallet', planCode: 'PREMIUM', period: 'monthly', endsAt: sub.currentPeriodEnd! + 12 * DAY }, own)).toBe(true)
    expect(subs.current()).toMatchObject({ id: sub.id, currentPeriodEnd: sub.currentPeriodEnd! + 12 * DAY })
    expect(subs.history(sub.id).map((e) => e.kind)).toEqual(['subscribed', 'extended'])
  })

  it('keeps a live lifetime plan against a periodic grant, and a higher plan against a lower lifetime grant', () => {
    const { subs, apply, fund } = world()
    fund(100_000_000)
    subs.subscribe({ key: 'l1', planCode: 'BASIC', period: 'lifetime', payment: 'wallet' })
    expect(apply({ orderNo: 'ORDER-A', planCode: 'PREMIUM', period: 'monthly' })).toBe(false)
    expect(subs.current()).toMatchObject({ planCode: 'BASIC', period: 'lifetime', status: 'active' })
    expect(apply({ orderNo: 'ORDER-B', planCode: 'PREMIUM', period: 'lifetime', endsAt: null })).toBe(true)
    expect(subs.current()).toMatchObject({ planCode: 'PREMIUM', period: 'lifetime', status: 'active' })

    const w = world()
    w.fund(10_000_000)
    w.subs.subscribe({ key: 'y1', planCode: 'ENTERPRISE', period: 'yearly', payment: 'wallet' })
    expect(w.apply({ orderNo: 'ORDER-C', planCode: 'BASIC', period: 'lifetime', endsAt: null })).toBe(false)
    expect(w.subs.current()).toMatchObject({ planCode: 'ENTERPRISE', period: 'yearly' })
  })

  it('a replaced record changes nothing (the new plan arrives as its own record)', () => {
    const { subs, apply } = world()
    apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly' })
    const before = subs.current()
    expect(apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly', status: 'replaced' })).toBe(false)
    expect(subs.current()).toEqual(before)
  })
})

describe('a revoked record (a refund) applies the access end it is sent', () => {
  it('accessUntil now or past: cancelled now; later: ends then and does not renew; null: nothing changes', () => {
    const a = world()
    a.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly' })
    expect(a.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly', status: 'revoked', accessUntil: null })).toBe(false)
    expect(a.subs.current()!.status).toBe('active')
    a.clock.advance(DAY)
    expect(a.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly', status: 'revoked', accessUntil: a.clock.now() })).toBe(true)
    expect(a.subs.current()).toMatchObject({ status: 'cancelled', cancelAtPeriodEnd: false, cancelledAt: a.clock.now() })
    expect(a.billing.quotas.check('ai_request').limit).toBe(50)

    const b = world()
    b.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly' })
    const until = b.clock.now() + 9 * DAY
    expect(b.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly', status: 'revoked', accessUntil: until })).toBe(true)
    expect(b.subs.current()).toMatchObject({ status: 'cancelled', cancelAtPeriodEnd: true, currentPeriodEnd: until })
  })

  it('ends now a subscription already cancelled at its period end; leaves another plan alone', () => {
    const a = world()
    a.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly' })
    a.subs.cancel({ key: 'user-cancel', atPeriodEnd: true, reason: 'not needed next month' })
    a.clock.advance(3 * DAY)
    expect(a.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly', status: 'revoked', accessUntil: a.clock.now() })).toBe(true)
    expect(a.subs.current()).toMatchObject({ status: 'cancelled', cancelAtPeriodEnd: false, cancelledAt: a.clock.now() })

    const b = world()
    b.apply({ orderNo: 'ORDER-P', planCode: 'PREMIUM', period: 'monthly' })
    const before = b.subs.current()
    expect(b.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly', status: 'revoked', accessUntil: b.clock.now() })).toBe(false)
    expect(b.subs.current()).toEqual(before)
  })

  it('a shortened record moves the end back and keeps the renewal', () => {
    const { clock, subs, apply } = world()
    apply({ orderNo: 'ORDER-P', planCode: 'PREMIUM', period: 'monthly' })
    const until = clock.now() + 20 * DAY
    expect(apply({ orderNo: 'ORDER-P', planCode: 'PREMIUM', period: 'monthly', status: 'shortened', accessUntil: until })).toBe(true)
    expect(subs.current()).toMatchObject({ status: 'active', currentPeriodEnd: until })
  })
})
