import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createBilling, type BillingRecord } from '../src/main/billing'
import { ManualClock } from '../src/main/core/clock'
import { randomIds } from '../src/main/core/ids'
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
