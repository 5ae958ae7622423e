import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/node/clock'
import { FileSecretStore, FileSettingsStore } from '../../src/main/settings'
import { assertRelayUrl, createSyncedBilling, RelayUrlInsecure } from '../../src/main/sync'
import type { FeedData, FeedPage, FeedRecordType } from '../../src/shared/relay-contract'
import { tempDir } from '../support/db'
import { feedTamper } from './feed-tamper'
import { net, newDevice, orderNoOf, startWorld, T0, topUp, type Device, type World } from './support'

// Review fixes of the feed: an authentic record that cannot be applied is skipped (not a stall),
// the cursor is the signed sequence, insecure relay URLs are refused, order_closed closes checkouts.

const cny = (amount: number) => ({ amount, currency: 'CNY' as const })

/** Appends a record to the relay's feed exactly as the relay signs one. */
async function relayAppends<T extends FeedRecordType>(w: World, accountId: string, type: T, data: FeedData<T>): Promise<void> {
  const { core, db } = w.t.relay
  await db.unit((tx) => core.feed.append(tx, accountId, type, data))
}

/** A world and a device whose feed pages pass through a man in the middle. */
async function tamperedDevice(): Promise<{ w: World; mitm: ReturnType<typeof feedTamper>; a: Device }> {
  const w = await startWorld()
  const mitm = feedTamper()
  const a = await newDevice(w, 'a', undefined, { fetch: mitm.fetch })
  return { w, mitm, a }
}

const cursorOf = (d: { billing: { db: { sqlite: { prepare(sql: string): { get(): unknown } } } } }) =>
  (d.billing.db.sqlite.prepare('SELECT cursor FROM sync_state').get() as { cursor: string | null }).cursor

describe('feed records that cannot be applied', () => {
  it('a signed zero-amount debit from another device is skipped with its reason; later payments are still credited', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await topUp(w, a, 1000)
    // What an old relay wrote: a 0-amount debit (the wallet refuses it with INVALID_AMOUNT).
    await relayAppends(w, a.accountId, 'wallet_debit', {
      sourceId: 'dbt-other-0001',
      deviceId: 'dev_other',
      amount: cny(0),
      feature: 'ai_request',
      reason: 'debit',
      occurredAt: 1
    })
    await topUp(w, a, 500)
    const s = a.sync.state()
    expect(s.lastError).toBeNull()
    expect(a.billing.wallet.balance().amount).toBe(1500)
    expect(s.skippedCount).toBe(1)
    expect(s.lastSkipped).toMatchObject({ type: 'wallet_debit', reason: expect.stringMatching(/^INVALID_AMOUNT/) })
    const row = a.billing.db.sqlite.prepare("SELECT status, skip_reason FROM sync_inbox WHERE status = 'skipped'").get() as {
      status: string
      skip_reason: string
    }
    expect(row.skip_reason).toMatch(/INVALID_AMOUNT/)
    // The cursor is past everything the relay has; a second sync changes nothing.
    const maxSeq = (w.t.relay.db.sqlite.prepare('SELECT MAX(seq) AS m FROM feed WHERE account_id = ?').get(a.accountId) as { m: number }).m
    expect(cursorOf(a)).toBe(String(maxSeq))
    await a.sync.syncNow()
    expect(a.sync.state()).toMatchObject({ skippedCount: 1, lastError: null })
    expect(a.billing.wallet.balance().amount).toBe(1500)
  })

  it('a signed record of a type this version does not know is skipped; a bad signature still stops the pull', async () => {
    const { w, mitm, a } = await tamperedDevice()
    await relayAppends(w, a.accountId, 'future_record' as 'debt', { anything: 1 } as never)
    await topUp(w, a, 700)
    expect(a.billing.wallet.balance().amount).toBe(700)
    expect(a.sync.state()).toMatchObject({ skippedCount: 1, lastError: null, lastSkipped: { type: 'future_record' } })
    // A page with a broken signature, or a record edited on the way, is not skipped: nothing from it on is applied.
    await relayAppends(w, a.accountId, 'debt', { debtId: 'd1', sourceId: 's1', reason: 'overdraft', change: cny(1), outstanding: cny(1) })
    const before = cursorOf(a)
    mitm.set((page) => ({ ...page, pageSignature: { ...page.pageSignature!, signature: `v1a,${Buffer.alloc(64).toString('base64')}` } }))
    let s = await a.sync.syncNow()
    expect(s.lastError).toMatch(/bad page signature/)
    expect(s.skippedCount).toBe(1)
    expect(cursorOf(a)).toBe(before)
    mitm.set((page) => ({ ...page, records: page.records.map((r) => ({ ...r, payload: r.payload.replace('"outstanding":{"amount":1', '"outstanding":{"amount":0') })) }))
    s = await a.sync.syncNow()
    expect(s.lastError).toMatch(/not the record the relay signed/)
    expect(cursorOf(a)).toBe(before)
    mitm.set(null)
    s = await a.sync.syncNow()
    expect(s.lastError).toBeNull()
    expect(cursorOf(a)).not.toBe(before)
  })
})

describe('the signed cursor', () => {
  it('a reply whose cursor is not the signed sequence is refused; the stored cursor never leaves what was signed', async () => {
    const { w, mitm, a } = await tamperedDevice()
    await topUp(w, a, 300)
    const before = cursorOf(a)
    // The record's (unsigned) cursor rewritten to a huge number: not the sequence signed in its payload.
    mitm.set((page) => ({ ...page, records: page.records.map((r, i) => (i === 0 ? { ...r, cursor: '999999999999' } : r)) }))
    await topUp(w, a, 400)
    expect(a.sync.state().lastError).toMatch(/is not the signed sequence/)
    expect(cursorOf(a)).toBe(before)
    expect(a.billing.wallet.balance().amount).toBe(300)
    // The page's nextCursor rewritten too: the page signature covers it.
    mitm.set((page) => ({ ...page, nextCursor: '999999999999', records: page.records.map((r) => ({ ...r, cursor: '999999999999' })) }))
    await a.sync.syncNow()
    expect(a.sync.state().lastError).toMatch(/bad page signature/)
    expect(cursorOf(a)).toBe(before)
    mitm.set(null)
    await a.sync.syncNow()
    expect(a.sync.state().lastError).toBeNull()
    expect(a.billing.wallet.balance().amount).toBe(700)
    expect(BigInt(cursorOf(a)!)).toBeGreaterThan(BigInt(before!))
  })

  it('a replayed older record is refused in a signed page; a page without a page signature is refused whole', async () => {
    const { w, mitm, a } = await tamperedDevice()
    await topUp(w, a, 300)
    const cursor = cursorOf(a)
    const old = w.t.relay.db.sqlite.prepare('SELECT seq, id, timestamp, payload, signature, key_id FROM feed WHERE account_id = ? ORDER BY seq LIMIT 1').get(a.accountId) as {
      seq: number; id: string; timestamp: number; payload: string; signature: string; key_id: string
    }
    const replay = { id: old.id, timestamp: old.timestamp, payload: old.payload, signature: old.signature, keyId: old.key_id, cursor: String(old.seq) }
    mitm.set((page) => ({ ...page, records: [...page.records, replay] }))
    await a.sync.syncNow()
    expect(a.sync.state().lastError).toMatch(new RegExp(`${old.id} rejected: not the record the relay signed`))
    expect(cursorOf(a)).toBe(cursor)
    // Without its page signature even authentic new records are not taken: the unsigned
    // serverTime would anchor the clock, and a record could be left out unnoticed.
    mitm.set(({ pageSignature: _, ...page }) => page)
    await topUp(w, a, 200)
    expect(a.sync.state().lastError).toMatch(/the page is not signed/)
    expect(cursorOf(a)).toBe(cursor)
    expect(a.billing.wallet.balance().amount).toBe(300)
    mitm.set(null)
    await a.sync.syncNow()
    expect(a.sync.state().lastError).toBeNull()
    expect(a.billing.wallet.balance().amount).toBe(500)
  })

  it('a signed page recorded earlier and replayed for the same cursor is refused; the relay clock does not move back', async () => {
    const { w, mitm, a } = await tamperedDevice()
    await topUp(w, a, 300)
    // Record the (empty, signed) page the relay answers now for the current cursor.
    let recorded: FeedPage | null = null
    mitm.set((page) => (recorded ??= page))
    await a.sync.syncNow()
    expect(a.sync.state().lastError).toBeNull()
    const relayTime = () => (a.billing.db.sqlite.prepare('SELECT relay_time FROM sync_state').get() as { relay_time: number }).relay_time
    const anchoredAt = relayTime()
    // Three days later: new records at the relay, but the old answer is played back instead.
    w.t.clock.advance(3 * 86_400_000)
    a.clock.advance(3 * 86_400_000)
    await topUp(w, a, 200)
    expect(a.sync.state().lastError).toMatch(/bad page signature/)
    expect(a.billing.wallet.balance().amount).toBe(300)
    expect(relayTime()).toBe(anchoredAt)
    mitm.set(null)
    await a.sync.syncNow()
    expect(a.sync.state().lastError).toBeNull()
    expect(a.billing.wallet.balance().amount).toBe(500)
  })

  it('a record swapped between pages, or reordered within a page, is refused; nothing from it on is applied', async () => {
    const w = await startWorld()
    const mitm = feedTamper()
    const a = await newDevice(w, 'a', undefined, { fetch: mitm.fetch, feedPageSize: 2 })
    const start = cursorOf(a)
    for (let i = 1; i <= 4; i++) await relayAppends(w, a.accountId, 'wallet_debit', { sourceId: `other-${i}`, deviceId: 'dev_other', amount: cny(i), feature: 'x', reason: 'debit', occurredAt: T0 })
    // Swapped: page 2's first record replaced by page 1's first (authentic, but signed into another page).
    let firstOfPage1: FeedPage['records'][number] | undefined
    mitm.set((page, asked) => {
      if (asked === start) firstOfPage1 = page.records[0]
      else if (firstOfPage1) page.records[0] = firstOfPage1
      return page
    })
    let s = await a.sync.syncNow()
    expect(s.lastError).toMatch(new RegExp(`${firstOfPage1!.id} rejected: not the record the relay signed`))
    const afterPage1 = cursorOf(a)
    expect(afterPage1).toBe(firstOfPage1 && String(Number(firstOfPage1.cursor) + 1))
    expect(net(a)).toBe(-3)
    // Reordered: the two records of page 2 swapped; page 3 has nothing, so the pull ends here.
    mitm.set((page) => ({ ...page, records: [...page.records].reverse() }))
    s = await a.sync.syncNow()
    expect(s.lastError).toMatch(/rejected: not the record the relay signed at this place/)
    expect(cursorOf(a)).toBe(afterPage1)
    expect(net(a)).toBe(-3)
    mitm.set(null)
    s = await a.sync.syncNow()
    expect(s.lastError).toBeNull()
    expect(net(a)).toBe(-10)
  })

  it('refuses a relay URL that is not https unless it is a loopback address (typed, at configuration)', () => {
    for (const ok of ['https://relay.example.com', 'https://relay.example.com:8443/base', 'http://127.0.0.1:8787', 'http://localhost:1', 'http://[::1]:9']) {
      expect(() => assertRelayUrl(ok)).not.toThrow()
    }
    for (const bad of ['http://relay.example.com', 'http://10.0.0.5:8787', 'ftp://relay.example.com', 'not a url', 'https://u:p@relay.example.com', 'http://127.0.0.1.evil.com']) {
      expect(() => assertRelayUrl(bad)).toThrow(RelayUrlInsecure)
      expect(() => assertRelayUrl(bad)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }))
    }
    const dir = tempDir('sync-url-')
    const open = (relayUrl: string) =>
      createSyncedBilling({
        dbPath: join(dir, 'billing.sqlite'),
        clock: new ManualClock(T0),
        settings: new FileSettingsStore(join(dir, 'settings.json')),
        secrets: new FileSecretStore(join(dir, 'secrets.json')),
        relayPublicKey: Buffer.alloc(32, 7).toString('base64'),
        relayUrl
      })
    expect(() => open('http://relay.example.com')).toThrow(RelayUrlInsecure)
    const { sync } = open('https://relay.example.com')
    sync.close()
  })
})

describe('order_closed', () => {
  it('closes the matching waiting checkout and emits checkout.updated; a paid one stays paid', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const c = await a.sync.createCheckout({ idempotencyKey: 'close-me-0001', method: 'alipay', purpose: { kind: 'recharge', amount: cny(2000) } })
    expect(a.sync.state().pendingCheckouts).toBe(1)
    const updates: { orderId: string; status: string; failureReason: string | null }[] = []
    a.sync.on('checkout.updated', (u) => updates.push(u))
    const orderNo = orderNoOf(a, c.orderId)
    // The relay's order itself stays open, so only the feed record can close the local one.
    await relayAppends(w, a.accountId, 'order_closed', {
      orderNo,
      provider: 'alipay',
      item: { kind: 'recharge', amount: cny(2000) },
      state: 'expired',
      reason: 'checkout_expired',
      closedAt: T0
    })
    const s = await a.sync.syncNow()
    expect(s.pendingCheckouts).toBe(0)
    expect(updates).toEqual([expect.objectContaining({ orderId: c.orderId, status: 'expired', failureReason: 'checkout_expired' })])
    expect(a.sync.checkoutStatus({ orderId: c.orderId }).status).toBe('expired')
    // Applied once: the same record again changes nothing, and a close of a paid order is ignored.
    await a.sync.syncNow()
    expect(updates).toHaveLength(1)
  })
})
