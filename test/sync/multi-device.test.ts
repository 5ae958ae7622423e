import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { net, newDevice, relayWallet, startWorld, topUp, type Device } from './support'

async function syncAll(...ds: Device[]) {
  // Two rounds: the second pulls what the others pushed in the first.
  for (let round = 0; round < 2; round++) for (const d of ds) expect((await d.sync.syncNow()).lastError).toBeNull()
}

describe('first-free and multi-device', () => {
  it('first-free raced from two offline devices: one free, one charged (debt), decided by the relay', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const b = await newDevice(w, 'b', a.accountId)
    a.signals.setOnline(false)
    b.signals.setOnline(false)
    const ra = a.billing.wallet.chargeOrFree({ key: 'ff-a-1', price: 500, feature: 'live_room', reason: 'stream' })
    const rb = b.billing.wallet.chargeOrFree({ key: 'ff-b-1', price: 500, feature: 'live_room', reason: 'stream' })
    expect([ra.outcome, rb.outcome]).toEqual(['first_free', 'first_free'])
    a.signals.setOnline(true)
    b.signals.setOnline(true)
    await syncAll(a, b)
    const relay = w.t.relay.db.sqlite
    const outcomes = relay.prepare("SELECT device_id, outcome FROM outbox_records WHERE kind = 'first_free_claim'").all() as { outcome: string }[]
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['lost', 'won'])
    expect(relayWallet(w, a.accountId).balance).toBe(-500)
    for (const d of [a, b]) {
      expect(net(d)).toBe(-500)
      expect(d.billing.wallet.debt().amount).toBe(500)
      expect(d.sync.firstFreeAvailable()).toBe(false)
      expect(d.sync.state().warnings).toContain('debt_outstanding')
      expect(d.billing.wallet.chargeOrFree({ key: `ff-${d.name}-2`, price: 500, feature: 'live_room', reason: 'x' }).outcome).toBe('needs_recharge')
      expect(d.sync.checkIntegrity().problems).toEqual([])
    }
    // A device enrolled later cannot get it again once synced.
    const c = await newDevice(w, 'c', a.accountId)
    expect(c.sync.firstFreeAvailable()).toBe(false)
    await topUp(w, c, 1000)
    expect(c.billing.wallet.balance().amount).toBe(500)
    expect(c.billing.wallet.chargeOrFree({ key: 'ff-c-1', price: 800, feature: 'live_room', reason: 'x' }).outcome).toBe('needs_recharge')
    expect(() => c.billing.wallet.useFirstFree({ key: 'ff-c-2', price: 800, feature: 'live_room', reason: 'x' })).toThrow(
      expect.objectContaining({ code: 'ALREADY_CLAIMED' })
    )
  })

  it('two devices spending offline stay within the stated bound; the overdraft is debt and paid use stops on both', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const b = await newDevice(w, 'b', a.accountId)
    await topUp(w, a, 1000)
    await syncAll(a, b)
    expect(a.sync.allowance()).toBe(1000)
    expect(b.sync.allowance()).toBe(1000)
    a.signals.setOnline(false)
    b.signals.setOnline(false)
    const spent = { a: 0, b: 0 }
    for (const d of [a, b]) {
      for (let i = 0; i < 4; i++) {
        const r = d.billing.wallet.chargeOrFree({ key: `spend-${d.name}-${i}`, price: 300, feature: 'ai_request', reason: 'x' })
        if (r.outcome === 'paid') spent[d.name as 'a' | 'b'] += 300
      }
      // The fourth is beyond what this device saw minus its own unsynced spending.
      expect(d.sync.allowance()).toBe(100)
    }
    // The first-free use (the 4th call) is not spending: 900 each.
    expect(spent).toEqual({ a: 900, b: 900 })
    a.signals.setOnline(true)
    b.signals.setOnline(true)
    await syncAll(a, b)
    // Bound: each device ≤ what it last saw (1000); overdraft ≤ (devices − 1) × 1000 + one first-free price per device.
    const relayBalance = relayWallet(w, a.accountId).balance
    expect(relayBalance).toBe(1000 - 1800 - 300)
    expect(-relayBalance).toBeLessThanOrEqual(1000 + 300)
    for (const d of [a, b]) {
      expect(net(d)).toBe(relayBalance)
      expect(d.sync.state().warnings).toContain('debt_outstanding')
      expect(d.billing.wallet.chargeOrFree({ key: `after-${d.name}`, price: 1, feature: 'ai_request', reason: 'x' }).outcome).toBe('needs_recharge')
    }
    await topUp(w, a, 2000)
    await syncAll(a, b)
    for (const d of [a, b]) {
      expect(d.billing.wallet.debt().amount).toBe(0)
      expect(net(d)).toBe(relayBalance + 2000)
      expect(d.sync.checkIntegrity().problems).toEqual([])
    }
  })

  it('property: any offline spending by two devices converges and respects the bound', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const b = await newDevice(w, 'b', a.accountId)
    // Use the first-free up front so every later use is paid or refused.
    a.billing.wallet.useFirstFree({ key: 'ff-setup', price: 1, feature: 'x', reason: 'x' })
    await syncAll(a, b)
    let round = 0
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3000 }),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 900 })), { maxLength: 12 }),
        async (topup, spends) => {
          round++
          if (topup >= 100) await topUp(w, a, topup)
          await syncAll(a, b)
          const seen = relayWallet(w, a.accountId).balance
          a.signals.setOnline(false)
          b.signals.setOnline(false)
          const spent = { a: 0, b: 0 }
          spends.forEach(([onA, price], i) => {
            const d = onA ? a : b
            const r = d.billing.wallet.chargeOrFree({ key: `p-${round}-${i}`, price, feature: 'ai_request', reason: 'x' })
            if (r.outcome === 'paid') spent[onA ? 'a' : 'b'] += price
          })
          expect(spent.a).toBeLessThanOrEqual(Math.max(0, seen))
          expect(spent.b).toBeLessThanOrEqual(Math.max(0, seen))
          a.signals.setOnline(true)
          b.signals.setOnline(true)
          await syncAll(a, b)
          const after = relayWallet(w, a.accountId).balance
          expect(after).toBe(seen - spent.a - spent.b)
          expect(net(a)).toBe(after)
          expect(net(b)).toBe(after)
          // Repay any debt so the next run starts clean.
          if (after < 0) {
            await topUp(w, a, Math.max(100, -after))
            await syncAll(a, b)
          }
        }
      ),
      { numRuns: 8 }
    )
    expect([...a.sync.checkIntegrity().problems, ...b.sync.checkIntegrity().problems]).toEqual([])
  })
})

describe('outbox records the relay refuses', () => {
  it('are kept, never retried, and shown in the sync state with the last reason', async () => {
    const w = await startWorld()
    const posts: string[] = []
    const counting: typeof fetch = (input, init) => {
      if (init?.method === 'POST' && String(input).endsWith('/v1/outbox')) posts.push(String(init.body))
      return fetch(input, init)
    }
    const a = await newDevice(w, 'a', undefined, { fetch: counting })
    const b = await newDevice(w, 'b', a.accountId)
    await topUp(w, a, 1000)
    const states: { rejectedCount: number }[] = []
    a.sync.on('sync.state', (s) => states.push(s))
    expect(a.sync.state()).toMatchObject({ rejectedCount: 0, lastRejection: null })

    // Another device of the account already used the id this debit will be sent under (two
    // installs with colliding ids): the relay refuses it as IDEMPOTENCY_CONFLICT.
    a.signals.setOnline(false)
    const spent = a.billing.wallet.consume({ key: 'spend-1', amount: 300, feature: 'ai_request', reason: 'x' })
    const recordId = `dbt-${spent.entryId}`
    const taken = await w.t.relay.core.outbox.accept({ accountId: a.accountId, deviceId: b.deviceId } as never, [
      { id: recordId, kind: 'usage', feature: 'export', quantity: 1, occurredAt: 1 }
    ])
    expect(taken.accepted).toEqual([recordId])
    a.billing.quotas.consume('ai_request', 1, 'usage-after')
    a.signals.setOnline(true)
    const s = await a.sync.syncNow()
    expect(s).toMatchObject({
      lastError: null,
      pendingCount: 0,
      rejectedCount: 1,
      lastRejection: { recordId, kind: 'wallet_debit', code: 'IDEMPOTENCY_CONFLICT', reason: expect.stringMatching(/^IDEMPOTENCY_CONFLICT: /) }
    })
    expect(states.some((x) => x.rejectedCount === 1)).toBe(true)
    // The usage record in the same batch went through; the refused one is not sent again.
    const sentBefore = posts.length
    expect(posts.at(-1)).toContain(recordId)
    await a.sync.syncNow()
    a.billing.quotas.consume('ai_request', 1, 'usage-later')
    await a.sync.syncNow()
    expect(posts.slice(sentBefore).join()).not.toContain(recordId)
    expect(posts.length).toBe(sentBefore + 1)
    // The refused debit does not count against the offline allowance (the relay never took it).
    expect(a.sync.allowance()).toBe(1000)
    // It survives a restart.
    const a2 = a.reopen()
    expect(a2.sync.state()).toMatchObject({ rejectedCount: 1, lastRejection: { recordId } })
  })
})
