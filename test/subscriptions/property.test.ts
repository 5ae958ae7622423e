import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canTransition, type BillingPeriod, type Subscription } from '../../src/main/subscriptions'
import { BillingError } from '../../src/shared/errors'
import { at, DAY, setup, snapshot, type Setup } from './support'

type Cmd =
  | { t: 'subscribe'; plan: string; period: BillingPeriod; trial: boolean; autoRenew: boolean; wallet: boolean }
  | { t: 'renew'; wallet: boolean }
  | { t: 'extend'; periods?: number; days?: number }
  | { t: 'cancel'; atPeriodEnd: boolean }
  | { t: 'shorten'; ms: number }
  | { t: 'setAutoRenew'; on: boolean }
  | { t: 'reactivate' }
  | { t: 'suspend' }
  | { t: 'resume' }
  | { t: 'sweep' }
  | { t: 'advance'; ms: number }
  | { t: 'topUp'; amount: number }
  | { t: 'replay'; index: number }
  | { t: 'conflict'; index: number }

const subscribe = fc.record({
  t: fc.constant('subscribe' as const),
  plan: fc.constantFrom('BASIC', 'PREMIUM', 'ENTERPRISE', 'BASIC', 'PREMIUM', 'FREE', 'GOLD'),
  period: fc.constantFrom<BillingPeriod>('monthly', 'monthly', 'quarterly', 'yearly', 'lifetime'),
  trial: fc.constantFrom(true, false, false),
  autoRenew: fc.boolean(),
  wallet: fc.boolean()
})

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { arbitrary: subscribe, weight: 5 },
  fc.record({ t: fc.constant('renew' as const), wallet: fc.boolean() }),
  fc.oneof(
    fc.record({ t: fc.constant('extend' as const), periods: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ t: fc.constant('extend' as const), days: fc.integer({ min: 1, max: 40 }) })
  ),
  fc.record({ t: fc.constant('cancel' as const), atPeriodEnd: fc.boolean() }),
  fc.record({ t: fc.constant('shorten' as const), ms: fc.integer({ min: 1, max: 60 * DAY }) }),
  fc.record({ t: fc.constant('setAutoRenew' as const), on: fc.boolean() }),
  fc.constant({ t: 'reactivate' as const }),
  fc.constant({ t: 'suspend' as const }),
  fc.constant({ t: 'resume' as const }),
  { arbitrary: fc.constant({ t: 'sweep' as const }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 60_000, max: 45 * DAY }) }), weight: 3 },
  fc.record({ t: fc.constant('topUp' as const), amount: fc.integer({ min: 0, max: 8000 }) }),
  fc.record({ t: fc.constant('replay' as const), index: fc.nat() }),
  fc.record({ t: fc.constant('conflict' as const), index: fc.nat() })
)

interface Done {
  name: string
  input: Record<string, unknown>
  result: Subscription
}

function apply(s: Setup, c: Cmd, n: number, done: Done[]): void {
  const key = `k${n}`
  const pay = (wallet: boolean) => (wallet ? ('wallet' as const) : { paymentId: `pay-${n}` })
  const call = (name: string, input: Record<string, unknown>) => {
    const result = (s.subs as unknown as Record<string, (i: unknown) => Subscription>)[name]!(input)
    done.push({ name, input, result })
  }
  switch (c.t) {
    case 'subscribe':
      return call('subscribe', {
        key,
        planCode: c.plan,
        period: c.period,
        ...(c.trial ? { trial: true } : { payment: pay(c.wallet) }),
        ...(c.period === 'lifetime' ? {} : { autoRenew: c.autoRenew })
      })
    case 'renew':
      return call('renew', { key, payment: pay(c.wallet) })
    case 'extend':
      return call('extend', { key, ...(c.periods ? { periods: c.periods } : { days: c.days }) })
    case 'cancel':
      return call('cancel', { key, atPeriodEnd: c.atPeriodEnd, reason: 'because' })
    case 'shorten':
      return call('shorten', { key, ms: c.ms, reason: 'refunded' })
    case 'setAutoRenew':
      return call('setAutoRenew', { key, autoRenew: c.on })
    case 'reactivate':
      return call('reactivate', { key })
    case 'suspend':
      return call('suspend', { key, reason: 'ops' })
    case 'resume':
      return call('resume', { key })
    case 'sweep':
      s.subs.sweep()
      return
    case 'advance':
      s.clock.advance(c.ms)
      return
    case 'topUp':
      s.wallet.topUp(c.amount)
      return
    case 'replay': {
      const d = done[c.index % Math.max(1, done.length)]
      if (!d) return
      const again = (s.subs as unknown as Record<string, (i: unknown) => Subscription>)[d.name]!({ ...d.input })
      expect(again).toEqual(d.result)
      return
    }
    case 'conflict': {
      const d = done[c.index % Math.max(1, done.length)]
      if (!d) return
      const other = d.name === 'suspend' ? 'resume' : 'suspend'
      expect(() => (s.subs as unknown as Record<string, (i: unknown) => Subscription>)[other]!({ key: d.input.key, reason: 'x' })).toThrow(
        expect.objectContaining({ code: 'IDEMPOTENCY_CONFLICT' })
      )
    }
  }
}

describe('random operation sequences', () => {
  const observed = new Set<string>()
  it('never leave the transition table, never move a period backwards, keep one live subscription', () => {
    fc.assert(
      fc.property(fc.array(cmd, { minLength: 5, maxLength: 40, size: 'max' }), fc.constantFrom(0, 0, 3000, 6000, 20_000), (cmds, balance) => {
        const s = setup({ balance, start: at(2024, 1, 31, 23, 30) })
        const done: Done[] = []
        const last = new Map<string, { start: number; end: number | null; access: number | null | undefined }>()
        let seenEvents = 0
        try {
          cmds.forEach((c, n) => {
            const before = snapshot(s.db)
            try {
              apply(s, c, n, done)
            } catch (e) {
              // Only typed errors, and a refused call changes nothing.
              if (!(e instanceof BillingError)) throw e
              expect(snapshot(s.db)).toBe(before)
            }
            const history = s.subs.history()
            for (const ev of history.slice(seenEvents)) {
              if (ev.from !== null && ev.from !== ev.to) expect(canTransition(ev.from, ev.to)).toBe(true)
              if (ev.from !== null && ev.from !== ev.to) observed.add(`${ev.from}->${ev.to}`)
            }
            // Append-only: earlier events are still there, unchanged in order.
            expect(history.length).toBeGreaterThanOrEqual(seenEvents)
            seenEvents = history.length
            const all = s.subs.list()
            expect(all.filter((x) => x.status !== 'expired').length).toBeLessThanOrEqual(1)
            for (const sub of all) {
              const prev = last.get(sub.id)
              if (prev) {
                expect(sub.currentPeriodStart).toBeGreaterThanOrEqual(prev.start)
                if (prev.end === null) expect(sub.currentPeriodEnd).toBeNull()
                // Only a shortening moves an end back, and never to now or before.
                else if (c.t === 'shorten' && sub.currentPeriodEnd! < prev.end) expect(sub.currentPeriodEnd).toBeGreaterThan(s.clock.now())
                else expect(sub.currentPeriodEnd).toBeGreaterThanOrEqual(prev.end)
              }
              if (sub.currentPeriodEnd !== null) expect(sub.currentPeriodEnd).toBeGreaterThan(sub.currentPeriodStart)
              // A cancelled subscription's access may only end sooner (a cancel now after one at the end).
              const access = sub.status === 'cancelled' ? (sub.cancelAtPeriodEnd ? sub.currentPeriodEnd : sub.cancelledAt) : undefined
              if (prev?.access != null && access != null) expect(access).toBeLessThanOrEqual(prev.access)
              last.set(sub.id, { start: sub.currentPeriodStart, end: sub.currentPeriodEnd, access })
            }
            const now = s.clock.now()
            const ent = s.subs.entitlement()
            expect(ent.periodStart <= now && now < ent.periodEnd).toBe(true)
            expect(s.wallet.balance()).toBeGreaterThanOrEqual(0)
          })
          // Money: what the wallet paid equals the wallet charges the subscriptions recorded.
          const charged = s.db.sqlite
            .prepare("SELECT coalesce(sum(amount_minor), 0) AS n FROM subscription_charges WHERE source = 'wallet'")
            .get() as { n: number }
          const paid = s.wallet.payments().reduce((a, p) => a + p.amount, 0)
          expect(paid).toBe(charged.n)
        } finally {
          s.db.close()
        }
      }),
      // 160 runs: at 80 a clean-clone CI run reached only 7 of the transitions.
      { numRuns: 160 }
    )
    // The generator must reach the interesting states, or the property proves little.
    expect(observed.size).toBeGreaterThanOrEqual(8)
  })
})
