import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { monthlyOf, mrrAt, mrrMovement } from '../../../src/relay/reports/mrr'
import type { GrantRow } from '../../../src/relay/store/ports'
import { createTestProvider } from '../support/hmac-provider'
import { forEachStore } from '../support/pg'
import { startTestRelay } from '../support/relay'
import { addOperator, signIn } from '../console/support'

// MRR: recurring grants normalised per month (lifetime, trials and free grants count 0), and its
// movement, whose parts always add up: start + new + expansion − contraction − churn = end.

const grant = (account: string, period: string, price: number | null): GrantRow =>
  ({ id: `${account}-${period}-${price}`, account_id: account, period, price_minor: price, currency: 'CNY', plan_code: 'BASIC', status: 'active', starts_at: 0, ends_at: null }) as unknown as GrantRow

describe('MRR', () => {
  it('normalises each period to a month, rounding half up per grant', () => {
    expect(monthlyOf(grant('a', 'monthly', 2900))).toBe(2900)
    expect(monthlyOf(grant('a', 'quarterly', 7900))).toBe(2633) // 2633.33
    expect(monthlyOf(grant('a', 'yearly', 29900))).toBe(2492) // 2491.67
    expect(monthlyOf(grant('a', 'quarterly', 5))).toBe(2) // 1.67
    expect(monthlyOf(grant('a', 'lifetime', 89900))).toBe(0)
    expect(monthlyOf(grant('a', 'monthly', null))).toBe(0)
    expect(mrrAt(1, [grant('a', 'monthly', 2900), grant('a', 'yearly', 29900), grant('b', 'lifetime', 1)])).toEqual({
      at: 1,
      mrr: { CNY: 5392 },
      arr: { CNY: 64704 },
      payingAccounts: { CNY: 1 }
    })
  })

  it('splits any change into parts that add up', () => {
    const side = fc.array(fc.record({ account: fc.constantFrom('a', 'b', 'c', 'd'), period: fc.constantFrom('monthly', 'quarterly', 'yearly', 'lifetime'), price: fc.nat(100_000) }), { maxLength: 8 })
    fc.assert(
      fc.property(side, side, (x, y) => {
        const m = mrrMovement(0, 1, x.map((g) => grant(g.account, g.period, g.price)), y.map((g) => grant(g.account, g.period, g.price))).movement['CNY']
        if (!m) return
        expect(m.start + m.new + m.expansion - m.contraction - m.churn).toBe(m.end)
        for (const part of [m.new, m.expansion, m.contraction, m.churn]) expect(part).toBeGreaterThanOrEqual(0)
      })
    )
  })
})

forEachStore('MRR routes', () => {
  it('counts paid recurring plans running at an instant, and their movement', async () => {
    const provider = createTestProvider('stripe')
    const t = await startTestRelay({ providers: [provider] })
    const { core } = t.relay
    const pay = async (label: string, period: 'monthly' | 'yearly') => {
      const { accountId, code } = await core.accounts.createEnrolment(undefined, label)
      const device = { accountId, deviceId: (await core.accounts.enrol(code, 'a')).deviceId }
      const { order } = await core.checkouts.create(device, `mrr-${label}`, { provider: 'stripe', item: { kind: 'plan', planCode: 'BASIC', period } })
      await core.store.unit((tx) => core.applier.apply(tx, 'stripe', { type: 'payment.succeeded', eventId: `evt_${label}`, orderNo: order.orderNo, providerPaymentId: `pi_${label}`, amount: order.amount, occurredAt: 0 }))
      return order
    }
    const before = t.clock.now()
    const monthly = await pay('m', 'monthly')
    await pay('y', 'yearly')
    t.clock.advance(1000)
    await addOperator(t, 'viewer@example.com', 'viewer')
    const s = await signIn(t, 'viewer@example.com')
    const now = await s.call('GET', '/v1/console/reports/mrr')
    expect(now.body.report).toMatchObject({ mrr: { CNY: 2900 + 2492 }, arr: { CNY: 12 * (2900 + 2492) }, payingAccounts: { CNY: 2 } })
    // A refund takes the monthly plan out.
    await core.store.unit((tx) => core.applier.apply(tx, 'stripe', { type: 'refund.succeeded', eventId: 'evt_r', orderNo: monthly.orderNo, refundId: 're_m', amount: monthly.amount, occurredAt: 0 }))
    t.clock.advance(1000)
    const moved = await s.call('GET', `/v1/console/reports/mrr-movement?from=${before - 1}`)
    expect(moved.body.report.movement.CNY).toEqual({ start: 0, new: 2492, expansion: 0, contraction: 0, churn: 0, end: 2492 })
    expect((await s.call('GET', '/v1/console/reports/mrr-movement?from=99999999999999')).status).toBe(400)
  })

  it('counts trials decided in a range and those whose accounts paid for the plan afterwards', async () => {
    const provider = createTestProvider('stripe')
    const t = await startTestRelay({ providers: [provider] })
    const { core } = t.relay
    const from = t.clock.now()
    const devices = []
    for (const label of ['a', 'b', 'c']) {
      const { accountId, code } = await core.accounts.createEnrolment(undefined, label)
      const device = { accountId, deviceId: (await core.accounts.enrol(code, label)).deviceId }
      await core.outbox.accept(device, [{ id: `trial-${label}-000001`, kind: 'trial_start', planCode: 'BASIC', period: 'monthly', startedAt: from, endsAt: from + 7 * 86_400_000 }])
      devices.push(device)
    }
    t.clock.advance(3 * 86_400_000)
    // a pays for BASIC; b pays and is refunded (not a conversion); c never pays.
    for (const [i, device] of devices.slice(0, 2).entries()) {
      const { order } = await core.checkouts.create(device, `trial-pay-${i}`, { provider: 'stripe', item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' } })
      await core.store.unit((tx) => core.applier.apply(tx, 'stripe', { type: 'payment.succeeded', eventId: `evt_t${i}`, orderNo: order.orderNo, providerPaymentId: `pi_t${i}`, amount: order.amount, occurredAt: 0 }))
      if (i === 1) await core.store.unit((tx) => core.applier.apply(tx, 'stripe', { type: 'refund.succeeded', eventId: 'evt_tr', orderNo: order.orderNo, refundId: 're_t', amount: order.amount, occurredAt: 0 }))
    }
    await addOperator(t, 'viewer@example.com', 'viewer')
    const s = await signIn(t, 'viewer@example.com')
    const r = await s.call('GET', `/v1/console/reports/trials?from=${from}`)
    expect(r.body.report.plans).toEqual([{ planCode: 'BASIC', trials: 3, converted: 1, rate: '0.3333' }])
    expect((await s.call('GET', `/v1/console/reports/trials?from=${from}&to=${from}`)).status).toBe(200)
    const later = await s.call('GET', `/v1/console/reports/trials?from=${t.clock.now() + 1}&to=${t.clock.now() + 2}`)
    expect(later.body.report.plans).toEqual([])
  })
})
