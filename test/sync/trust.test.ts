import { describe, expect, it } from 'vitest'
import { signRecord } from '../../src/relay/feed/envelope'
import { generateSigningKey } from '../../src/relay/feed/keys'
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
    const a = await newDevice(w, 'a')
    await topUp(w, a, 1000)
    const relay = w.t.relay.core.db.sqlite
    const insert = relay.prepare('INSERT INTO feed (seq, id, account_id, type, timestamp, payload, signature, key_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    // The next feed sequence: signed inside the payload, as the relay does.
    const nextSeq = () => (relay.prepare("SELECT seq + 1 AS n FROM sqlite_sequence WHERE name = 'feed'").get() as { n: number }).n
    const payload = (orderNo: string, amount: number, seq: number) =>
      JSON.stringify({
        v: 1,
        seq,
        type: 'payment_confirmed',
        accountId: a.accountId,
        data: { orderNo, provider: 'alipay', providerPaymentId: `p-${orderNo}`, item: { kind: 'recharge', amount: { amount, currency: 'CNY' } }, amount: { amount, currency: 'CNY' }, paidAt: 1 }
      })
    // Forged: signed with another key.
    const forger = generateSigningKey()
    const s1 = nextSeq()
    const p1 = payload('FORGED-1', 99_000, s1)
    insert.run(s1, 'rec_forged_1', a.accountId, 'payment_confirmed', 1, p1, signRecord(forger, 'rec_forged_1', 1, p1), w.t.relay.key.keyId)
    let s = await a.sync.syncNow()
    expect(s.lastError).toMatch(/rec_forged_1 rejected: bad signature/)
    expect(a.billing.wallet.balance().amount).toBe(1000)
    relay.prepare("DELETE FROM feed WHERE id = 'rec_forged_1'").run()
    // Edited: a genuine record whose payload is changed after signing.
    const s2 = nextSeq()
    const p2 = payload('REAL-2', 500, s2)
    insert.run(s2, 'rec_real_2', a.accountId, 'payment_confirmed', 2, p2.replace('500', '50000'), signRecord(w.t.relay.key, 'rec_real_2', 2, p2), w.t.relay.key.keyId)
    s = await a.sync.syncNow()
    expect(s.lastError).toMatch(/rec_real_2 rejected/)
    expect(a.billing.wallet.balance().amount).toBe(1000)
    relay.prepare("UPDATE feed SET payload = ? WHERE id = 'rec_real_2'").run(p2)
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
    expect(a.sync.state().warnings).toEqual([])
    // Trusted again, but spending is still bounded by what the relay said (1000), not the edited 10000.
    expect(a.sync.allowance()).toBe(1000)
    expect(() => a.billing.wallet.consume({ key: 'edit-2', amount: 5000, feature: 'x', reason: 'x' })).toThrow(
      expect.objectContaining({ code: 'INSUFFICIENT_FUNDS' })
    )
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
})
