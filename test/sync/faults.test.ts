import { describe, expect, it } from 'vitest'
import { FAULTS, seeded, startFaultProxy } from './fault-proxy'
import { net, newDevice, orderNoOf, providerPays, relayWallet, startWorld, type Device } from './support'

// Many rounds of payments, spending and usage on two devices of one account, every sync
// through a proxy that drops, delays, duplicates, replays stale replies, cuts bodies and
// answers 500, with a relay restart in the middle. Then the faults stop and everything must
// have converged: every outbox record on the relay exactly once, every payment credited
// once, both devices' wallets equal to the relay's.

const ROUNDS = 14

describe('sync through a faulty network', () => {
  it('converges with nothing applied twice or lost', async () => {
    const w = await startWorld()
    const a0 = await newDevice(w, 'a')
    const b0 = await newDevice(w, 'b', a0.accountId)
    const proxy = await startFaultProxy(w.t.url, 20250115, 0.45)
    const over = { relayUrl: proxy.url, requestTimeoutMs: 5_000 }
    const devices: Device[] = [a0.reopen(over), b0.reopen(over)]
    const [a, b] = devices as [Device, Device]
    a.billing.wallet.useFirstFree({ key: 'first-free-setup', price: 1, feature: 'x', reason: 'x' })
    proxy.faultRate = 0
    for (const d of [a, b]) await d.sync.syncNow()
    expect(b.sync.firstFreeAvailable()).toBe(false)
    proxy.faultRate = 0.45
    const random = seeded(7)
    let paidIn = 0
    let spent = 0
    let usage = 0
    let restarts = 0

    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        const d = devices[round % 4 === 0 ? 0 : 1]!
        const amount = 1000 + 100 * round
        const provider = (['alipay', 'wechat', 'stripe', 'paypal'] as const)[(round / 2) % 4]!
        let orderId: string | null = null
        for (let attempt = 0; attempt < 30 && orderId === null; attempt++) {
          try {
            orderId = (await d.sync.createCheckout({ idempotencyKey: `faulty-${round}`, method: provider, purpose: { kind: 'recharge', amount: { amount, currency: 'CNY' } } })).orderId
          } catch (err) {
            expect((err as { code?: string }).code).toBe('UNAVAILABLE')
          }
        }
        expect(orderId).not.toBeNull()
        await providerPays(w, provider, orderNoOf(d, orderId!), amount)
        paidIn += amount
      }
      for (const [i, d] of devices.entries()) {
        for (let k = 0; k < 3; k++) {
          const price = 20 + Math.floor(random() * 200)
          const r = d.billing.wallet.chargeOrFree({ key: `spend-${round}-${i}-${k}`, price, feature: 'ai_request', reason: 'faulty' })
          if (r.outcome === 'paid') spent += price
          expect(r.outcome).not.toBe('first_free')
        }
        d.billing.quotas.consume('ai_request', 1, `use-${round}-${i}`)
        usage++
        await d.sync.syncNow()
      }
      if (round === Math.floor(ROUNDS / 2)) {
        // Restart the relay on the same file and key; the proxy points at the new one.
        await w.restartRelay(`restart${++restarts}`)
        proxy.target = w.t.url
      }
    }

    proxy.faultRate = 0
    for (let i = 0; i < 3; i++) for (const d of devices) await d.sync.syncNow()
    for (const d of devices) expect(d.sync.state()).toMatchObject({ lastError: null, pendingCount: 0, warnings: [] })

    const relay = w.t.relay.db.sqlite
    const count = (sql: string, ...args: unknown[]) => (relay.prepare(sql).get(...args) as { n: number }).n
    const local = (d: Device, sql: string) => (d.billing.db.sqlite.prepare(sql).get() as { n: number }).n
    const localOutbox = local(a, 'SELECT count(*) AS n FROM sync_outbox') + local(b, 'SELECT count(*) AS n FROM sync_outbox')
    expect(count('SELECT count(*) AS n FROM outbox_records WHERE account_id = ?', a.accountId)).toBe(localOutbox)
    expect(count("SELECT count(*) AS n FROM outbox_records WHERE account_id = ? AND kind = 'usage'", a.accountId)).toBe(usage)
    expect(count("SELECT count(*) AS n FROM feed WHERE account_id = ? AND type = 'wallet_debit'", a.accountId)).toBe(
      local(a, "SELECT count(*) AS n FROM sync_outbox WHERE kind <> 'usage'") + local(b, "SELECT count(*) AS n FROM sync_outbox WHERE kind <> 'usage'") - 1
    )
    const relayBalance = relayWallet(w, a.accountId).balance
    expect(relayBalance).toBe(paidIn - spent)
    for (const d of devices) {
      expect(net(d)).toBe(relayBalance)
      // The relay's balance as this device derives it from the feed: every record counted once.
      expect(d.sync.allowance()).toBe(relayBalance)
      expect(d.sync.checkIntegrity().problems).toEqual([])
      expect(local(d, 'SELECT count(*) AS n FROM wallet_payments')).toBe(ROUNDS / 2)
      expect(local(d, 'SELECT count(*) AS n FROM sync_inbox')).toBe(
        count('SELECT count(*) AS n FROM feed WHERE account_id = ?', a.accountId)
      )
    }
    // The run really exercised every fault.
    for (const f of FAULTS) expect(proxy.counts[f], f).toBeGreaterThan(0)
    await proxy.close()
  })
})
