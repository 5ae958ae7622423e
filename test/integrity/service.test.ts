import { describe, expect, it } from 'vitest'
import { IntegrityCheckFailed } from '../../src/main/integrity/full-check'
import { newDevice, startWorld, topUp } from '../sync/support'

describe("the sync service's full check and watchdog", () => {
  it('runs the full check on a worker thread on demand: whole, then an edited row flags ledger_tampered', async () => {
    const w = await startWorld()
    let a = await newDevice(w, 'a')
    await topUp(w, a, 5000)
    a.billing.wallet.consume({ key: 'spend-1', amount: 700, feature: 'ai_request', reason: 'x' })
    a.billing.quotas.consume('ai_request', 2, 'use-1')
    expect(a.sync.state().health).toMatchObject({ fullCheckAt: null, fullCheckError: null })
    const seen: unknown[] = []
    a.sync.on('sync.state', (s) => seen.push(s.health))
    // Two calls while one runs share it.
    const [first, second] = await Promise.all([a.sync.fullCheck(), a.sync.fullCheck()])
    expect(first).toEqual({ ok: true, problems: [] })
    expect(second).toBe(first)
    expect(a.sync.state().health).toMatchObject({ fullCheckAt: a.clock.now(), fullCheckError: null })
    expect(seen).toContainEqual(expect.objectContaining({ fullCheckAt: a.clock.now() }))
    expect(a.sync.state().warnings).toEqual([])

    a = a.reopen()
    a.billing.db.sqlite.prepare("UPDATE wallet_entries SET amount = 699 WHERE type = 'consume' AND amount = 700").run()
    const report = await a.sync.fullCheck()
    expect(report.ok).toBe(false)
    expect(report.problems.join('\n')).toMatch(/wallet: entry \d+ does not match its hash/)
    expect(a.sync.state().warnings).toContain('ledger_tampered')
    expect(() => a.billing.wallet.consume({ key: 'after', amount: 1, feature: 'x', reason: 'x' })).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }))
  })

  it("reports a full check that could not finish in the state, without calling the ledger tampered", async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a', undefined, { fullCheck: { workerUrl: new URL('file:///nonexistent/integrity-worker.js') } })
    await expect(a.sync.fullCheck()).rejects.toBeInstanceOf(IntegrityCheckFailed)
    expect(a.sync.state().health.fullCheckError).toMatch(/the full integrity check did not finish/)
    expect(a.sync.state().health.fullCheckAt).toBeNull()
    expect(a.sync.state().warnings).toEqual([])
  })

  it('shows the longest main-thread block it measured', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const t = performance.now()
    while (performance.now() - t < 150) {
      // a block of the main thread the test makes on purpose
    }
    await new Promise((r) => setTimeout(r, 30))
    expect(a.sync.state().health.longestBlockMs).toBeGreaterThanOrEqual(140)
  })
})
