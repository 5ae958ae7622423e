import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { chainHash, GENESIS_HASH } from '../../src/node/hashchain'
import { usageHash } from '../../src/main/quotas/chain'
import { fixture } from './support'

// The usage ledger's hash chain: an edited or deleted usage event, or a counter that disagrees
// with its events, is found by verify(), after a reopen too.

function used(n: number) {
  const f = fixture({ max_ai_requests: null, max_export_count: null })
  for (let i = 0; i < n; i++) f.q.consume('ai_request', 1 + (i % 2), `u${i}`)
  return f
}

const exec = (f: ReturnType<typeof fixture>, sql: string) => void f.db.sqlite.prepare(sql).run()

describe('usage hash chain', () => {
  it('usageHash is the kernel chainHash over the event columns in stored order', () => {
    const event = {
      seq: 7, id: 'id', key: 'key', fingerprint: 'fp', feature: 'ai_request', qty: 2, period_start: 100,
      period_end: null, used_after: 5, quota_limit: null, plan_code: 'BASIC', created_at: 123
    }
    expect(usageHash(GENESIS_HASH, event)).toBe(chainHash(GENESIS_HASH, [7, 'id', 'key', 'fp', 'ai_request', 2, 100, null, 5, null, 'BASIC', 123]))
    // The stored format: separators and NUL for null, as every file written so far.
    expect(chainHash('p', [1, null, 'x'])).toBe(createHash('sha256').update('p\u001f1\u001f\u0000\u001fx').digest('hex'))
  })

  it('consume keeps a chain that verifies, across reopens and a new period', () => {
    const f = used(5)
    f.reopen()
    f.clock.advance(31 * 24 * 3600 * 1000)
    f.q.consume('ai_request', 1, 'next-period')
    f.q.consume('export', 1, 'e1')
    expect(f.q.verify()).toMatchObject({ ok: true, problems: [] })
    expect(f.reopen().verify()).toMatchObject({ ok: true, problems: [] })
  })

  it('an edited event is found after reopen, even with its counter edited to match', () => {
    const f = used(5)
    exec(f, "UPDATE usage_events SET qty = qty - 1, used_after = used_after - 1 WHERE key = 'u3'")
    exec(f, "UPDATE usage_counters SET used = used - 1 WHERE feature = 'ai_request'")
    const problems = f.reopen().verify().problems
    expect(problems.some((p) => /usage event \d+ \(u3\) does not match its hash/.test(p))).toBe(true)
    // u4's used_after no longer is the running sum of the period's events
    expect(problems.some((p) => /usage event \d+ \(u4\) says 7 used, its period's events sum to 6/.test(p))).toBe(true)
  })

  it('a deleted event is found after reopen, even with its counter edited to match', () => {
    const f = used(5)
    exec(f, "DELETE FROM usage_events WHERE key = 'u1'")
    exec(f, "UPDATE usage_counters SET used = used - 2 WHERE feature = 'ai_request'")
    const problems = f.reopen().verify().problems
    expect(problems.some((p) => /usage event \d+ \(u2\) does not match its hash/.test(p))).toBe(true)
  })

  it('a cut-off tail is found while the process runs', () => {
    const f = used(5)
    exec(f, "DELETE FROM usage_events WHERE key = 'u4'")
    exec(f, "UPDATE usage_counters SET used = used - 1 WHERE feature = 'ai_request'")
    const problems = f.q.verify().problems
    expect(problems.some((p) => /^the usage history ends at event \d+ but this process last wrote \d+$/.test(p))).toBe(true)
  })

  it('a counter that disagrees with its events is found', () => {
    const f = used(3)
    exec(f, "UPDATE usage_counters SET used = 0 WHERE feature = 'ai_request'")
    const problems = f.reopen().verify().problems
    expect(problems).toEqual([expect.stringMatching(/^counter ai_request@\d+ is 0 but its events sum to 4$/)])
  })

  it('a consume inside a caller transaction that rolls back leaves a chain that keeps verifying', () => {
    const f = used(2)
    expect(() =>
      f.db.tx(() => {
        f.q.consume('ai_request', 1, 'rolled-back')
        throw new Error('caller rolls back')
      })
    ).toThrow('caller rolls back')
    f.q.consume('ai_request', 1, 'after')
    expect(f.q.verify()).toMatchObject({ ok: true, problems: [] })
    expect(f.reopen().verify()).toMatchObject({ ok: true, problems: [] })
  })
})
