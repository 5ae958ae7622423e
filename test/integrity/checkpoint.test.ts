import { describe, expect, it } from 'vitest'
import type { Timers } from '../../src/main/sync'
import { newDevice, startWorld, topUp, type Device } from '../sync/support'

// Start-up walks only the rows written after the last whole full check (the checkpoint); the
// full check on the worker walks from genesis. Both are tamper evidence.

const checkpoints = (d: Device) =>
  d.billing.db.sqlite.prepare('SELECT ledger, seq, hash, count, sums FROM integrity_checkpoints ORDER BY ledger').all() as {
    ledger: string
    seq: number
    hash: string
    count: number
    sums: string
  }[]

async function checkedDevice() {
  const w = await startWorld()
  const a = await newDevice(w, 'a')
  await topUp(w, a, 5000)
  a.billing.wallet.consume({ key: 'spend-1', amount: 700, feature: 'ai_request', reason: 'x' })
  a.billing.quotas.consume('ai_request', 2, 'use-1')
  expect(await a.sync.fullCheck()).toEqual({ ok: true, problems: [] })
  return { w, a }
}

const spend = (d: Device, key: string, amount: number) => d.billing.wallet.consume({ key, amount, feature: 'ai_request', reason: 'x' })

describe('the verified checkpoint', () => {
  it('a whole full check records where each chain stood, with its count and running sums', async () => {
    const { a } = await checkedDevice()
    const rows = checkpoints(a)
    expect(rows.map((r) => r.ledger)).toEqual(['subscriptions', 'usage', 'wallet'])
    const wallet = rows.find((r) => r.ledger === 'wallet')!
    const head = a.billing.db.sqlite.prepare('SELECT seq, hash FROM wallet_entries ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string }
    expect(wallet).toMatchObject({ seq: head.seq, hash: head.hash, count: head.seq })
    expect(JSON.parse(wallet.sums)['wallet:CNY:local']).toBe(5000 - 700)
    expect(Object.values(JSON.parse(rows.find((r) => r.ledger === 'usage')!.sums) as object)).toEqual([2])
  })

  it('an edit before the checkpoint passes start-up and is found by the full check on the worker', async () => {
    let { a } = await checkedDevice()
    spend(a, 'spend-2', 100)
    a = a.reopen()
    a.billing.db.sqlite.prepare("UPDATE wallet_entries SET reason = 'edited' WHERE op_key = 'spend-1'").run()
    a = a.reopen()
    a.sync.start()
    // Start-up walked the rows after the checkpoint only: the edited row is before it.
    expect(a.sync.state().warnings).toEqual([])
    const report = await a.sync.fullCheck()
    expect(report.ok).toBe(false)
    expect(report.problems.join('\n')).toMatch(/wallet: entry \d+ does not match its hash/)
    expect(a.sync.state().warnings).toContain('ledger_tampered')
  })

  it('an edit after the checkpoint is found at start-up, on the main thread, at once', async () => {
    for (const edit of [
      "UPDATE wallet_entries SET amount = 99 WHERE op_key = 'spend-2'",
      "UPDATE usage_events SET qty = 9 WHERE key = 'use-2'",
      "DELETE FROM sync_outbox WHERE kind = 'usage' AND body LIKE '%\"quantity\":3%'"
    ]) {
      let { a } = await checkedDevice()
      spend(a, 'spend-2', 100)
      a.billing.quotas.consume('ai_request', 3, 'use-2')
      a = a.reopen()
      a.billing.db.sqlite.prepare(edit).run()
      a = a.reopen()
      a.sync.start()
      expect(a.sync.state().warnings, edit).toContain('ledger_tampered')
    }
  })

  it('a checkpoint edited by hand is found: against itself, against the chain, against the balances', async () => {
    const edits = [
      // its sums raised (the mark no longer matches)
      (a: Device) => a.billing.db.sqlite.prepare("UPDATE integrity_checkpoints SET sums = replace(sums, '4300', '9300') WHERE ledger = 'wallet'").run(),
      // moved back to an earlier row, with that row's hash but not its mark
      (a: Device) =>
        a.billing.db.sqlite
          .prepare("UPDATE integrity_checkpoints SET seq = 1, hash = (SELECT hash FROM wallet_entries WHERE seq = 1) WHERE ledger = 'wallet'")
          .run(),
      // deleted
      (a: Device) => a.billing.db.sqlite.prepare("DELETE FROM integrity_checkpoints WHERE ledger = 'usage'").run()
    ]
    for (const edit of edits) {
      let { a } = await checkedDevice()
      a = a.reopen()
      edit(a)
      a = a.reopen()
      a.sync.start()
      expect(a.sync.state().warnings).toContain('ledger_tampered')
      expect((await a.sync.fullCheck()).problems.join('\n')).toMatch(/integrity checkpoint of (wallet|usage)/)
    }
  })

  it("a checkpoint whose sums were edited with its mark recomputed no longer leads to the file's balances", async () => {
    const { chainHash } = await import('../../src/node/hashchain')
    let { a } = await checkedDevice()
    a = a.reopen()
    const sqlite = a.billing.db.sqlite
    const r = sqlite.prepare("SELECT * FROM integrity_checkpoints WHERE ledger = 'wallet'").get() as Record<string, string | number>
    const sums = String(r['sums']).replace('4300', '9300')
    const mark = chainHash(String(r['hash']), ['wallet', r['seq']!, r['count']!, sums, r['checked_at']!])
    sqlite.prepare("UPDATE integrity_checkpoints SET sums = ?, mark = ? WHERE ledger = 'wallet'").run(sums, mark)
    a = a.reopen()
    a.sync.start()
    expect(a.sync.state().warnings).toContain('ledger_tampered')
    expect(a.billing.verify(undefined).ok).toBe(true) // the ledger itself is whole
  })

  it('with more rows since the checkpoint than start-up may walk, start-up leaves them to the full check, run at once', async () => {
    const { w, a: first } = await checkedDevice()
    spend(first, 'spend-2', 100)
    spend(first, 'spend-3', 100)
    first.sync.close()
    const scheduled: number[] = []
    const timers: Timers = { setTimeout: (fn, ms) => (scheduled.push(ms), fn), clearTimeout: () => {} }
    let a = first.reopen({ fullCheck: { startWalkLimit: 1 }, timers })
    a.billing.db.sqlite.prepare("UPDATE wallet_entries SET amount = 99 WHERE op_key = 'spend-3'").run()
    a = a.reopen({ fullCheck: { startWalkLimit: 1 }, timers })
    scheduled.length = 0
    a.sync.start()
    expect(a.sync.state().warnings).toEqual([])
    expect(scheduled).toContain(0)
    expect((await a.sync.fullCheck()).ok).toBe(false)
    expect(a.sync.state().warnings).toContain('ledger_tampered')
    void w
  })
})
