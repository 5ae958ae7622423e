import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createBilling } from '../../src/main/billing'
import { ManualClock } from '../../src/node/clock'
import { sequentialIds } from '../../src/node/ids'
import { applyGrant } from '../../src/main/sync/grants'
import type { FeedData } from '../../src/shared/relay-contract'
import { tempDir } from '../support/db'

// The local mirror of the relay's plan grants (src/main/sync/grants.ts): a revoke takes back
// only what its order paid for; a grant for another plan never drops paid time.

const T0 = Date.UTC(2025, 0, 15, 4, 0, 0)
const DAY = 86_400_000
type Grant = FeedData<'subscription_grant'>

function world() {
  const clock = new ManualClock(T0)
  const billing = createBilling({ dbPath: join(tempDir('grants-'), 'billing.sqlite'), clock, ids: sequentialIds('g'), durability: 'normal' })
  const subs = billing.subscriptions
  let n = 0
  const apply = (g: Partial<Grant> & Pick<Grant, 'orderNo' | 'planCode' | 'period'>) =>
    applyGrant(subs, `feed:rec_${++n}`, { grantId: `gr-${g.orderNo}`, startsAt: clock.now(), endsAt: clock.now() + 30 * DAY, status: 'active', ...g }, clock.now())
  const fund = (amount: number) => billing.wallet.recharge({ key: `r-${++n}`, paymentId: `p-${n}`, provider: 'alipay', amount: { amount, currency: 'CNY' } })
  return { clock, billing, subs, apply, fund }
}

describe('revoked grants', () => {
  it('leave a subscription the order did not pay for untouched (wallet-paid, or another order)', () => {
    const { subs, apply, fund } = world()
    fund(1_000_000)
    subs.subscribe({ key: 'w1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    expect(apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly', status: 'revoked' })).toBe(false)
    expect(subs.current()).toMatchObject({ planCode: 'BASIC', status: 'active' })
  })

  it('cancel now what only that order paid for; at period end when others paid for part of it', () => {
    const a = world()
    a.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly' })
    expect(a.apply({ orderNo: 'ORDER-B', planCode: 'BASIC', period: 'monthly', status: 'revoked' })).toBe(false)
    expect(a.subs.current()!.status).toBe('active')
    expect(a.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly', status: 'revoked' })).toBe(true)
    expect(a.subs.current()).toMatchObject({ status: 'cancelled', cancelAtPeriodEnd: false })

    // Started by order A, renewed by order B: refunding B takes B's month back and keeps A's
    // (no renewal after). A second record of the same refund takes nothing more.
    const b = world()
    b.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly' })
    const endA = b.subs.current()!.currentPeriodEnd!
    b.apply({ orderNo: 'ORDER-B', planCode: 'BASIC', period: 'monthly' })
    const endB = b.subs.current()!.currentPeriodEnd!
    expect(endB).toBeGreaterThan(endA)
    b.clock.advance(5 * DAY)
    expect(b.apply({ orderNo: 'ORDER-B', planCode: 'BASIC', period: 'monthly', status: 'revoked' })).toBe(true)
    expect(b.subs.current()).toMatchObject({ status: 'cancelled', cancelAtPeriodEnd: true, currentPeriodEnd: endA })
    expect(b.billing.quotas.check('ai_request').limit).toBeGreaterThan(50)
    expect(b.apply({ orderNo: 'ORDER-B', planCode: 'BASIC', period: 'monthly', status: 'revoked' })).toBe(false)
    expect(b.subs.current()!.currentPeriodEnd).toBe(endA)
    const kinds = b.subs.history(b.subs.current()!.id).map((e) => e.kind)
    expect(kinds).toEqual(['subscribed', 'renewed', 'shortened', 'cancelled'])

    // Refunded after the time A paid for has run out: nothing of the period is left, access ends now.
    const c = world()
    c.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly' })
    c.apply({ orderNo: 'ORDER-B', planCode: 'BASIC', period: 'monthly' })
    c.clock.advance(40 * DAY)
    c.apply({ orderNo: 'ORDER-B', planCode: 'BASIC', period: 'monthly', status: 'revoked' })
    expect(c.subs.current()).toMatchObject({ status: 'cancelled', cancelAtPeriodEnd: false, cancelledAt: c.clock.now() })
    expect(c.billing.quotas.check('ai_request').limit).toBe(50)
  })

  it("take back only what the order paid for that is still ahead; the wallet's month stays", () => {
    // Order A pays month 1, the wallet month 2.
    const make = () => {
      const w = world()
      w.fund(100_000)
      w.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly' })
      const endA = w.subs.current()!.currentPeriodEnd!
      const end = w.subs.renew({ key: 'wallet-month', payment: 'wallet' }).currentPeriodEnd!
      return { ...w, endA, end }
    }
    // Refunded in month 2: A's month is used up, nothing to take back; no renewal after.
    const late = make()
    late.clock.set(late.endA + 5 * DAY)
    expect(late.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly', status: 'revoked' })).toBe(true)
    expect(late.subs.current()).toMatchObject({ status: 'cancelled', cancelAtPeriodEnd: true, currentPeriodEnd: late.end })
    // Refunded 10 days into month 1: the rest of A's month goes, the wallet's month follows at once.
    const early = make()
    early.clock.advance(10 * DAY)
    const rest = early.endA - early.clock.now()
    expect(early.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly', status: 'revoked' })).toBe(true)
    expect(early.subs.current()).toMatchObject({ status: 'cancelled', cancelAtPeriodEnd: true, currentPeriodEnd: early.end - rest })
  })

  it('a refund that arrives after the period ended (not swept yet) still stops the renewal', () => {
    const { clock, subs, apply, fund, billing } = world()
    fund(100_000)
    subs.subscribe({ key: 'w1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    apply({ orderNo: 'ORDER-B', planCode: 'BASIC', period: 'monthly' }) // renewed by order B
    const end = subs.current()!.currentPeriodEnd!
    clock.set(end + 3_600_000)
    const balance = billing.wallet.balance().amount
    expect(apply({ orderNo: 'ORDER-B', planCode: 'BASIC', period: 'monthly', status: 'revoked' })).toBe(true)
    subs.sweep()
    expect(subs.list().at(-1)).toMatchObject({ status: 'expired' })
    expect(billing.wallet.balance().amount).toBe(balance)
  })

  it('carried days are not taken back when the subscription they came from had days from elsewhere', () => {
    const { clock, subs, apply } = world()
    apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly' })
    clock.advance(10 * DAY)
    apply({ orderNo: 'ORDER-B', planCode: 'PREMIUM', period: 'monthly' }) // carries A's unused days
    clock.advance(10 * DAY)
    apply({ orderNo: 'ORDER-C', planCode: 'ENTERPRISE', period: 'monthly' }) // carries PREMIUM's, part of them A's
    const before = subs.current()!
    expect(apply({ orderNo: 'ORDER-B', planCode: 'PREMIUM', period: 'monthly', status: 'revoked' })).toBe(false)
    expect(subs.current()).toEqual(before)
  })

  it('take back days carried over from a subscription the refunded order alone paid for', () => {
    const { clock, subs, apply } = world()
    apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly' })
    clock.advance(10 * DAY)
    apply({ orderNo: 'ORDER-B', planCode: 'PREMIUM', period: 'monthly' })
    const premium = subs.current()!
    const carried = subs.history(premium.id).find((e) => e.kind === 'extended')!
    expect(carried.details['days']).toBeGreaterThan(0)
    const end = premium.currentPeriodEnd!
    expect(apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly', status: 'revoked' })).toBe(true)
    expect(subs.current()).toMatchObject({ planCode: 'PREMIUM', status: 'active', currentPeriodEnd: end - (carried.details['days'] as number) * DAY })
    // Order B's own month is untouched; seen again, nothing more is taken.
    expect(apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly', status: 'revoked' })).toBe(false)
  })

  it('end now the access of a subscription already cancelled at its period end, when only that order paid for it', () => {
    const a = world()
    a.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly' })
    a.subs.cancel({ key: 'user-cancel', atPeriodEnd: true, reason: 'not needed next month' })
    a.clock.advance(3 * DAY)
    const paidLimit = a.billing.quotas.check('ai_request').limit!
    expect(a.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly', status: 'revoked' })).toBe(true)
    expect(a.subs.current()).toMatchObject({ status: 'cancelled', cancelAtPeriodEnd: false, cancelledAt: a.clock.now() })
    expect(a.billing.quotas.check('ai_request').limit).toBeLessThan(paidLimit)
    // Seen again (another record for the same refund): nothing more to take back.
    expect(a.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly', status: 'revoked' })).toBe(false)

    // Partly paid by another order: it still ends at a period end, sooner by what B paid for.
    const b = world()
    b.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly' })
    const endA = b.subs.current()!.currentPeriodEnd
    b.apply({ orderNo: 'ORDER-B', planCode: 'BASIC', period: 'monthly' })
    b.subs.cancel({ key: 'user-cancel', atPeriodEnd: true, reason: 'not needed' })
    expect(b.apply({ orderNo: 'ORDER-B', planCode: 'BASIC', period: 'monthly', status: 'revoked' })).toBe(true)
    expect(b.subs.current()).toMatchObject({ status: 'cancelled', cancelAtPeriodEnd: true, currentPeriodEnd: endA })

    // A refund that arrives after the period ended changes nothing (access is over already).
    const c = world()
    c.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly' })
    const over = c.subs.cancel({ key: 'user-cancel', atPeriodEnd: true, reason: 'not needed' })
    c.clock.set(over.currentPeriodEnd! + DAY)
    expect(c.apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly', status: 'revoked' })).toBe(false)
    expect(c.subs.get(over.id)).toEqual(over)
  })
})

describe('a grant applied late', () => {
  it('runs from when the relay granted it, so it ends with the relay grant, not weeks later', () => {
    const { clock, subs, apply } = world()
    const grantedAt = clock.now()
    clock.advance(25 * DAY) // the device was offline since the payment
    expect(apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly', startsAt: grantedAt, endsAt: grantedAt + 31 * DAY })).toBe(true)
    const sub = subs.current()!
    expect(sub).toMatchObject({ planCode: 'BASIC', status: 'active', currentPeriodStart: grantedAt })
    expect(sub.currentPeriodEnd).toBe(grantedAt + 31 * DAY) // Jan 15 + 1 month: Feb 15
    clock.advance(7 * DAY)
    subs.sweep()
    expect(subs.current()).toBeNull()
  })
})

describe('a grant for another plan or period', () => {
  it('switches now and carries the unused paid time over at the two plans prices (no paid value lost)', () => {
    const { clock, subs, apply, fund } = world()
    fund(10_000_000)
    const premium = subs.subscribe({ key: 'w1', planCode: 'PREMIUM', period: 'monthly', payment: 'wallet' })
    clock.advance(10 * DAY)
    const remaining = premium.currentPeriodEnd! - clock.now()
    expect(apply({ orderNo: 'ORDER-A', planCode: 'BASIC', period: 'monthly' })).toBe(true)
    const now = subs.current()!
    expect(now).toMatchObject({ planCode: 'BASIC', period: 'monthly', status: 'active' })
    // Value kept: days of BASIC bought with the unused PREMIUM time ≥ its value.
    const pPrice = subs.getPlan('PREMIUM', 'monthly').price.amount
    const bPrice = subs.getPlan('BASIC', 'monthly').price.amount
    const carry = subs.history(now.id).find((e) => e.kind === 'extended')!.details['days'] as number
    // Monthly → monthly from the same instant: days = ⌈unused days × PREMIUM price / BASIC price⌉.
    expect(carry).toBe(Math.ceil(((remaining / DAY) * pPrice) / bPrice))
    expect(carry).toBeGreaterThan(remaining / DAY) // a downgrade gets more days
    const kinds = subs.history(now.id).map((e) => e.kind)
    expect(kinds).toEqual(['subscribed', 'extended'])
  })

  it('keeps a live lifetime plan against a periodic grant, and a higher plan against a lower lifetime grant; no carry from a trial', () => {
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
})
