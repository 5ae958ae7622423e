import { sign } from 'node:crypto'
import { recordHash } from '../../node/feed'
import { feedPageStatement, type FeedPage } from '../../shared/relay-contract'
import type { SigningKey } from './keys'

// The page signature (contract: FeedPageSignatureSchema): one Ed25519 signature per GET
// /v1/feed answer over the sha256 of each record's signed bytes, so the app verifies a page of
// 500 records with one verify and 500 hashes instead of 500 verifies. Signed on the read path,
// after the page is read, over exactly the records served. Readers check it with the kernel's
// checkFeedPage (src/node/feed).

/** The page with its signature, for the account that asked from `cursor` (undefined: from the start) with `nonce`. */
export function signFeedPage(key: SigningKey, accountId: string, cursor: string | undefined, page: FeedPage, nonce: string): FeedPage {
  const recordHashes = page.records.map(recordHash)
  const statement = feedPageStatement({ ...page, accountId, cursor: cursor ?? null, recordHashes, nonce })
  const signature = `v1a,${sign(null, Buffer.from(statement, 'utf8'), key.privateKey).toString('base64')}`
  return { ...page, pageSignature: { keyId: key.keyId, recordHashes, signature } }
}
