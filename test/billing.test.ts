import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createBilling, type BillingRecord } from '../src/main/billing'
import { ManualClock } from '../src/node/clock'
import { randomIds } from '../src/node/ids'
import { tempDir } from './support/db'

const T0 = Date.UTC(2026, 0, 15, 4, 0, 0) // 2026-01-15 12:00 in Shanghai

function open(dir: string, clock: ManualClock, records?: BillingRecord[]) {
  return createBilling({
    dbPath: join(dir, 'billing.sqlite'),
    clock,
    ids: randomIds(clock),
    durability: 'normal',
    ...(records ? { onRecord: (r: BillingRecord) => void records.push(r) } : {})
  })
}

describe('createBilling', () => {
  it('wires wallet, subscriptions and quotas over one ledger file', () => {
    const dir = tempDir()
    const clock = new ManualClock(T0)
    const records: BillingRecord[] = []
    const billing = open(dir, clock, records)

    // FREE plan limits until a subscription starts.
    expect(billing.quotas.check('ai_request').limit).toBe(50)

    billing.wallet.recharge({ key: 'r1', paymentId: 'pay-1', provider: 'alipay', amount: { amount: 10_000, currency: 'CNY' } })
    billing.subscriptions.subscribe({ key: 's1', planCode: 'PREMIUM', period: 'monthly', payment: 'wallet' })
    expect(billing.wallet.balance().amount).toBe(10_000 - 5_900)
    // The subscription change reaches the quotas at once.
    expect(billing.quotas.check('ai_request').limit).toBe(5000)
    billing.quotas.consume('ai_request', 3, 'u1')
    expect(billing.quotas.check('ai_request').remaining).toBe(4997)

    expect(records.map((r) => r.source)).toEqual(['wallet', 'subscription', 'usage'])
    expect(records[0]).toMatchObject({ source: 'wallet', record: { kind: 'wallet_debit', amount: { amount: 5_900 } } })
    expect(billing.verify()).toEqual({ ok: true, problems: [] })
    billing.close()

    // Everything is on disk: a reopen sees the same state.
    const again = open(dir, clock)
    expect(again.wallet.balance().amount).toBe(4_100)
    expect(again.subscriptions.current()?.planCode).toBe('PREMIUM')
    expect(again.quotas.check('ai_request').remaining).toBe(4997)
    expect(again.verify().ok).toBe(true)
    again.close()
  })

  it('an unpaid subscription changes nothing: InsufficientFunds, wallet and plan untouched', () => {
    const clock = new ManualClock(T0)
    const billing = open(tempDir(), clock)
    billing.wallet.recharge({ key: 'r1', paymentId: 'pay-1', provider: 'wechat', amount: { amount: 1_000, currency: 'CNY' } })
    expect(() =>
      billing.subscriptions.subscribe({ key: 's1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    ).toThrowError(expect.objectContaining({ code: 'INSUFFICIENT_FUNDS' }))
    expect(billing.wallet.balance().amount).toBe(1_000)
    expect(billing.subscriptions.current()).toBeNull()
    expect(billing.quotas.check('ai_request').limit).toBe(50)
    billing.close()
  })

  it('auto-renews from the wallet at the sweep, else falls to past_due', () => {
    const clock = new ManualClock(T0)
    const billing = open(tempDir(), clock)
    billing.wallet.recharge({ key: 'r1', paymentId: 'pay-1', provider: 'stripe', amount: { amount: 2_900 * 2, currency: 'CNY' } })
    billing.subscriptions.subscribe({ key: 's1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    clock.set(Date.UTC(2026, 1, 16))
    billing.sweep()
    expect(billing.subscriptions.current()?.status).toBe('active')
    expect(billing.wallet.balance().amount).toBe(0)
    clock.set(Date.UTC(2026, 2, 16))
    billing.sweep()
    expect(billing.subscriptions.current()?.status).toBe('past_due')
    expect(billing.verify().ok).toBe(true)
    billing.close()
  })
})

// Tamper evidence across the ledgers: an edit of the file made while the app is closed is
// found by billing.verify() on the next open (the sync layer then flags `ledger_tampered`).
describe('createBilling verify() finds edits of the file', () => {
  function seeded() {
    const dir = tempDir()
    const clock = new ManualClock(T0)
    const b = open(dir, clock)
    b.wallet.recharge({ key: 'r1', paymentId: 'pay-1', provider: 'alipay', amount: { amount: 10_000, currency: 'CNY' } })
    b.subscriptions.subscribe({ key: 's1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    b.subscriptions.setAutoRenew({ key: 's2', autoRenew: false })
    b.subscriptions.setAutoRenew({ key: 's3', autoRenew: true })
    for (let i = 0; i < 4; i++) b.quotas.consume('ai_request', 1, `u${i}`)
    expect(b.verify()).toEqual({ ok: true, problems: [] })
    const subId = b.subscriptions.current()!.id
    b.close()
    /** Runs raw SQL on the closed file, reopens, and returns verify()'s report and the reopened billing. */
    const tamper = (sql: string, ...params: unknown[]) => {
      const raw = open(dir, clock)
      raw.db.sqlite.prepare(sql).run(...params)
      raw.close()
      const again = open(dir, clock)
      const report = again.verify()
      return { report, again }
    }
    return { subId, tamper }
  }

  it('an untouched file verifies after reopen', () => {
    const { tamper } = seeded()
    const { report, again } = tamper('SELECT 1')
    expect(report).toEqual({ ok: true, problems: [] })
    again.close()
  })

  it('a subscription row raised to ENTERPRISE lifetime is reported (and it would raise the limits)', () => {
    const { subId, tamper } = seeded()
    const { report, again } = tamper(
      `UPDATE subscriptions SET plan_code = 'ENTERPRISE', period = 'lifetime', current_period_end = NULL, auto_renew = 0 WHERE id = ?`,
      subId
    )
    expect(again.quotas.check('ai_request').limit).toBe(50_000) // why it matters: the edit took effect
    expect(report.ok).toBe(false)
    expect(report.problems).toEqual([`subscription: subscription ${subId} differs from the state its last event 3 recorded`])
    again.close()
  })

  it('a deleted subscription event is reported', () => {
    const { tamper } = seeded()
    const { report, again } = tamper('DELETE FROM subscription_events WHERE seq = 2')
    expect(report.ok).toBe(false)
    expect(report.problems).toEqual([
      'subscription: subscription events 2..2 are missing',
      'subscription: subscription event 3 does not match its hash'
    ])
    again.close()
  })

  it('a raised plan limit in the catalog is reported', () => {
    const { tamper } = seeded()
    const { report, again } = tamper(`UPDATE plans SET max_ai_requests = NULL WHERE code = 'BASIC' AND period = 'monthly'`)
    expect(report.problems).toEqual(['subscription: plan BASIC/monthly differs from the built-in catalog'])
    again.close()
  })

  it('an edited usage event is reported, even with its counter edited to match', () => {
    const { tamper } = seeded()
    const raw = tamper("UPDATE usage_events SET qty = 0, used_after = 0 WHERE key = 'u0'")
    raw.again.close()
    const { report, again } = tamper("UPDATE usage_counters SET used = used - 1 WHERE feature = 'ai_request'")
    expect(report.ok).toBe(false)
    expect(report.problems.some((p) => /^usage: usage event \d+ \(u0\) does not match its hash/.test(p))).toBe(true)
    again.close()
  })

  it('a deleted usage event is reported', () => {
    const { tamper } = seeded()
    const { report, again } = tamper("DELETE FROM usage_events WHERE key = 'u1'")
    expect(report.ok).toBe(false)
    expect(report.problems).toContain('usage: counter ai_request@' + again.quotas.usage().periodStart + ' is 4 but its events sum to 3')
    expect(report.problems.some((p) => /^usage: usage event \d+ \(u2\) does not match its hash/.test(p))).toBe(true)
    again.close()
  })
})
