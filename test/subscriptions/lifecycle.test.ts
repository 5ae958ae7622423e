import { describe, expect, it } from 'vitest'
import { sequentialIds } from '../../src/node/ids'
import { createSubscriptions } from '../../src/main/subscriptions'
import { BillingError } from '../../src/shared/errors'
import { at, DAY, setup, snapshot, wall, type Setup } from './support'

const START = at(2025, 1, 31) // 10:00 Shanghai
const END = at(2025, 2, 28)

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    return e instanceof BillingError ? e.code : `untyped: ${String(e)}`
  }
  return 'no error'
}

/** Runs a call that must fail with `code` and leave every row as it was. */
function refused(s: Setup, code: string, fn: () => unknown): void {
  const before = snapshot(s.db)
  expect(codeOf(fn)).toBe(code)
  expect(snapshot(s.db)).toBe(before)
}

describe('subscribe', () => {
  it('paid from the wallet: active for one calendar month, charged once, recorded', () => {
    const s = setup({ balance: 10_000, start: START })
    const sub = s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    expect(sub).toMatchObject({ status: 'active', planCode: 'BASIC', autoRenew: true, price: { amount: 2900, currency: 'CNY' } })
    expect(wall(sub.currentPeriodEnd)).toBe('2025-02-28 10:00:00')
    expect(s.wallet.balance()).toBe(7100)
    expect(s.subs.current()).toEqual(sub)
    expect(s.subs.history(sub.id).map((e) => [e.kind, e.from, e.to, e.actor, e.requestKey])).toEqual([
      ['subscribed', null, 'active', 'user', 'k1']
    ])
    expect(s.records).toHaveLength(1)
    expect(s.records[0]!.subscription).toEqual(sub)
  })

  it('short of money: InsufficientFunds, nothing written, and the key is free to retry after a top-up', () => {
    const s = setup({ balance: 1000, start: START })
    refused(s, 'INSUFFICIENT_FUNDS', () => s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' }))
    expect(s.records).toHaveLength(0)
    s.wallet.topUp(1900)
    expect(s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' }).status).toBe('active')
    expect(s.wallet.balance()).toBe(0)
  })

  it('with a confirmed payment id: no wallet movement; a payment id pays only once', () => {
    const s = setup({ balance: 0, start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'PREMIUM', period: 'yearly', payment: { paymentId: 'alipay-001' } })
    s.subs.cancel({ key: 'k2', atPeriodEnd: false, reason: 'switching' })
    refused(s, 'INVALID_INPUT', () =>
      s.subs.subscribe({ key: 'k3', planCode: 'BASIC', period: 'monthly', payment: { paymentId: 'alipay-001' } })
    )
  })

  it('a payment confirmed elsewhere while offline starts its period when it was made, not later', () => {
    const s = setup({ balance: 10_000, start: START })
    s.clock.set(at(2025, 2, 20))
    const sub = s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: { paymentId: 'ORDER-1' }, startsAt: START })
    expect(sub).toMatchObject({ status: 'active', currentPeriodStart: START, currentPeriodEnd: END, startedAt: START })
    expect(s.subs.entitlement()).toMatchObject({ planCode: 'BASIC', periodStart: START, periodEnd: END })
    // Only for a payment made elsewhere; a period already over is refused; the future is now.
    const t = setup({ balance: 10_000, start: START })
    t.clock.set(at(2025, 2, 20))
    refused(t, 'INVALID_INPUT', () => t.subs.subscribe({ key: 'w', planCode: 'BASIC', period: 'monthly', payment: 'wallet', startsAt: START }))
    refused(t, 'INVALID_INPUT', () => t.subs.subscribe({ key: 't', planCode: 'BASIC', period: 'monthly', trial: true, startsAt: START }))
    refused(t, 'INVALID_INPUT', () => t.subs.subscribe({ key: 'old', planCode: 'BASIC', period: 'monthly', payment: { paymentId: 'ORDER-0' }, startsAt: at(2025, 1, 10) }))
    refused(t, 'INVALID_INPUT', () => t.subs.subscribe({ key: 'nan', planCode: 'BASIC', period: 'monthly', payment: { paymentId: 'ORDER-2' }, startsAt: Number.NaN }))
    const later = t.subs.subscribe({ key: 'f', planCode: 'BASIC', period: 'monthly', payment: { paymentId: 'ORDER-3' }, startsAt: at(2025, 3, 1) })
    expect(later.currentPeriodStart).toBe(t.clock.now())
  })

  it('lifetime never ends and never renews', () => {
    const s = setup({ balance: 1_000_000, start: START })
    const sub = s.subs.subscribe({ key: 'k1', planCode: 'ENTERPRISE', period: 'lifetime', payment: 'wallet' })
    expect(sub).toMatchObject({ currentPeriodEnd: null, autoRenew: false })
    expect(s.subs.daysRemaining()).toBeNull()
    expect(s.subs.sweep(at(2099, 1, 1)).events).toEqual([])
    refused(s, 'INVALID_INPUT', () => s.subs.renew({ key: 'k2', payment: 'wallet' }))
    refused(s, 'INVALID_INPUT', () => s.subs.extend({ key: 'k3', days: 3 }))
    refused(s, 'INVALID_INPUT', () => s.subs.setAutoRenew({ key: 'k4', autoRenew: true }))
    refused(s, 'INVALID_INPUT', () => s.subs.cancel({ key: 'k5', atPeriodEnd: true, reason: 'x' }))
    expect(s.subs.entitlement(at(2040, 6, 1)).planCode).toBe('ENTERPRISE')
  })

  it('refuses bad input with typed errors and changes nothing', () => {
    const s = setup({ balance: 1_000_000, start: START })
    s.subs.setPlanActive('PREMIUM', 'quarterly', false)
    const sub = (extra: object) => () => s.subs.subscribe({ key: 'k', planCode: 'BASIC', period: 'monthly', payment: 'wallet', ...extra } as never)
    refused(s, 'NOT_FOUND', sub({ planCode: 'GOLD' }))
    refused(s, 'NOT_FOUND', sub({ period: 'weekly' }))
    refused(s, 'NOT_FOUND', sub({ planCode: 'FREE', period: 'yearly' }))
    refused(s, 'INVALID_INPUT', sub({ planCode: 'PREMIUM', period: 'quarterly' }))
    refused(s, 'INVALID_INPUT', sub({ planCode: 'FREE' }))
    refused(s, 'INVALID_INPUT', sub({ planCode: 'BASIC', period: 'yearly', payment: undefined, trial: true }))
    refused(s, 'INVALID_INPUT', sub({ trial: true }))
    refused(s, 'INVALID_INPUT', sub({ payment: undefined }))
    refused(s, 'INVALID_INPUT', sub({ payment: 'card' }))
    refused(s, 'INVALID_INPUT', sub({ payment: { paymentId: '' } }))
    refused(s, 'INVALID_INPUT', sub({ payment: { paymentId: 'x', amount: 1 } }))
    refused(s, 'INVALID_INPUT', sub({ key: '' }))
    refused(s, 'INVALID_INPUT', sub({ key: 'x'.repeat(201) }))
    refused(s, 'INVALID_INPUT', sub({ trial: 'yes' }))
    refused(s, 'INVALID_INPUT', sub({ actor: 'hacker' }))
    refused(s, 'INVALID_INPUT', sub({ period: 'lifetime', autoRenew: true }))
    refused(s, 'INVALID_INPUT', sub({ planCode: 42 }))
    expect(s.subs.list()).toEqual([])
  })

  it('a live subscription must be cancelled first; a cancelled one is replaced', () => {
    const s = setup({ balance: 1_000_000, start: START })
    const first = s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    refused(s, 'INVALID_TRANSITION', () => s.subs.subscribe({ key: 'k2', planCode: 'PREMIUM', period: 'monthly', payment: 'wallet' }))
    s.subs.cancel({ key: 'k3', atPeriodEnd: true, reason: 'upgrading' })
    s.clock.advance(DAY)
    const second = s.subs.subscribe({ key: 'k4', planCode: 'PREMIUM', period: 'monthly', payment: 'wallet' })
    expect(s.subs.get(first.id)).toMatchObject({ status: 'expired', endedAt: START + DAY })
    expect(s.subs.current()?.id).toBe(second.id)
    expect(s.subs.history(first.id).at(-1)).toMatchObject({ kind: 'expired', from: 'cancelled', to: 'expired' })
  })
})

describe('shorten (a refund takes paid time back)', () => {
  it('ends the period sooner, never before now; with nothing left, access ends now', () => {
    const s = setup({ balance: 10_000, start: START })
    const sub = s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: { paymentId: 'ORDER-1' } })
    s.subs.renew({ key: 'k2', payment: { paymentId: 'ORDER-2' } })
    expect(s.subs.paidBy(sub.id, 'ORDER-2')).toEqual({ ms: at(2025, 3, 31) - END, charges: 1 })
    expect(s.subs.paidBy(sub.id)).toEqual({ ms: at(2025, 3, 31) - START, charges: 2 })
    const short = s.subs.shorten({ key: 'k3', ms: s.subs.paidBy(sub.id, 'ORDER-2').ms, reason: 'order ORDER-2 refunded' })
    expect(short).toMatchObject({ status: 'active', currentPeriodEnd: END })
    expect(s.subs.history(sub.id).at(-1)).toMatchObject({ kind: 'shortened', details: { previousEnd: at(2025, 3, 31), periodEnd: END } })
    refused(s, 'INVALID_INPUT', () => s.subs.shorten({ key: 'k4', ms: 0, reason: 'x' }))
    refused(s, 'INVALID_INPUT', () => s.subs.shorten({ key: 'k5', ms: Number.NaN, reason: 'x' }))
    // More than is left: access ends now.
    s.clock.advance(10 * DAY)
    const ended = s.subs.shorten({ key: 'k6', ms: 30 * DAY, reason: 'order ORDER-1 refunded' })
    expect(ended).toMatchObject({ status: 'cancelled', cancelAtPeriodEnd: false, cancelledAt: s.clock.now(), currentPeriodEnd: END })
    expect(s.subs.entitlement().planCode).toBe('FREE')
    refused(s, 'INVALID_TRANSITION', () => s.subs.shorten({ key: 'k7', ms: DAY, reason: 'x' }))
    expect(s.subs.verify().ok).toBe(true)
  })

  it('a lifetime plan has no period to shorten', () => {
    const s = setup({ balance: 0, start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'lifetime', payment: { paymentId: 'ORDER-1' } })
    refused(s, 'INVALID_INPUT', () => s.subs.shorten({ key: 'k2', ms: DAY, reason: 'x' }))
  })
})

describe('idempotency', () => {
  it('same key + same request replays the first result without charging again', () => {
    const s = setup({ balance: 100_000, start: START })
    const req = { key: 'k1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' } as const
    const first = s.subs.subscribe(req)
    s.clock.advance(1000)
    s.subs.setAutoRenew({ key: 'k2', autoRenew: false })
    const replay = s.subs.subscribe({ ...req })
    expect(replay).toEqual(first) // the first result, not today's state
    expect(s.wallet.balance()).toBe(100_000 - 2900)
    expect(s.subs.list()).toHaveLength(1)
  })

  it('same key + a different request is IdempotencyConflict, across operations too', () => {
    const s = setup({ balance: 100_000, start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    refused(s, 'IDEMPOTENCY_CONFLICT', () => s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'yearly', payment: 'wallet' }))
    refused(s, 'IDEMPOTENCY_CONFLICT', () => s.subs.cancel({ key: 'k1', atPeriodEnd: true, reason: 'x' }))
    s.subs.cancel({ key: 'c1', atPeriodEnd: true, reason: 'x' })
    expect(s.subs.cancel({ key: 'c1', atPeriodEnd: true, reason: 'x' }).status).toBe('cancelled')
    refused(s, 'IDEMPOTENCY_CONFLICT', () => s.subs.cancel({ key: 'c1', atPeriodEnd: false, reason: 'x' }))
  })
})

describe('cancel', () => {
  it('at period end keeps access until the end, then the sweep expires it', () => {
    const s = setup({ balance: 100_000, start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'PREMIUM', period: 'monthly', payment: 'wallet' })
    refused(s, 'INVALID_INPUT', () => s.subs.cancel({ key: 'k2', atPeriodEnd: true, reason: '  ' }))
    refused(s, 'INVALID_INPUT', () => s.subs.cancel({ key: 'k2', atPeriodEnd: 'yes' as never, reason: 'x' }))
    const c = s.subs.cancel({ key: 'k2', atPeriodEnd: true, reason: 'too expensive' })
    expect(c).toMatchObject({ status: 'cancelled', cancelAtPeriodEnd: true, cancelReason: 'too expensive', autoRenew: false })
    expect(s.subs.entitlement(END - 1)).toMatchObject({ planCode: 'PREMIUM', status: 'cancelled', periodEnd: END })
    expect(s.subs.daysRemaining(at(2025, 2, 27))).toBe(1)
    expect(s.subs.sweep(END - 1).events).toEqual([])
    expect(s.subs.entitlement(END).planCode).toBe('FREE')
    const swept = s.subs.sweep(END).events
    expect(swept.map((e) => [e.kind, e.from, e.to, e.actor])).toEqual([['expired', 'cancelled', 'expired', 'system']])
    expect(s.subs.current()).toBeNull()
    expect(s.wallet.payments()).toHaveLength(1) // cancelled: never auto-renewed
    const history = s.subs.history()
    expect(history.find((e) => e.kind === 'cancelled')).toMatchObject({ reason: 'too expensive', actor: 'user', requestKey: 'k2' })
  })

  it('now ends access immediately', () => {
    const s = setup({ balance: 100_000, start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'PREMIUM', period: 'monthly', payment: 'wallet' })
    s.clock.advance(DAY)
    s.subs.cancel({ key: 'k2', atPeriodEnd: false, reason: 'refund requested' })
    expect(s.subs.entitlement().planCode).toBe('FREE')
    expect(s.subs.daysRemaining()).toBe(0)
    expect(s.subs.sweep().events.map((e) => e.to)).toEqual(['expired'])
    expect(s.subs.list()[0]!.endedAt).toBe(START + DAY)
  })

  it('reactivate undoes a cancel at period end before it takes effect, not after', () => {
    const s = setup({ balance: 100_000, start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    s.subs.cancel({ key: 'k2', atPeriodEnd: true, reason: 'x' })
    const r = s.subs.reactivate({ key: 'k3' })
    expect(r).toMatchObject({ status: 'active', autoRenew: true, cancelAtPeriodEnd: false, cancelReason: null })
    s.subs.cancel({ key: 'k4', atPeriodEnd: true, reason: 'x' })
    s.clock.set(END)
    refused(s, 'INVALID_TRANSITION', () => s.subs.reactivate({ key: 'k5' }))
  })

  it('a cancelled trial cannot be reactivated into a paid plan for free', () => {
    const s = setup({ start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', trial: true })
    s.subs.cancel({ key: 'k2', atPeriodEnd: true, reason: 'x' })
    refused(s, 'INVALID_TRANSITION', () => s.subs.reactivate({ key: 'k3' }))
  })
})

describe('trial', () => {
  it('trial → active when the wallet pays at trial end; the paid month starts there', () => {
    const s = setup({ balance: 6000, start: START })
    const t = s.subs.subscribe({ key: 'k1', planCode: 'PREMIUM', period: 'monthly', trial: true })
    expect(t).toMatchObject({ status: 'trialing', trialEndsAt: at(2025, 2, 7), currentPeriodEnd: at(2025, 2, 7) })
    expect(s.wallet.balance()).toBe(6000)
    expect(s.subs.entitlement(at(2025, 2, 6))).toMatchObject({
      planCode: 'PREMIUM',
      status: 'trialing',
      periodStart: START,
      periodEnd: at(2025, 2, 7)
    })
    const events = s.subs.sweep(at(2025, 2, 7, 12)).events
    expect(events.map((e) => [e.kind, e.from, e.to])).toEqual([['auto_renewed', 'trialing', 'active']])
    const sub = s.subs.current()!
    expect([wall(sub.currentPeriodStart), wall(sub.currentPeriodEnd)]).toEqual(['2025-02-07 10:00:00', '2025-03-07 10:00:00'])
    expect(s.wallet.balance()).toBe(100)
  })

  it('trial without money expires at its end; a second trial of the plan is refused', () => {
    const s = setup({ balance: 0, start: START })
    const t = s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', trial: true })
    const events = s.subs.sweep(t.currentPeriodEnd!).events
    expect(events.map((e) => [e.kind, e.to, e.details.shortfall])).toEqual([['expired', 'expired', 2900]])
    refused(s, 'INVALID_INPUT', () => s.subs.subscribe({ key: 'k2', planCode: 'BASIC', period: 'monthly', trial: true }))
    expect(s.subs.subscribe({ key: 'k3', planCode: 'PREMIUM', period: 'monthly', trial: true }).status).toBe('trialing')
  })

  it('renewing during a trial converts it and keeps the remaining trial days', () => {
    const s = setup({ balance: 10_000, start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', trial: true })
    s.clock.advance(2 * DAY)
    const r = s.subs.renew({ key: 'k2', payment: 'wallet' })
    expect(r.status).toBe('active')
    expect(wall(r.currentPeriodEnd)).toBe('2025-03-07 10:00:00')
    expect(s.wallet.balance()).toBe(7100)
    // Usage: the trial's week is its own period; paid months count from the trial's end.
    expect(s.subs.entitlement().periodEnd).toBe(at(2025, 2, 7))
    expect(s.subs.entitlement(at(2025, 2, 20))).toMatchObject({ periodStart: at(2025, 2, 7), periodEnd: at(2025, 3, 7) })
  })
})

describe('auto-renew from the wallet', () => {
  it('pays for the next calendar month when the balance covers it', () => {
    const s = setup({ balance: 2900 * 2, start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    const events = s.subs.sweep(END).events
    expect(events.map((e) => [e.kind, e.from, e.to])).toEqual([['auto_renewed', 'active', 'active']])
    const sub = s.subs.current()!
    expect([wall(sub.currentPeriodStart), wall(sub.currentPeriodEnd)]).toEqual(['2025-02-28 10:00:00', '2025-03-31 10:00:00'])
    expect(s.wallet.balance()).toBe(0)
    expect(s.subs.sweep(END).events).toEqual([]) // the same instant again: nothing due, nothing charged
    expect(s.wallet.payments()).toHaveLength(2)
  })

  it('short → past_due with grace; access continues in grace; past grace → expired', () => {
    const s = setup({ balance: 2900, start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    const events = s.subs.sweep(END).events
    expect(events.map((e) => [e.kind, e.from, e.to, e.details.shortfall])).toEqual([['renewal_failed', 'active', 'past_due', 2900]])
    const due = s.subs.current()!
    expect(wall(due.graceUntil)).toBe('2025-03-03 10:00:00')
    expect(s.subs.entitlement(at(2025, 3, 2))).toMatchObject({ planCode: 'BASIC', status: 'past_due', accessEndsAt: due.graceUntil })
    expect(s.subs.daysRemaining(at(2025, 3, 2))).toBe(1)
    expect(s.subs.sweep(at(2025, 3, 3) - 1).events).toEqual([])
    expect(s.subs.sweep(at(2025, 3, 3)).events.map((e) => [e.kind, e.from, e.to])).toEqual([['expired', 'past_due', 'expired']])
    expect(s.subs.entitlement(at(2025, 3, 3)).planCode).toBe('FREE')
    expect(s.wallet.balance()).toBe(0)
  })

  it('a top-up during grace is picked up by the next sweep; the paid month starts at the old end', () => {
    const s = setup({ balance: 0, start: START, graceDays: 5 })
    s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: { paymentId: 'p1' } })
    s.subs.sweep(END)
    expect(wall(s.subs.current()!.graceUntil)).toBe('2025-03-05 10:00:00')
    s.wallet.topUp(3000)
    const events = s.subs.sweep(at(2025, 3, 2))
    expect(events.events.map((e) => [e.kind, e.from, e.to])).toEqual([['auto_renewed', 'past_due', 'active']])
    expect(s.subs.current()).toMatchObject({ currentPeriodStart: END, currentPeriodEnd: at(2025, 3, 31), graceUntil: null })
    expect(s.wallet.balance()).toBe(100)
  })

  it('manual renew pays a past_due subscription', () => {
    const s = setup({ balance: 0, start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: { paymentId: 'p1' } })
    s.subs.sweep(END)
    s.clock.set(at(2025, 3, 1))
    refused(s, 'INSUFFICIENT_FUNDS', () => s.subs.renew({ key: 'k2', payment: 'wallet' }))
    const r = s.subs.renew({ key: 'k3', payment: { paymentId: 'p2' } })
    expect(r).toMatchObject({ status: 'active', currentPeriodStart: END, currentPeriodEnd: at(2025, 3, 31) })
  })

  it('after months offline each missed month is renewed in turn while the wallet covers it', () => {
    const s = setup({ balance: 2900 * 3, start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    const events = s.subs.sweep(at(2025, 5, 15)).events
    expect(events.map((e) => e.kind)).toEqual(['auto_renewed', 'auto_renewed', 'renewal_failed', 'expired'])
    const ends = events.filter((e) => e.kind === 'auto_renewed').map((e) => wall(e.details.periodEnd as number))
    expect(ends).toEqual(['2025-03-31 10:00:00', '2025-04-30 10:00:00'])
    expect(s.subs.list()[0]).toMatchObject({ status: 'expired', endedAt: at(2025, 5, 3) })
  })

  it('auto-renew off → expired at period end', () => {
    const s = setup({ balance: 100_000, start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'quarterly', payment: 'wallet', autoRenew: false })
    const end = at(2025, 4, 30)
    expect(s.subs.current()!.currentPeriodEnd).toBe(end)
    expect(s.subs.sweep(end).events.map((e) => e.to)).toEqual(['expired'])
    expect(s.wallet.payments()).toHaveLength(1)
  })

  it('prepaying an active subscription appends one period', () => {
    const s = setup({ balance: 100_000, start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    const r = s.subs.renew({ key: 'k2', payment: 'wallet' })
    expect([r.currentPeriodStart, wall(r.currentPeriodEnd)]).toEqual([START, '2025-03-31 10:00:00'])
    expect(s.wallet.balance()).toBe(100_000 - 5800)
  })
})

describe('extend', () => {
  it('by periods keeps the anchor day; by days moves it', () => {
    const s = setup({ balance: 100_000, start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    const byPeriods = s.subs.extend({ key: 'k2', periods: 1, reason: 'outage compensation' })
    expect(wall(byPeriods.currentPeriodEnd)).toBe('2025-03-31 10:00:00')
    const byDays = s.subs.extend({ key: 'k3', days: 3 })
    expect(wall(byDays.currentPeriodEnd)).toBe('2025-04-03 10:00:00')
    expect(byDays.anchorDay).toBe(3)
    expect(s.wallet.balance()).toBe(100_000 - 2900) // free
    const e = s.subs.history().find((x) => x.requestKey === 'k2')!
    expect(e).toMatchObject({ kind: 'extended', reason: 'outage compensation', actor: 'admin' })
  })

  it('extending a past_due subscription beyond now makes it active again', () => {
    const s = setup({ balance: 0, start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: { paymentId: 'p' } })
    s.subs.sweep(END)
    s.clock.set(at(2025, 3, 1))
    expect(s.subs.extend({ key: 'k2', days: 7 })).toMatchObject({ status: 'active', graceUntil: null, currentPeriodEnd: at(2025, 3, 7) })
  })

  it('refuses both, neither, zero, fractional and huge amounts', () => {
    const s = setup({ balance: 100_000, start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    for (const bad of [{}, { periods: 1, days: 1 }, { days: 0 }, { days: 1.5 }, { periods: -1 }, { days: 100_000 }, { days: '3' }]) {
      refused(s, 'INVALID_INPUT', () => s.subs.extend({ key: 'kx', ...(bad as object) }))
    }
  })

  it('no subscription: NotFound', () => {
    const s = setup({ start: START })
    refused(s, 'NOT_FOUND', () => s.subs.extend({ key: 'k', days: 1 }))
    refused(s, 'NOT_FOUND', () => s.subs.cancel({ key: 'k', atPeriodEnd: true, reason: 'x' }))
    expect(codeOf(() => s.subs.get('nope'))).toBe('NOT_FOUND')
  })
})

describe('daysRemaining', () => {
  it('counts calendar days to the period end, rounded up', () => {
    const s = setup({ balance: 100_000, start: START })
    expect(s.subs.daysRemaining()).toBe(0)
    s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    expect(s.subs.daysRemaining()).toBe(28)
    expect(s.subs.daysRemaining(at(2025, 2, 27, 10))).toBe(1)
    expect(s.subs.daysRemaining(at(2025, 2, 27, 9))).toBe(2)
    expect(s.subs.daysRemaining(END)).toBe(0)
  })
})

describe('entitlement', () => {
  it('falls back to FREE for the calendar month in Shanghai when nothing grants access', () => {
    const s = setup({ start: START })
    const e = s.subs.entitlement()
    expect(e).toMatchObject({
      planCode: 'FREE',
      period: 'monthly',
      status: 'free',
      limits: { max_streams: 1, max_storage_gb: 1, max_ai_requests: 50, max_export_count: 5 },
      periodStart: at(2025, 1, 1, 0),
      periodEnd: at(2025, 2, 1, 0),
      accessEndsAt: null,
      subscriptionId: null
    })
    expect(Object.isFrozen(e)).toBe(true)
    expect(s.subs.entitlement(at(2025, 2, 1, 0))).toMatchObject({ periodStart: at(2025, 2, 1, 0), periodEnd: at(2025, 3, 1, 0) })
    expect(s.subs.entitlement(at(2025, 1, 31, 23, 59)).periodEnd).toBe(at(2025, 2, 1, 0))
  })

  it('suspended and expired subscriptions fall back to FREE; a write is seen at once', () => {
    const s = setup({ balance: 100_000, start: START })
    expect(s.subs.entitlement().planCode).toBe('FREE')
    s.subs.subscribe({ key: 'k1', planCode: 'ENTERPRISE', period: 'monthly', payment: 'wallet' })
    expect(s.subs.entitlement()).toMatchObject({ planCode: 'ENTERPRISE', status: 'active', limits: { max_export_count: null } })
    s.subs.suspend({ key: 'k2', reason: 'chargeback' })
    expect(s.subs.entitlement().planCode).toBe('FREE')
    s.subs.resume({ key: 'k3' })
    expect(s.subs.entitlement().planCode).toBe('ENTERPRISE')
  })

  it('yearly and lifetime plans get monthly usage periods from their start', () => {
    const s = setup({ balance: 1_000_000, start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'PREMIUM', period: 'yearly', payment: 'wallet' })
    expect(s.subs.entitlement(at(2025, 3, 15))).toMatchObject({ periodStart: at(2025, 2, 28), periodEnd: at(2025, 3, 31) })
    expect(s.subs.entitlement(at(2025, 3, 31))).toMatchObject({ periodStart: at(2025, 3, 31), periodEnd: at(2025, 4, 30) })
    s.subs.cancel({ key: 'k2', atPeriodEnd: false, reason: 'x' })
    s.subs.subscribe({ key: 'k3', planCode: 'BASIC', period: 'lifetime', payment: 'wallet' })
    expect(s.subs.entitlement(at(2031, 6, 10))).toMatchObject({ planCode: 'BASIC', periodStart: at(2031, 5, 31), periodEnd: at(2031, 6, 30), accessEndsAt: null })
  })

  it('an unswept active period with auto-renew still grants access through the grace it would get', () => {
    const s = setup({ balance: 2900, start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    const before = s.subs.entitlement(at(2025, 3, 2))
    s.subs.sweep(at(2025, 3, 2))
    const after = s.subs.entitlement(at(2025, 3, 2))
    expect([before.planCode, before.accessEndsAt, before.periodEnd]).toEqual([after.planCode, after.accessEndsAt, after.periodEnd])
  })
})

describe('the sync hook', () => {
  it('sees every change; it runs inside the transaction, so if it throws the change is rolled back', () => {
    const s = setup({ balance: 100_000, start: START })
    s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    s.subs.cancel({ key: 'k2', atPeriodEnd: true, reason: 'x' })
    s.subs.sweep(END)
    expect(s.records.map((r) => [r.event.kind, r.subscription.status, r.subscription.version])).toEqual([
      ['subscribed', 'active', 1],
      ['cancelled', 'cancelled', 2],
      ['expired', 'expired', 3]
    ])
    const failing = createSubscriptions({
      db: s.db,
      clock: s.clock,
      ids: sequentialIds('other'),
      walletPort: s.wallet.port,
      onRecord: () => {
        throw new Error('outbox full')
      }
    })
    const before = snapshot(s.db)
    expect(() => failing.subscribe({ key: 'k3', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })).toThrow('outbox full')
    expect(snapshot(s.db)).toBe(before)
    expect(s.wallet.balance()).toBe(100_000 - 2900)
  })

  it('refuses a bad configuration', () => {
    const s = setup()
    const deps = { db: s.db, clock: s.clock, ids: sequentialIds('x'), walletPort: s.wallet.port }
    expect(codeOf(() => createSubscriptions({ ...deps, timeZone: 'Nowhere/City' }))).toBe('INVALID_INPUT')
    expect(codeOf(() => createSubscriptions({ ...deps, graceDays: -1 }))).toBe('INVALID_INPUT')
    expect(codeOf(() => createSubscriptions({ ...deps, timeZone: 'America/New_York', graceDays: 0 }))).toBe('no error')
  })
})
