import { hash, sign, verify, type KeyObject } from 'node:crypto'
import { feedPageStatement, type FeedEnvelope, type FeedPage } from '../../shared/relay-contract'
import { signedContent } from './envelope'
import type { SigningKey } from './keys'

// The page signature (contract: FeedPageSignatureSchema): one Ed25519 signature per GET
// /v1/feed answer over the sha256 of each record's signed bytes, so the app verifies a page of
// 500 records with one verify and 500 hashes instead of 500 verifies. Signed on the read path,
// after the page is read, over exactly the records served.

/** sha256 (hex) of a record's signed bytes `${id}.${timestamp}.${payload}`. */
export function recordHash(env: Pick<FeedEnvelope, 'id' | 'timestamp' | 'payload'>): string {
  return hash('sha256', signedContent(env.id, env.timestamp, env.payload), 'hex')
}

/**
 * The page with its signature, for the account that asked from `cursor` (undefined: from the
 * start) with `nonce` (the request's, signed with it; undefined from apps before nonces).
 */
export function signFeedPage(key: SigningKey, accountId: string, cursor: string | undefined, page: FeedPage, nonce?: string): FeedPage {
  const recordHashes = page.records.map(recordHash)
  const statement = feedPageStatement({ ...page, accountId, cursor: cursor ?? null, recordHashes, nonce })
  const signature = `v1a,${sign(null, Buffer.from(statement, 'utf8'), key.privateKey).toString('base64')}`
  return { ...page, pageSignature: { keyId: key.keyId, recordHashes, signature } }
}

/**
 * Reference check of a page for other readers and the relay's tests (the app keeps its own
 * copy in src/main/sync/verify.ts): the signature over the statement, then each record's
 * hash at its position. Returns the index of the first record that does not match, -1 when
 * all do; throws when the page signature itself fails.
 */
export function verifyFeedPage(page: FeedPage, publicKey: KeyObject, accountId: string, cursor: string | null, nonce?: string): number {
  const ps = page.pageSignature
  if (!ps) throw new Error('the page is not signed')
  const statement = Buffer.from(feedPageStatement({ ...page, accountId, cursor, recordHashes: ps.recordHashes, nonce }), 'utf8')
  const sig = Buffer.from(ps.signature.slice(4), 'base64')
  if (sig.length !== 64 || !verify(null, statement, publicKey, sig)) throw new Error('bad page signature')
  if (ps.recordHashes.length !== page.records.length) return Math.min(ps.recordHashes.length, page.records.length)
  return page.records.findIndex((r, i) => recordHash(r) !== ps.recordHashes[i])
}
