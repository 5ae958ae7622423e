import { feedPageStatement, type FeedEnvelope, type FeedPage } from '../../shared/relay-contract'
import { recordHash, v1aSignatures, verifyOnPool } from './envelope'
import { resolveKey, type FeedKeys } from './key-set'
import { nextTurn } from '../next-turn'
import { checkRecordContent, FeedRecordRejected, type CheckedRecord, type CheckedRecords } from './record'

// A pulled page is checked by its page signature (contract: FeedPageSignatureSchema): one
// Ed25519 verify over the page statement, then each record's sha256 must equal the signed hash
// at its position. A record edited, added, moved from another page or reordered does not
// match; a page replayed for another cursor, account or request (nonce) fails the signature.

/** A page whose signature or list of records is not what the relay signed. */
export class FeedPageRejected extends Error {
  constructor(
    readonly cursor: string | null,
    readonly reason: string
  ) {
    super(`feed page after cursor ${cursor ?? '(start)'} rejected: ${reason}`)
    this.name = 'FeedPageRejected'
  }
}

/** Records checked per turn of the event loop (each: a sha256, a JSON parse, the contract's parse). */
const CHECK_SLICE = 100

/** A page's records that check out, in order, up to the first that does not (then `rejected`). */
export type CheckedPage = CheckedRecords<FeedRecordRejected | FeedPageRejected>

/**
 * Checks a page asked from `cursor` (null: from the start) with `nonce`: one verify of the
 * page signature (on the thread pool), then each record's hash against the signed list, then
 * its content. A bad or missing page signature keeps nothing: the signature, bound to this
 * request's nonce, is what makes the page's serverTime (the clock anchor) fresh, so an unsigned
 * or replayed answer must not count. A record that is not the signed one at its place keeps
 * the records before it.
 */
export async function checkFeedPage(page: FeedPage, keys: FeedKeys, accountId: string, cursor: string | null, nonce: string): Promise<CheckedPage> {
  const pageSignature = page.pageSignature
  if (!pageSignature) return { ok: [], rejected: new FeedPageRejected(cursor, 'the page is not signed') }
  const statement = feedPageStatement({ ...page, accountId, cursor, recordHashes: pageSignature.recordHashes, nonce })
  const key = resolveKey(keys, pageSignature.keyId)
  if (!key) return { ok: [], rejected: new FeedPageRejected(cursor, `signed by key ${pageSignature.keyId.slice(0, 16)}, outside the trusted key set`) }
  const [signature] = v1aSignatures(pageSignature.signature)
  if (!signature || !(await verifyOnPool(Buffer.from(statement, 'utf8'), key, signature))) {
    return { ok: [], rejected: new FeedPageRejected(cursor, 'bad page signature') }
  }
  const ok: [FeedEnvelope, CheckedRecord][] = []
  for (const [index, envelope] of page.records.entries()) {
    // A page's records are hashed and parsed a slice at a time, a turn of the event loop between.
    if (index > 0 && index % CHECK_SLICE === 0) await nextTurn()
    const signedHash = pageSignature.recordHashes[index]
    if (signedHash === undefined || recordHash(envelope) !== signedHash) {
      return { ok, rejected: new FeedRecordRejected(envelope.id, 'not the record the relay signed at this place in the page') }
    }
    try {
      ok.push([envelope, checkRecordContent(envelope, accountId)])
    } catch (err) {
      if (err instanceof FeedRecordRejected) return { ok, rejected: err }
      throw err
    }
  }
  if (pageSignature.recordHashes.length > page.records.length) {
    return { ok, rejected: new FeedPageRejected(cursor, 'records the relay signed are missing') }
  }
  return { ok, rejected: null }
}
