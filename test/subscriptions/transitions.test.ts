import { describe, expect, it } from 'vitest'
import {
  assertTransition,
  canTransition,
  SUBSCRIPTION_STATUSES,
  TRANSITIONS,
  type SubscriptionStatus
} from '../../src/main/subscriptions'
import { BillingError, InvalidTransition } from '../../src/shared/errors'
import { at, setup, snapshot, type Setup } from './support'

// The table as specified, written out independently: changing TRANSITIONS fails this test.
const EXPECTED: ReadonlyArray<[SubscriptionStatus, SubscriptionStatus]> = [
  ['trialing', 'active'],
  ['trialing', 'cancelled'],
  ['trialing', 'expired'],
  ['active', 'past_due'],
  ['active', 'cancelled'],
  ['active', 'expired'],
  ['active', 'suspended'],
  ['past_due', 'active'],
  ['past_due', 'expired'],
  ['past_due', 'cancelled'],
  ['past_due', 'suspended'],
  ['suspended', 'active'],
  ['suspended', 'expired'],
  ['cancelled', 'active'],
  ['cancelled', 'expired']
]
const allowed = new Set(EXPECTED.map(([f, t]) => `${f}->${t}`))

describe('the transition table', () => {
  const pairs = SUBSCRIPTION_STATUSES.flatMap((from) => SUBSCRIPTION_STATUSES.map((to) => [from, to] as const))
  it.each(pairs)('%s → %s', (from, to) => {
    const ok = allowed.has(`${from}->${to}`)
    expect(canTransition(from, to)).toBe(ok)
    if (ok) expect(() => assertTransition(from, to)).not.toThrow()
    else expect(() => assertTransition(from, to)).toThrow(InvalidTransition)
  })
  it('expired is final', () => {
    expect(TRANSITIONS.expired).toEqual([])
  })
})

// ---- Through the service: every operation in every state. -----------------------------

const DAY_MS = 86_400_000
const START = at(2025, 1, 31)
const END = at(2025, 2, 28)

/** Builds an account whose live subscription is in `status` (expired: none live). */
function inState(status: SubscriptionStatus): Setup {
  const s = setup({ balance: 1_000_000, start: START })
  const { subs, clock } = s
  if (status === 'trialing') {
    subs.subscribe({ key: 'b1', planCode: 'BASIC', period: 'monthly', trial: true })
    return s
  }
  subs.subscribe({ key: 'b1', planCode: 'BASIC', period: 'monthly', payment: { paymentId: 'pay-1' } })
  if (status === 'past_due') {
    s.wallet.topUp(-1_000_000)
    clock.set(END)
    subs.sweep()
  } else if (status === 'cancelled') {
    subs.cancel({ key: 'b2', atPeriodEnd: true, reason: 'too expensive' })
  } else if (status === 'suspended') {
    subs.suspend({ key: 'b2', reason: 'chargeback' })
  } else if (status === 'expired') {
    subs.cancel({ key: 'b2', atPeriodEnd: false, reason: 'done' })
    subs.sweep()
  }
  return s
}

type Op = 'renew' | 'extend' | 'shorten' | 'cancelNow' | 'cancelAtEnd' | 'setAutoRenew' | 'reactivate' | 'suspend' | 'resume'

function run(s: Setup, op: Op): unknown {
  const key = `op-${op}`
  switch (op) {
    case 'renew':
      if (s.wallet.balance() === 0) s.wallet.topUp(1_000_000)
      return s.subs.renew({ key, payment: 'wallet' })
    case 'extend':
      return s.subs.extend({ key, days: 5 })
    case 'shorten':
      return s.subs.shorten({ key, ms: DAY_MS, reason: 'refunded' })
    case 'cancelNow':
      return s.subs.cancel({ key, atPeriodEnd: false, reason: 'r' })
    case 'cancelAtEnd':
      return s.subs.cancel({ key, atPeriodEnd: true, reason: 'r' })
    case 'setAutoRenew':
      return s.subs.setAutoRenew({ key, autoRenew: false })
    case 'reactivate':
      return s.subs.reactivate({ key })
    case 'suspend':
      return s.subs.suspend({ key, reason: 'r' })
    case 'resume':
      return s.subs.resume({ key })
  }
}

const E = 'INVALID_TRANSITION'
const MATRIX: Record<SubscriptionStatus, Record<Op, SubscriptionStatus | string>> = {
  trialing: { renew: 'active', extend: 'trialing', shorten: 'trialing', cancelNow: 'cancelled', cancelAtEnd: 'cancelled', setAutoRenew: 'trialing', reactivate: E, suspend: E, resume: E },
  active: { renew: 'active', extend: 'active', shorten: 'active', cancelNow: 'cancelled', cancelAtEnd: 'cancelled', setAutoRenew: 'active', reactivate: E, suspend: 'suspended', resume: E },
  past_due: { renew: 'active', extend: 'active', shorten: E, cancelNow: 'cancelled', cancelAtEnd: 'cancelled', setAutoRenew: 'past_due', reactivate: E, suspend: 'suspended', resume: E },
  // cancelled (at its period end, still ahead) + cancelNow: access ends now instead.
  cancelled: { renew: E, extend: E, shorten: 'cancelled', cancelNow: 'cancelled', cancelAtEnd: E, setAutoRenew: E, reactivate: 'active', suspend: E, resume: E },
  suspended: { renew: E, extend: E, shorten: E, cancelNow: E, cancelAtEnd: E, setAutoRenew: E, reactivate: E, suspend: E, resume: 'active' },
  expired: { renew: 'NOT_FOUND', extend: 'NOT_FOUND', shorten: 'NOT_FOUND', cancelNow: 'NOT_FOUND', cancelAtEnd: 'NOT_FOUND', setAutoRenew: 'NOT_FOUND', reactivate: 'NOT_FOUND', suspend: 'NOT_FOUND', resume: 'NOT_FOUND' }
}

const seen = new Set<string>()

function recordTransitions(s: Setup): void {
  for (const e of s.subs.history()) {
    if (e.from !== null && e.from !== e.to) {
      expect(allowed.has(`${e.from}->${e.to}`)).toBe(true)
      seen.add(`${e.from}->${e.to}`)
    }
  }
}

describe('every operation in every state', () => {
  const cases = SUBSCRIPTION_STATUSES.flatMap((st) => (Object.keys(MATRIX[st]) as Op[]).map((op) => [st, op, MATRIX[st][op]] as const))
  it.each(cases)('%s + %s → %s', (status, op, expected) => {
    const s = inState(status)
    const live = s.subs.current()
    expect(live?.status ?? 'expired').toBe(status)
    if (expected === E || expected === 'NOT_FOUND') {
      const before = snapshot(s.db)
      let code = 'no error'
      try {
        run(s, op)
      } catch (e) {
        code = (e as BillingError).code
      }
      expect(code).toBe(expected)
      expect(snapshot(s.db)).toBe(before)
    } else {
      const result = run(s, op) as { status: string }
      expect(result.status).toBe(expected)
      expect(s.subs.current()?.status).toBe(expected)
    }
    recordTransitions(s)
  })

  it('sweep-driven transitions', () => {
    // trialing → active (paid at trial end) and trialing → expired (unpaid)
    for (const balance of [1_000_000, 0]) {
      const s = setup({ balance, start: START })
      const t = s.subs.subscribe({ key: 't', planCode: 'BASIC', period: 'monthly', trial: true })
      s.subs.sweep(t.currentPeriodEnd!)
      expect(s.subs.get(t.id).status).toBe(balance ? 'active' : 'expired')
      recordTransitions(s)
    }
    // active → past_due → active (top-up, retry) ; past_due → expired ; active → expired
    const s = inState('past_due')
    s.wallet.topUp(10_000)
    s.subs.sweep(END + 1)
    expect(s.subs.current()?.status).toBe('active')
    recordTransitions(s)
    const p = inState('past_due')
    p.subs.sweep(at(2025, 3, 3))
    expect(p.subs.list()[0]!.status).toBe('expired')
    recordTransitions(p)
    const a = inState('active')
    a.subs.setAutoRenew({ key: 'off', autoRenew: false })
    a.subs.sweep(END)
    expect(a.subs.list()[0]!.status).toBe('expired')
    recordTransitions(a)
    // cancelled → expired ; suspended → expired (resumed after its period ended)
    const c = inState('cancelled')
    c.subs.sweep(END)
    expect(c.subs.list()[0]!.status).toBe('expired')
    recordTransitions(c)
    const u = inState('suspended')
    u.clock.set(END)
    expect(u.subs.resume({ key: 'late' }).status).toBe('expired')
    recordTransitions(u)
  })

  it('together they exercised every allowed transition', () => {
    expect([...seen].sort()).toEqual([...allowed].sort())
  })
})

describe('a cancel at the period end becoming a cancel now', () => {
  it('ends access now without moving the period, and only while that end is ahead', () => {
    const s = inState('cancelled')
    const before = s.subs.current()!
    expect(s.subs.entitlement().planCode).toBe('BASIC')
    const now = s.subs.cancel({ key: 'now', atPeriodEnd: false, reason: 'order refunded' })
    expect(now).toMatchObject({ status: 'cancelled', cancelAtPeriodEnd: false, cancelledAt: s.clock.now(), currentPeriodEnd: before.currentPeriodEnd })
    expect(s.subs.entitlement().planCode).not.toBe('BASIC')
    expect(s.subs.history(now.id).at(-1)!.details).toMatchObject({ atPeriodEnd: false, previouslyAtPeriodEnd: true })
    // The same key again answers the same; a cancel now cannot be undone or repeated.
    expect(s.subs.cancel({ key: 'now', atPeriodEnd: false, reason: 'order refunded' })).toEqual(now)
    for (const op of ['cancelNow', 'cancelAtEnd', 'reactivate'] as const) {
      expect(() => run(s, op)).toThrow(expect.objectContaining({ code: E }))
    }

    // Once the period end has passed, access is over already: a later cancel now would lengthen it.
    const late = inState('cancelled')
    late.clock.set(END)
    expect(() => run(late, 'cancelNow')).toThrow(expect.objectContaining({ code: E }))
    late.clock.set(END + 1)
    expect(() => run(late, 'cancelNow')).toThrow(expect.objectContaining({ code: E }))
  })
})
