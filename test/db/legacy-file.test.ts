import { copyFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { createBilling, type Billing } from '../../src/main/billing'
import { ManualClock } from '../../src/node/clock'
import { sequentialIds } from '../../src/node/ids'
import { money } from '../../src/shared/money'
import { tempDir } from '../support/db'

// A ledger written by the code before the structure change (scripts/legacy-fixture.ts, run at
// the commit named in the expected file). Today's code must open it, migrate it and find every
// hash chain, fingerprint and cached balance as it was stored.

const fixture = new URL('../fixtures/legacy-0.1.0.billing', import.meta.url)
const expected = JSON.parse(readFileSync(new URL('../fixtures/legacy-0.1.0.expected.json', import.meta.url), 'utf8'))
const DAY = 86_400_000
const opened: Billing[] = []
afterEach(() => {
  for (const b of opened.splice(0)) b.close()
})

function copy(): string {
  const path = join(tempDir(), 'legacy.sqlite')
  copyFileSync(fixture, path)
  return path
}

function open(path: string, clock = new ManualClock(expected.at)): Billing {
  const billing = createBilling({ dbPath: path, clock, ids: sequentialIds('now'), durability: 'normal' })
  opened.push(billing)
  return billing
}

describe('a ledger file written before the structure change', () => {
  it('opens, migrates and passes verify() with its balances and subscription as stored', () => {
    const billing = open(copy())
    expect(billing.verify()).toEqual({ ok: true, problems: [] })
    expect(billing.wallet.balance()).toEqual(expected.balance)
    expect(billing.wallet.debt()).toEqual(expected.debt)
    expect(billing.wallet.held()).toEqual(expected.held)
    expect(billing.wallet.firstFreeUsed()).toBe(expected.firstFreeUsed)
    const s = billing.subscriptions.current()
    expect(s && { planCode: s.planCode, status: s.status, currentPeriodEnd: s.currentPeriodEnd }).toEqual(expected.subscription)
  })

  it('replays a request stored then by its key and refuses another request under it', () => {
    const billing = open(copy())
    const cny = (amount: number) => money(amount, 'CNY')
    // Same request as the fixture's r2: the first result stands, nothing is written.
    const before = billing.wallet.history({ limit: 100 }).items.length
    billing.wallet.recharge({ key: 'r2', paymentId: 'pay-2', provider: 'wechat', amount: cny(5000) })
    expect(billing.wallet.history({ limit: 100 }).items.length).toBe(before)
    expect(() => billing.wallet.recharge({ key: 'r2', paymentId: 'pay-2', provider: 'wechat', amount: cny(5001) })).toThrow(
      expect.objectContaining({ code: 'IDEMPOTENCY_CONFLICT' })
    )
    expect(() => billing.quotas.consume('ai_request', 9, 'ai-0')).toThrow(expect.objectContaining({ code: 'IDEMPOTENCY_CONFLICT' }))
  })

  it('extends every chain with today\'s code and still verifies after a reopen', () => {
    const path = copy()
    const clock = new ManualClock(expected.at)
    const billing = open(path, clock)
    const cny = (amount: number) => money(amount, 'CNY')
    billing.wallet.recharge({ key: 'new-r', paymentId: 'pay-new', provider: 'stripe', amount: cny(50000) })
    billing.wallet.consume({ key: 'new-c', amount: cny(100), feature: 'ai_reply', reason: 'AI 回复' })
    billing.quotas.consume('ai_request', 1, 'new-ai')
    clock.advance(40 * DAY)
    billing.sweep()
    expect(billing.verify()).toEqual({ ok: true, problems: [] })
    billing.close()
    opened.pop()
    expect(open(path, clock).verify()).toEqual({ ok: true, problems: [] })
  })

  it('is tamper evidence: an amount edited in the copy is found', () => {
    const path = copy()
    const raw = new Database(path)
    raw.prepare('UPDATE wallet_entries SET amount = amount + 1 WHERE seq = 3').run()
    raw.close()
    const report = open(path).verify()
    expect(report.ok).toBe(false)
    expect(report.problems.join('\n')).toMatch(/wallet/)
  })
})
