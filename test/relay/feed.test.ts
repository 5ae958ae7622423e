import { describe, expect, it } from 'vitest'
import { generateSigningKey } from '../../src/relay/feed/keys'
import { signRecord } from '../../src/relay/feed/envelope'
import { signFeedPage } from '../../src/relay/feed/page'
import { checkFeedPage, FeedPageRejected, FeedRecordRejected, publicKeyFromBase64, recordHash, verifyRecord } from '../../src/node/feed'
import { FeedPageSchema, LeaseResponseSchema, type FeedEnvelope, type FeedPage } from '../../src/shared/relay-contract'
import type { KeyObject } from 'node:crypto'
import { checkout, notify, paid } from './support/flows'
import { createTestProvider } from './support/hmac-provider'
import { enrolDevice, feedPath, startTestRelay } from './support/relay'

const NONCE = 'n0nce-of-this-request_1'

/** The kernel's page check as one value: -1 all good, the index of the first bad record, or the page's own rejection. */
async function firstBad(page: FeedPage, key: KeyObject, accountId: string, cursor: string | null, nonce = NONCE): Promise<number | string> {
  const { ok, rejected } = await checkFeedPage(page, key, accountId, cursor, nonce)
  if (rejected === null) return -1
  return rejected instanceof FeedPageRejected ? rejected.reason : ok.length
}

async function withRecords(n: number) {
  const provider = createTestProvider('stripe')
  // One record per payment: these tests count them (invoices, a second record, are off here).
  const t = await startTestRelay({ providers: [provider], config: { invoicing: { enabled: false, timeZone: 'Asia/Shanghai', seller: { name: 'x' } } } })
  const dev = await enrolDevice(t.api)
  for (let i = 0; i < n; i++) {
    const { order } = await checkout(t.api, dev.token, { provider: 'stripe', item: { kind: 'recharge', amount: { amount: 100 + i, currency: 'CNY' } } })
    await notify(t, provider, [paid(order.orderNo, 100 + i)])
  }
  const health = await t.api('GET', '/health')
  return { t, dev, publicKey: publicKeyFromBase64(health.body.publicKey) }
}

describe('the signed feed', () => {
  it('pages by cursor without gaps or repeats, and every record verifies with the pinned key', async () => {
    const { t, dev, publicKey } = await withRecords(7)
    const seen: FeedEnvelope[] = []
    let cursor: string | undefined
    for (;;) {
      const r = await t.api('GET', feedPath({ limit: 3, cursor }), { token: dev.token })
      const page = FeedPageSchema.parse(r.body)
      seen.push(...page.records)
      cursor = page.nextCursor
      if (!page.hasMore) break
    }
    // Each payment: its payment_confirmed record, carrying its notice (issue 18).
    expect(seen).toHaveLength(7)
    expect(new Set(seen.map((e) => e.id)).size).toBe(7)
    const amounts = seen.map((e) => {
      const p = verifyRecord(e, publicKey, dev.accountId)
      expect(p.type).toBe('payment_confirmed')
      expect(p.notice).toMatchObject({ kind: 'recharge_credited', noticeId: p.type === 'payment_confirmed' ? `payment:${p.data.orderNo}` : '' })
      return p.type === 'payment_confirmed' ? p.data.amount.amount : 0
    })
    expect(amounts.filter((a) => a > 0)).toEqual([100, 101, 102, 103, 104, 105, 106])
    // Each record's sequence is signed inside its payload and equals its cursor, increasing.
    const seqs = seen.map((e) => verifyRecord(e, publicKey, dev.accountId).seq)
    expect(seqs.map(String)).toEqual(seen.map((e) => e.cursor))
    expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!)).toBe(true)
    // Nothing new: the cursor stays put.
    const empty = await t.api('GET', feedPath({ cursor }), { token: dev.token })
    expect(empty.body).toMatchObject({ records: [], nextCursor: cursor, hasMore: false })
    // A malformed cursor or limit is refused.
    expect((await t.api('GET', `${feedPath()}&cursor=abc`, { token: dev.token })).status).toBe(400)
    expect((await t.api('GET', feedPath({ limit: 501 }), { token: dev.token })).status).toBe(400)
  })

  it('detects tampering: payload, id, timestamp, a foreign key, another account', async () => {
    const { t, dev, publicKey } = await withRecords(1)
    const [rec] = (await t.api('GET', feedPath(), { token: dev.token })).body.records as FeedEnvelope[]
    expect(() => verifyRecord(rec!, publicKey, dev.accountId)).not.toThrow()
    const bad = [
      { ...rec!, payload: rec!.payload.replace('"amount":100', '"amount":100000') },
      { ...rec!, id: rec!.id + 'x' },
      { ...rec!, timestamp: rec!.timestamp + 1 },
      { ...rec!, signature: signRecord(generateSigningKey(), rec!.id, rec!.timestamp, rec!.payload) },
      { ...rec!, signature: 'v1a,' + Buffer.alloc(64).toString('base64') }
    ]
    for (const e of bad) expect(() => verifyRecord(e, publicKey, dev.accountId)).toThrow(FeedRecordRejected)
    expect(() => verifyRecord(rec!, publicKey, 'acc_someone_else')).toThrow(/another account/)
    // The relay serves records byte for byte as signed, across a restart of the reader.
    const again = (await t.api('GET', feedPath(), { token: dev.token })).body.records[0]
    expect(again).toEqual(rec)
  })

  it('signs each page once over its account, cursor, record hashes, nextCursor, hasMore and serverTime', async () => {
    const { t, dev, publicKey } = await withRecords(5)
    const p1 = FeedPageSchema.parse((await t.api('GET', feedPath({ limit: 3, nonce: NONCE }), { token: dev.token })).body)
    const p2 = FeedPageSchema.parse((await t.api('GET', feedPath({ limit: 3, cursor: p1.nextCursor, nonce: NONCE }), { token: dev.token })).body)
    expect(p1.pageSignature?.keyId).toBe(t.relay.key.keyId)
    expect(await firstBad(p1, publicKey, dev.accountId, null)).toBe(-1)
    expect(await firstBad(p2, publicKey, dev.accountId, p1.nextCursor)).toBe(-1)
    expect(p1.pageSignature!.recordHashes).toEqual(p1.records.map(recordHash))
    // Bound to the account and the cursor asked, and to the page's own fields.
    expect(await firstBad(p1, publicKey, 'acc_someone_else', null)).toBe('bad page signature')
    expect(await firstBad(p2, publicKey, dev.accountId, null)).toBe('bad page signature')
    for (const edit of [{ hasMore: !p1.hasMore }, { nextCursor: p2.nextCursor }, { serverTime: p1.serverTime + 1 }]) {
      expect(await firstBad({ ...p1, ...edit }, publicKey, dev.accountId, null)).toBe('bad page signature')
    }
    const forger = generateSigningKey()
    expect(await firstBad(signFeedPage(forger, dev.accountId, undefined, p1, NONCE), publicKey, dev.accountId, null)).toBe('bad page signature')
    // A record edited, moved from another page or reordered is found by its hash.
    const edited = { ...p1, records: p1.records.map((r, i) => (i === 1 ? { ...r, payload: r.payload.replace('"amount":101', '"amount":10100') } : r)) }
    expect(edited.records[1]!.payload).toContain('"amount":10100')
    expect(await firstBad(edited, publicKey, dev.accountId, null)).toBe(1)
    expect(await firstBad({ ...p2, records: [p1.records[0]!, ...p2.records.slice(1)] }, publicKey, dev.accountId, p1.nextCursor)).toBe(0)
    expect(await firstBad({ ...p1, records: [...p1.records].reverse() }, publicKey, dev.accountId, null)).toBe(0)
    // A record the relay signed but left out is missed, not passed over.
    expect(await firstBad({ ...p1, records: p1.records.slice(0, 2) }, publicKey, dev.accountId, null)).toBe('records the relay signed are missing')
  })

  it("binds a page to the request's nonce, and refuses a request without one", async () => {
    const { t, dev, publicKey } = await withRecords(2)
    const page = FeedPageSchema.parse((await t.api('GET', feedPath({ nonce: NONCE }), { token: dev.token })).body)
    expect(await firstBad(page, publicKey, dev.accountId, null)).toBe(-1)
    expect(await firstBad(page, publicKey, dev.accountId, null, 'another-request-nonce')).toBe('bad page signature')
    // No unbound (nonce-less) page exists any more: the request is refused where the nonce belongs.
    const plain = await t.api('GET', '/v1/feed', { token: dev.token })
    expect(plain.status).toBe(400)
    expect(JSON.stringify(plain.body)).toContain('nonce')
    for (const bad of ['short', 'x'.repeat(65), 'has%20space-in-it-1234']) {
      expect((await t.api('GET', `/v1/feed?nonce=${bad}`, { token: dev.token })).status).toBe(400)
    }
  })

  it('signs a record when first served, stores that signature, and serves it unchanged after', async () => {
    const { t, dev, publicKey } = await withRecords(2)
    const stored = () =>
      t.relay.db.sqlite.prepare('SELECT id, signature FROM feed WHERE account_id = ? ORDER BY seq').all(dev.accountId) as {
        id: string
        signature: string
      }[]
    // The notification's transaction stored the records without signing them.
    expect(stored().map((r) => r.signature)).toEqual(['', ''])
    const first = (await t.api('GET', feedPath({ limit: 1 }), { token: dev.token })).body.records as FeedEnvelope[]
    expect(() => verifyRecord(first[0]!, publicKey, dev.accountId)).not.toThrow()
    await t.relay.db.whenDurable()
    // Only the served record was signed; its stored signature is the one served.
    expect(stored().map((r) => r.signature)).toEqual([first[0]!.signature, ''])
    const all = (await t.api('GET', feedPath(), { token: dev.token })).body.records as FeedEnvelope[]
    expect(all[0]).toEqual(first[0])
    for (const e of all) expect(() => verifyRecord(e, publicKey, dev.accountId)).not.toThrow()
    expect(stored().map((r) => r.signature)).toEqual(all.map((e) => e.signature))
  })

  it('issues a signed entitlement lease per device and reuses it while fresh', async () => {
    const { t, dev, publicKey } = await withRecords(0)
    const first = LeaseResponseSchema.parse((await t.api('POST', '/v1/lease', { token: dev.token })).body)
    const p = verifyRecord(first.lease, publicKey, dev.accountId)
    if (p.type !== 'entitlement_lease') throw new Error('not a lease')
    expect(p.data).toMatchObject({
      deviceId: dev.deviceId,
      planCode: 'FREE',
      limits: { max_streams: 1 },
      issuedAt: t.clock.now(),
      validUntil: t.clock.now() + 168 * 3600_000,
      debt: { amount: 0, currency: 'CNY' }
    })
    t.clock.advance(3600_000)
    const reused = (await t.api('POST', '/v1/lease', { token: dev.token })).body.lease
    expect(reused.id).toBe(first.lease.id)
    t.clock.advance(100 * 3600_000)
    const renewed = (await t.api('POST', '/v1/lease', { token: dev.token })).body.lease
    expect(renewed.id).not.toBe(first.lease.id)
    const other = await enrolDevice(t.api, dev.accountId, 'laptop')
    const otherLease = verifyRecord((await t.api('POST', '/v1/lease', { token: other.token })).body.lease, publicKey, dev.accountId)
    expect(otherLease.type === 'entitlement_lease' && otherLease.data.deviceId).toBe(other.deviceId)
  })
})
