import { describe, expect, it } from 'vitest'
import { checkout, notify, paid } from '../relay/support/flows'
import { createTestProvider } from '../relay/support/hmac-provider'
import { enrolDevice, startTestRelay } from '../relay/support/relay'
import { at, setup, wall } from './support'

// One calendar-period implementation (src/shared/calendar.ts) on both sides: a monthly BASIC
// from Jan 31, renewed three times, ends on the same instants in the relay's grants and in the
// app's subscription, each renewal back on the anchor day (Feb 28 → Mar 31 → Apr 30 → May 31).

const START = at(2025, 1, 31)
const EXPECTED = ['2025-02-28 10:00:00', '2025-03-31 10:00:00', '2025-04-30 10:00:00', '2025-05-31 10:00:00']
const HOUR = 3600_000

async function relayEnds(): Promise<number[]> {
  const provider = createTestProvider('stripe')
  const t = await startTestRelay({ providers: [provider] }) // stopped after the test
  t.clock.set(START)
  const dev = await enrolDevice(t.api)
  const endsAt = () =>
    (t.relay.db.sqlite.prepare('SELECT ends_at FROM grants WHERE account_id = ? ORDER BY starts_at').all(dev.accountId) as { ends_at: number }[]).map(
      (g) => g.ends_at
    )
  const buy = async () => {
    const { order } = await checkout(t.api, dev.token, { provider: 'stripe', item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' } })
    expect((await notify(t, provider, [paid(order.orderNo, order.amount.amount)])).status).toBe(200)
  }
  await buy()
  // Each renewal is bought a few hours before the running grant ends, so it extends that run.
  for (let renewal = 0; renewal < 3; renewal++) {
    t.clock.set(endsAt().at(-1)! - 5 * HOUR)
    await buy()
  }
  return endsAt()
}

function appEnds(): number[] {
  const s = setup({ balance: 2900 * 4, start: START })
  const ends = [s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' }).currentPeriodEnd!]
  for (let renewal = 0; renewal < 3; renewal++) {
    const events = s.subs.sweep(ends.at(-1)!).events
    expect(events.map((e) => e.kind)).toEqual(['auto_renewed'])
    ends.push(s.subs.current()!.currentPeriodEnd!)
  }
  return ends
}

describe('calendar periods, relay and app', () => {
  it('a monthly grant from Jan 31 renewed three times ends on the same instants on both sides', async () => {
    const relay = await relayEnds()
    const app = appEnds()
    expect(relay.map((end) => wall(end))).toEqual(EXPECTED)
    expect(app).toEqual(relay)
  })
})
