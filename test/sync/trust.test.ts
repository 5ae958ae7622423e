import { describe, expect, it } from 'vitest'
import { signRecord } from '../../src/relay/feed/envelope'
import { generateSigningKey } from '../../src/relay/feed/keys'
import { signFeedPage } from '../../src/relay/feed/page'
import { feedTamper } from './feed-tamper'
import { newDevice, orderNoOf, providerPays, startWorld, topUp, type Device, type World } from './support'

const DAY = 86_400_000

async function withBasicPlan(w: World, d: Device) {
  const c = await d.sync.createCheckout({ idempotencyKey: `plan-${d.name}-basic`, method: 'alipay', purpose: { kind: 'plan', planId: 'BASIC:monthly' } })
  await providerPays(w, 'alipay', orderNoOf(d, c.orderId), 2900)
  await d.sync.syncNow()
  expect(d.billing.quotas.check('ai_request').limit).toBe(1000)
}

describe('offline gating and trust', () => {
  it('honours the lease offline until valid-until plus grace, then falls back to FREE', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await withBasicPlan(w, a)
    a.signals.setOnline(false)
    a.clock.advance(7 * DAY + 3 * DAY - 60_000) // lease TTL 7 days + 3 days grace, minus a minute
    expect(a.sync.leaseStatus()).toBe('honoured')
    expect(a.billing.quotas.check('ai_request').limit).toBe(1000)
    a.clock.advance(120_000)
    expect(a.sync.leaseStatus()).toBe('expired')
    expect(a.billing.quotas.check('ai_request').limit).toBe(50)
    expect(a.sync.state().warnings).toContain('lease_expired')
    // Back online: a fresh lease restores the plan.
    w.t.clock.set(a.clock.now())
    a.signals.setOnline(true)
    await a.sync.syncNow()
    expect(a.sync.leaseStatus()).toBe('honoured')
    expect(a.billing.quotas.check('ai_request').limit).toBe(1000)
  })

  it('a clock moved back beyond the tolerance is tampering until the next sync, even across a restart', async () => {
    const w = await startWorld()
    let a = await newDevice(w, 'a')
    await withBasicPlan(w, a)
    await topUp(w, a, 1000)
    a.signals.setOnline(false)
    a.clock.advance(2 * DAY)
    expect(a.billing.quotas.check('ai_request').limit).toBe(1000)
    a.clock.advance(-5 * 60_000) // within the 10-minute tolerance: fine
    expect(a.billing.quotas.check('ai_request').limit).toBe(1000)
    expect(a.sync.state().warnings).toEqual([])
    a.clock.advance(-DAY)
    expect(a.billing.quotas.check('ai_request').limit).toBe(50)
    expect(a.sync.state().warnings).toContain('clock_moved_back')
    expect(() => a.billing.wallet.chargeOrFree({ key: 'tamper-1', price: 100, feature: 'ai_request', reason: 'x' })).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' })
    )
    expect(a.billing.wallet.balance().amount).toBe(1000)
    a = a.reopen()
    a.sync.start()
    expect(a.sync.state().warnings).toContain('clock_moved_back')
    expect(a.billing.quotas.check('ai_request').limit).toBe(50)
    a.signals.setOnline(true)
    const s = await a.sync.syncNow()
    expect(s.warnings).toEqual([])
    expect(a.billing.quotas.check('ai_request').limit).toBe(1000)
    expect(a.billing.wallet.chargeOrFree({ key: 'tamper-2', price: 100, feature: 'ai_request', reason: 'x' }).outcome).toBe('paid')
  })

  it('rejects a forged or edited feed record and applies nothing past it', async () => {
    const w = await startWorld()
    const mitm = feedTamper()
    const a = await newDevice(w, 'a', undefined, { fetch: mitm.fetch })
    await topUp(w, a, 1000)
    const cursor = () => (a.billing.db.sqlite.prepare('SELECT cursor FROM sync_state').get() as { cursor: string }).cursor
    const before = cursor()
    const payload = (orderNo: string, amount: number, seq: number) =>
      JSON.stringify({
        v: 1,
        seq,
        type: 'payment_confirmed',
        accountId: a.accountId,
        data: { orderNo, provider: 'alipay', providerPaymentId: `p-${orderNo}`, item: { kind: 'recharge', amount: { amount, currency: 'CNY' } }, amount: { amount, currency: 'CNY' }, paidAt: 1 }
      })
    // Forged: a record added on the way, signed (record and page) with another key.
    const forger = generateSigningKey()
    mitm.set((page, asked, nonce) => {
      const seq = Number(page.nextCursor) + 1
      const p1 = payload('FORGED-1', 99_000, seq)
      const forged = { id: 'rec_forged_1', timestamp: 1, payload: p1, signature: signRecord(forger, 'rec_forged_1', 1, p1), keyId: w.t.relay.key.keyId, cursor: String(seq) }
      const signed = signFeedPage(forger, a.accountId, asked ?? undefined, { ...page, records: [...page.records, forged], nextCursor: String(seq) }, nonce)
      // It names the relay's key (keyId is not signed); a key outside the set is refused before any verify.
      return { ...signed, pageSignature: { ...signed.pageSignature!, keyId: w.t.relay.key.keyId } }
    })
    let s = await a.sync.syncNow()
    expect(s.lastError).toMatch(/rejected: bad page signature/)
    expect(a.billing.wallet.balance().amount).toBe(1000)
    expect(cursor()).toBe(before)
    // Edited: a genuine record whose payload is changed after signing (the page signature left as the relay made it).
    mitm.set((page) => ({ ...page, records: page.records.map((r) => ({ ...r, payload: r.payload.replace('"amount":500', '"amount":50000') })) }))
    await topUp(w, a, 500)
    s = a.sync.state()
    expect(s.lastError).toMatch(/rec_\S+ rejected: not the record the relay signed/)
    expect(a.billing.wallet.balance().amount).toBe(1000)
    expect(cursor()).toBe(before)
    mitm.set(null)
    s = await a.sync.syncNow()
    expect(s.lastError).toBeNull()
    expect(a.billing.wallet.balance().amount).toBe(1500)
  })

  it('detects an edited ledger row or lease: untrusted (paid use stops, FREE) until the next sync', async () => {
    const w = await startWorld()
    let a = await newDevice(w, 'a')
    await withBasicPlan(w, a)
    await topUp(w, a, 1000)
    expect(a.sync.checkIntegrity().ok).toBe(true)
    const file = a.billing.db.sqlite
    file.prepare("UPDATE wallet_entries SET amount = amount * 10 WHERE type = 'recharge'").run()
    file.prepare("UPDATE wallet_accounts SET balance = balance * 10 WHERE kind = 'wallet'").run()
    a = a.reopen()
    a.sync.start() // start-up verifies the ledger
    expect(a.sync.state().warnings).toContain('ledger_tampered')
    expect(a.billing.quotas.check('ai_request').limit).toBe(50)
    expect(() => a.billing.wallet.consume({ key: 'edit-1', amount: 5000, feature: 'x', reason: 'x' })).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' })
    )
    await a.sync.syncNow()
    // The sync clears the sticky warning, and its cross-check with the relay raises it again at
    // once: the wallet says 10000, the relay 1000 (and spending would be bounded by 1000 anyway).
    expect(a.sync.state().warnings).toEqual(['ledger_tampered'])
    expect(a.sync.checkIntegrity().problems.join('\n')).toMatch(/= 10000 differs by 9000 from the relay's balance 1000/)
    expect(a.sync.allowance()).toBe(1000)
    expect(() => a.billing.wallet.consume({ key: 'edit-2', amount: 500, feature: 'x', reason: 'x' })).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' })
    )
    expect(a.billing.quotas.check('ai_request').limit).toBe(50)
    // Put back as it was: the next sync trusts it again.
    a.billing.db.sqlite.prepare("UPDATE wallet_entries SET amount = amount / 10 WHERE type = 'recharge'").run()
    a.billing.db.sqlite.prepare("UPDATE wallet_accounts SET balance = balance / 10 WHERE kind = 'wallet'").run()
    a = a.reopen()
    await a.sync.syncNow()
    expect(a.sync.state().warnings).toEqual([])
    expect(a.billing.quotas.check('ai_request').limit).toBe(1000)

    // An edited lease (plan raised to ENTERPRISE) fails its signature on the next start.
    const row = a.billing.db.sqlite.prepare('SELECT lease FROM sync_state').get() as { lease: string }
    const b = a.reopen()
    b.billing.db.sqlite.prepare('UPDATE sync_state SET lease = ?').run(row.lease.replace('\\"BASIC\\"', '\\"ENTERPRISE\\"'))
    const c = b.reopen()
    c.sync.start()
    expect(c.sync.state().warnings).toContain('ledger_tampered')
    expect(c.sync.leaseStatus()).toBe('none')
    expect(c.billing.quotas.check('ai_request').limit).toBe(50)
  })

  it('detects a spend or use whose outbox record was deleted from the file (the relay would never hear of it)', async () => {
    const w = await startWorld()
    let a = await newDevice(w, 'a')
    const wallet = a.billing.wallet
    // With nothing in the wallet, the first paid use is the free one.
    expect(wallet.chargeOrFree({ key: 'first-use-1', price: 300, feature: 'ai_request', reason: 'x' })).toMatchObject({ outcome: 'first_free' })
    await topUp(w, a, 10_000)
    wallet.consume({ key: 'spend-1', amount: 1000, feature: 'ai_request', reason: 'x' })
    const hold = wallet.hold({ key: 'hold-1', amount: 2000, feature: 'export', reason: 'x', ttlMs: 60_000 })
    wallet.settle({ key: 'settle-1', holdId: hold.holdId, amount: 1500 })
    a.billing.quotas.consume('ai_request', 3, 'use-1')
    await a.sync.syncNow() // some of it acked, all of it kept
    wallet.consume({ key: 'spend-2', amount: 700, feature: 'ai_request', reason: 'x' })
    expect(a.sync.checkIntegrity()).toMatchObject({ ok: true, problems: [] })

    for (const [id, problem] of [
      ["(SELECT id FROM sync_outbox WHERE kind = 'wallet_debit' AND acked_at IS NULL)", /wallet consume entry \S+ has no outbox record/],
      ["(SELECT id FROM sync_outbox WHERE kind = 'wallet_debit' AND body LIKE '%\"export\"%')", /wallet settle entry \S+ has no outbox record/],
      ["(SELECT id FROM sync_outbox WHERE kind = 'first_free_claim')", /wallet first_free entry \S+ has no outbox record/],
      ["(SELECT id FROM sync_outbox WHERE kind = 'usage')", /usage event \S+ has no outbox record/]
    ] as const) {
      const b = a.reopen()
      const saved = b.billing.db.sqlite.prepare(`SELECT * FROM sync_outbox WHERE id = ${id}`).get() as Record<string, unknown>
      b.billing.db.sqlite.prepare(`DELETE FROM sync_outbox WHERE id = ?`).run(saved['id'])
      a = b.reopen()
      a.sync.start()
      const report = a.sync.checkIntegrity()
      expect(report.ok).toBe(false)
      expect(report.problems.join('\n')).toMatch(problem)
      expect(a.sync.state().warnings).toContain('ledger_tampered')
      expect(() => a.billing.wallet.consume({ key: `after-${String(saved['kind'])}`, amount: 1, feature: 'x', reason: 'x' })).toThrow(
        expect.objectContaining({ code: 'FORBIDDEN' })
      )
      // Put back as it was: whole again, and trusted after the next sync.
      const cols = Object.keys(saved)
      a.billing.db.sqlite.prepare(`INSERT INTO sync_outbox (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...cols.map((c) => saved[c]))
      expect(a.sync.checkIntegrity().problems).toEqual([])
      await a.sync.syncNow()
      expect(a.sync.checkIntegrity()).toEqual({ ok: true, problems: [] })
    }
  })

  it('after each sync, cross-checks the wallet with the relay: a deleted final spend, caches and heads fixed by hand, passes verify() but not this', async () => {
    const w = await startWorld()
    let a = await newDevice(w, 'a')
    await topUp(w, a, 10_000)
    a.billing.wallet.consume({ key: 'spend-1', amount: 1000, feature: 'ai_request', reason: 'x' })
    const hold = a.billing.wallet.hold({ key: 'hold-1', amount: 2000, feature: 'export', reason: 'x', ttlMs: 60_000 })
    a.billing.wallet.settle({ key: 'settle-1', holdId: hold.holdId, amount: 1500 })
    a.billing.wallet.consume({ key: 'spend-final', amount: 700, feature: 'ai_request', reason: 'x' })
    await a.sync.syncNow() // pushed, acked and echoed
    // Consistent flows raise nothing: paid, held and settled, spent offline and not yet synced.
    a.billing.wallet.hold({ key: 'hold-2', amount: 300, feature: 'export', reason: 'x', ttlMs: 60_000 })
    a.billing.wallet.consume({ key: 'offline-1', amount: 100, feature: 'ai_request', reason: 'x' })
    expect(a.sync.checkIntegrity()).toEqual({ ok: true, problems: [] })
    await a.sync.syncNow()
    expect(a.sync.state().warnings).toEqual([])
    expect(a.sync.checkIntegrity()).toEqual({ ok: true, problems: [] })
    await a.sync.syncNow()
    expect(a.sync.state().warnings).toEqual([])

    // The edit: the final spend's entry deleted, every account's cached balance and head
    // recomputed from the entries left. Tamper evidence alone cannot see it.
    const b = a.reopen()
    const file = b.billing.db.sqlite
    const last = file.prepare("SELECT seq, amount FROM wallet_entries WHERE type = 'consume' ORDER BY seq DESC LIMIT 1").get() as { seq: number; amount: number }
    expect(last.amount).toBe(100)
    expect((file.prepare('SELECT MAX(seq) AS m FROM wallet_entries').get() as { m: number }).m).toBe(last.seq)
    file.prepare('DELETE FROM wallet_entries WHERE seq = ?').run(last.seq)
    file.prepare(
      `UPDATE wallet_accounts SET
         balance = COALESCE((SELECT SUM(CASE WHEN e.credit_account = wallet_accounts.id THEN e.amount ELSE -e.amount END)
                             FROM wallet_entries e WHERE e.credit_account = wallet_accounts.id OR e.debit_account = wallet_accounts.id), 0),
         last_seq = COALESCE((SELECT MAX(e.seq) FROM wallet_entries e WHERE e.credit_account = wallet_accounts.id OR e.debit_account = wallet_accounts.id), 0),
         last_hash = (SELECT e.hash FROM wallet_entries e WHERE e.credit_account = wallet_accounts.id OR e.debit_account = wallet_accounts.id ORDER BY e.seq DESC LIMIT 1)`
    ).run()
    a = b.reopen()
    expect(a.billing.verify()).toEqual({ ok: true, problems: [] })
    expect(a.billing.wallet.balance().amount).toBe(10_000 - 1000 - 1500 - 700 - 300)

    await a.sync.syncNow()
    expect(a.sync.state().warnings).toContain('ledger_tampered')
    const report = a.sync.checkIntegrity()
    expect(report.ok).toBe(false)
    expect(report.problems.join('\n')).toMatch(/wallet .*6800.* relay.* 6700/)
    expect(() => a.billing.wallet.consume({ key: 'after-edit', amount: 1, feature: 'x', reason: 'x' })).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' })
    )
    // A sync does not clear it while the two still disagree, nor does a restart.
    await a.sync.syncNow()
    expect(a.sync.state().warnings).toContain('ledger_tampered')
    a = a.reopen()
    a.sync.start()
    expect(a.sync.state().warnings).toContain('ledger_tampered')
  })

  it("refuses a renderer's idempotency key in the relay feed's namespace", async () => {
    const { idempotencyKeySchema } = await import('../../src/shared/ipc/schemas/common')
    expect(idempotencyKeySchema.safeParse('feed:rec_0123456789').success).toBe(false)
    expect(idempotencyKeySchema.safeParse('gate-0123456789').success).toBe(true)
  })
})
