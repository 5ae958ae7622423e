import { describe, expect, it } from 'vitest'
import { checkFeedPage, FeedRecordRejected, publicKeyFromBase64 } from '../../src/node/feed'
import { generateSigningKey } from '../../src/relay/feed/keys'
import { signRecord } from '../../src/relay/feed/envelope'
import { signFeedPage } from '../../src/relay/feed/page'
import type { FeedEnvelope, FeedPage } from '../../src/shared/relay-contract'

// checkFeedPage checks a page's records a slice at a time (a turn of the event loop between):
// across the slices' edges the answer is the same as in one go, the records before the first
// bad one and that one's rejection.
const ACCOUNT = 'acc_slices'
const NONCE = 'n0nce-of-this-request_1'
const key = generateSigningKey()

function page(n: number): FeedPage {
  const records: FeedEnvelope[] = Array.from({ length: n }, (_, i) => {
    const seq = i + 1
    const payload = JSON.stringify({ seq, accountId: ACCOUNT, type: 'not_read_by_this_test' })
    return { id: `rec-${seq}`, timestamp: 1_700_000_000_000 + seq, payload, signature: signRecord(key, `rec-${seq}`, 1_700_000_000_000 + seq, payload), keyId: key.keyId, cursor: String(seq) }
  })
  return signFeedPage(key, ACCOUNT, undefined, { records, nextCursor: String(n), hasMore: false, serverTime: 1_700_000_001_000 }, NONCE)
}

describe('a feed page checked in slices', () => {
  const publicKey = publicKeyFromBase64(key.publicKeyBase64)

  it('keeps every record of a page longer than several slices, in order', async () => {
    const { ok, rejected } = await checkFeedPage(page(250), publicKey, ACCOUNT, null, NONCE)
    expect(rejected).toBeNull()
    expect(ok.map(([, r]) => r.seq)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1))
  })

  for (const bad of [99, 100, 101, 249]) {
    it(`stops at an edited record at index ${bad} and keeps the ones before it`, async () => {
      const p = page(250)
      const records = p.records.map((r, i) => (i === bad ? { ...r, payload: r.payload.replace('not_read', 'edited') } : r))
      const { ok, rejected } = await checkFeedPage({ ...p, records }, publicKey, ACCOUNT, null, NONCE)
      expect(rejected).toBeInstanceOf(FeedRecordRejected)
      expect(ok).toHaveLength(bad)
    })
  }
})
