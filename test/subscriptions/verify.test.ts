import { describe, expect, it } from 'vitest'
import { createSubscriptions } from '../../src/main/subscriptions'
import { sequentialIds } from '../../src/node/ids'
import { DAY, setup } from './support'

// verify(): the hash-chained history, each subscription row against its latest event's state,
// and the plan catalog against the built-in one plus recorded changes.

function busy() {
  const s = setup({ balance: 100_000 })
  s.subs.subscribe({ key: 'k1', planCode: 'PREMIUM', period: 'monthly', payment: 'wallet' })
  s.subs.cancel({ key: 'k2', atPeriodEnd: true, reason: 'too expensive' })
  s.subs.reactivate({ key: 'k3' })
  s.clock.advance(40 * DAY)
  s.subs.sweep()
  return s
}

describe('subscriptions verify()', () => {
  it('a history written by the service verifies, also on a second service over the file', () => {
    const s = busy()
    s.subs.setPlanActive('BASIC', 'yearly', false)
    s.subs.setPlanActive('BASIC', 'yearly', false) // no change, nothing recorded
    expect(s.subs.verify()).toMatchObject({ ok: true, problems: [], events: 4 })
    const again = createSubscriptions({ db: s.db, clock: s.clock, ids: sequentialIds('x'), walletPort: s.wallet.port })
    expect(again.verify().ok).toBe(true)
    expect(s.db.sqlite.prepare('SELECT count(*) FROM plan_changes').pluck().get()).toBe(1)
  })

  it('reports an edited subscription row', () => {
    const s = busy()
    s.db.sqlite.prepare("UPDATE subscriptions SET plan_code = 'ENTERPRISE'").run()
    expect(s.subs.verify().problems).toEqual([`subscription ${s.subs.list()[0]!.id} differs from the state its last event 4 recorded`])
  })

  it('reports an edited event, and a row whose events are all gone', () => {
    const s = busy()
    s.db.sqlite.prepare("UPDATE subscription_events SET reason = 'other' WHERE seq = 2").run()
    expect(s.subs.verify().problems).toEqual(['subscription event 2 does not match its hash'])
    s.db.sqlite.pragma('foreign_keys = OFF')
    s.db.sqlite.prepare('DELETE FROM subscription_events').run()
    const problems = s.subs.verify().problems
    expect(problems).toContain(`subscription ${s.subs.list()[0]!.id} has no history events`)
    expect(problems).toContain('the subscription history ends at event 0 but this process last wrote 4')
  })

  it('reports a cut-off tail while the process runs (the row put back to match)', () => {
    const s = busy()
    const prior = s.db.sqlite.prepare('SELECT state FROM subscription_events WHERE seq = 3').pluck().get() as string
    const row = JSON.parse(prior) as Record<string, unknown>
    s.db.sqlite.prepare('DELETE FROM subscription_events WHERE seq = 4').run()
    const cols = Object.keys(row).filter((c) => c !== 'id')
    s.db.sqlite.prepare(`UPDATE subscriptions SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`).run(row)
    expect(s.subs.verify().problems).toEqual(['the subscription history ends at event 3 but this process last wrote 4'])
  })

  it('checks the catalog: raised limits, prices, an unrecorded active flag, extra plans, edited changes', () => {
    const s = setup()
    const sq = s.db.sqlite
    s.subs.setPlanActive('PREMIUM', 'quarterly', false)
    expect(s.subs.verify().ok).toBe(true)
    sq.prepare("UPDATE plans SET max_ai_requests = 999999 WHERE code = 'FREE'").run()
    sq.prepare("UPDATE plans SET price_minor = 1 WHERE code = 'BASIC' AND period = 'yearly'").run()
    sq.prepare("UPDATE plans SET active = 1 WHERE code = 'PREMIUM' AND period = 'quarterly'").run()
    sq.prepare("INSERT INTO plans SELECT 'HACK', period, name, 0, 0, currency, features, NULL, NULL, NULL, NULL, 1, 99, 0, 0 FROM plans WHERE code = 'FREE'").run()
    sq.prepare('UPDATE plan_changes SET at = at + 1').run()
    expect(s.subs.verify().problems).toEqual([
      'plan change 1 does not match its hash',
      'plan FREE/monthly differs from the built-in catalog',
      'plan BASIC/yearly differs from the built-in catalog',
      'plan PREMIUM/quarterly is offered but no recorded change says so',
      'plan HACK/monthly is not in the built-in catalog'
    ])
  })

  it('a write inside a caller transaction that rolls back leaves a history that still verifies', () => {
    const s = setup({ balance: 100_000 })
    s.subs.subscribe({ key: 'k1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    expect(() =>
      s.db.tx(() => {
        s.subs.setAutoRenew({ key: 'k2', autoRenew: false })
        expect(s.subs.verify().ok).toBe(true) // inside: the head check waits for the outcome
        throw new Error('caller rolls back')
      })
    ).toThrow('caller rolls back')
    expect(s.subs.verify()).toMatchObject({ ok: true, problems: [], events: 1 })
    s.subs.setAutoRenew({ key: 'k3', autoRenew: false })
    expect(s.subs.verify()).toMatchObject({ ok: true, problems: [], events: 2 })
  })
})
