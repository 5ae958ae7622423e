import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createBilling } from '../../src/main/billing'
import { IntegrityCheckFailed, runFullCheck } from '../../src/main/integrity/full-check'
import { ManualClock } from '../../src/node/clock'
import { randomIds } from '../../src/node/ids'
import { tempDir } from '../support/db'

const T0 = Date.UTC(2026, 0, 15, 4, 0, 0)

function busyFile() {
  const dbPath = join(tempDir(), 'billing.sqlite')
  const clock = new ManualClock(T0)
  const billing = createBilling({ dbPath, clock, ids: randomIds(clock), durability: 'normal' })
  billing.wallet.recharge({ key: 'r1', paymentId: 'pay-1', provider: 'alipay', amount: { amount: 10_000, currency: 'CNY' } })
  billing.subscriptions.subscribe({ key: 's1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
  billing.wallet.consume({ key: 'c1', amount: 300, feature: 'ai_request', reason: 'x' })
  billing.quotas.consume('ai_request', 2, 'u1')
  billing.quotas.consume('ai_request', 1, 'u2')
  return { dbPath, billing }
}

describe('the full check on a worker thread', () => {
  it("checks the file over its own read-only connection, beside the app's locked one, and reports where each chain ended", async () => {
    const { dbPath, billing } = busyFile()
    const report = await runFullCheck({ path: dbPath, outbox: false })
    expect(report.problems).toEqual([])
    expect(report.ok).toBe(true)
    const last = billing.db.sqlite.prepare('SELECT seq, hash FROM wallet_entries ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string }
    expect(report.tails.wallet).toMatchObject({ seq: last.seq, hash: last.hash, count: last.seq })
    expect(Object.values(report.tails.wallet.sums).reduce((a, b) => a + b, 0)).toBe(0)
    expect(report.tails.subscriptions.count).toBeGreaterThan(0)
    expect(Object.values(report.tails.usage.sums)).toEqual([3])
    // The app keeps writing while the worker's connection is open and after.
    billing.wallet.consume({ key: 'c2', amount: 100, feature: 'ai_request', reason: 'x' })
    expect(billing.wallet.balance().amount).toBe(10_000 - 2_900 - 300 - 100)
    billing.close()
  })

  it('finds an edited row as billing.verify() does (the same problems)', async () => {
    const { dbPath, billing } = busyFile()
    billing.db.sqlite.prepare("UPDATE wallet_entries SET amount = amount + 1 WHERE type = 'consume'").run()
    billing.db.sqlite.prepare('UPDATE usage_events SET qty = 5 WHERE key = ?').run('u1')
    const report = await runFullCheck({ path: dbPath, outbox: false })
    expect(report.ok).toBe(false)
    expect(report.problems.join('\n')).toMatch(/wallet: entry \d+ does not match its hash/)
    expect(report.problems.join('\n')).toMatch(/usage: usage event \d+ \(u1\) does not match its hash/)
    // Memory still holds the unedited figures, so verify() adds its cache findings; the file's own are the same.
    const inProcess = billing.verify().problems
    for (const p of report.problems) expect(inProcess).toContain(p)
    billing.close()
  })

  it('reports a worker that cannot do its work, never silently', async () => {
    const missing = join(tempDir(), 'none.sqlite')
    await expect(runFullCheck({ path: missing, outbox: false })).rejects.toBeInstanceOf(IntegrityCheckFailed)
    await expect(runFullCheck({ path: missing, outbox: false })).rejects.toThrow(/the full integrity check did not finish: .*(unable to open|directory does not exist|no such file)/i)
    const { dbPath, billing } = busyFile()
    const nowhere = new URL('file:///nonexistent/integrity-worker.js')
    await expect(runFullCheck({ path: dbPath, outbox: false, workerUrl: nowhere })).rejects.toBeInstanceOf(IntegrityCheckFailed)
    billing.close()
  })
})
