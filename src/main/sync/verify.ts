import { createPublicKey, hash, verify, type KeyObject } from 'node:crypto'
import { FeedPayloadSchema, feedPageStatement, type FeedEnvelope, type FeedPage, type FeedPayload } from '../../shared/relay-contract'

// Feed records are believed only by signature: Ed25519 over `${id}.${timestamp}.${payload}`
// with the relay key pinned in the app ("v1a," prefix, Standard Webhooks style). The same
// rules as src/relay/feed/verify.ts (the relay's reference), kept here so the app does not
// import relay code. Verify first, then parse; a record for another account is refused.
//
// The record's sequence number is signed inside the payload (`seq`) and must equal the
// envelope's unsigned `cursor`: the cursor the app stores is then one the relay signed, so a
// reply altered on the way cannot move it past records the app has not seen.
//
// A pulled page is checked by its page signature (FeedPageSignatureSchema): one Ed25519
// verify over the page statement, then each record's sha256 must equal the signed hash at its
// position. A record edited, added, moved from another page or reordered does not match; a
// page replayed for another cursor or account fails the signature.

export class FeedRecordRejected extends Error {
  constructor(
    readonly recordId: string,
    readonly reason: string
  ) {
    super(`feed record ${recordId} rejected: ${reason}`)
    this.name = 'FeedRecordRejected'
  }
}

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

export function pinnedKey(publicKeyBase64: string): KeyObject {
  const bytes = Buffer.from(publicKeyBase64, 'base64')
  if (bytes.length !== 32) throw new Error('the pinned relay key must be 32 raw Ed25519 bytes in base64')
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: bytes.toString('base64url') }, format: 'jwk' })
}

type Signed = Pick<FeedEnvelope, 'id' | 'timestamp' | 'payload' | 'signature'>

/**
 * A feed record whose signature, account and sequence check out. `payload` is null when its
 * content does not match this version's contract (a record type it does not know, a field out
 * of range): authentic but not applicable, so it is skipped rather than stopping the feed.
 */
export interface CheckedRecord {
  seq: number
  type: string
  payload: FeedPayload | null
  /** Why the content was not accepted (payload null). */
  problem: string | null
}

/**
 * Checks one feed record by its own signature (on libuv's thread pool, so records verify in
 * parallel), then account and signed sequence (= the envelope's cursor). Throws
 * FeedRecordRejected for anything that could be forged or misplaced; returns a null payload
 * for signed content this version cannot read.
 */
export async function checkFeedRecord(env: FeedEnvelope, key: KeyObject, accountId: string): Promise<CheckedRecord> {
  const content = Buffer.from(`${env.id}.${env.timestamp}.${env.payload}`, 'utf8')
  const results = await Promise.all(signatures(env.signature).map((sig) => verifyOnPool(content, key, sig)))
  if (!results.some(Boolean)) throw new FeedRecordRejected(env.id, 'bad signature')
  return checkContent(env, accountId)
}

/** A page's records that check out, in order, up to the first that does not (then `rejected`). */
export interface CheckedPage {
  ok: [FeedEnvelope, CheckedRecord][]
  rejected: FeedRecordRejected | FeedPageRejected | null
}

/**
 * Checks a pulled page asked from `cursor` (null: from the start) with `nonce`: one verify of
 * the page signature (on the pool), then each record's hash against the signed list, then its
 * content. A bad or missing page signature keeps nothing: the signature, bound to this
 * request's nonce, is what makes the page's serverTime (the clock anchor) fresh, so an unsigned
 * or replayed answer must not count. A record that is not the signed one at its place keeps
 * the records before it.
 */
export async function checkFeedPage(page: FeedPage, key: KeyObject, accountId: string, cursor: string | null, nonce: string): Promise<CheckedPage> {
  const ps = page.pageSignature
  if (!ps) return { ok: [], rejected: new FeedPageRejected(cursor, 'the page is not signed') }
  const statement = Buffer.from(feedPageStatement({ ...page, accountId, cursor, recordHashes: ps.recordHashes, nonce }), 'utf8')
  const [sig] = signatures(ps.signature)
  if (!sig || !(await verifyOnPool(statement, key, sig))) return { ok: [], rejected: new FeedPageRejected(cursor, 'bad page signature') }
  const ok: [FeedEnvelope, CheckedRecord][] = []
  for (const [i, env] of page.records.entries()) {
    const signed = ps.recordHashes[i]
    if (signed === undefined || hash('sha256', `${env.id}.${env.timestamp}.${env.payload}`, 'hex') !== signed) {
      return { ok, rejected: new FeedRecordRejected(env.id, 'not the record the relay signed at this place in the page') }
    }
    try {
      ok.push([env, checkContent(env, accountId)])
    } catch (err) {
      return { ok, rejected: err as FeedRecordRejected }
    }
  }
  if (ps.recordHashes.length > page.records.length) return { ok, rejected: new FeedPageRejected(cursor, 'records the relay signed are missing') }
  return { ok, rejected: null }
}

/** Record by record (own signatures, in parallel); keeps the records before the first bad one. */
export async function checkEachRecord(envs: FeedEnvelope[], key: KeyObject, accountId: string): Promise<CheckedPage> {
  const settled = await Promise.allSettled(envs.map((env) => checkFeedRecord(env, key, accountId)))
  const ok: [FeedEnvelope, CheckedRecord][] = []
  for (const [i, r] of settled.entries()) {
    if (r.status === 'rejected') return { ok, rejected: r.reason as FeedRecordRejected }
    ok.push([envs[i]!, r.value])
  }
  return { ok, rejected: null }
}

/** Account, signed sequence (= the envelope's cursor) and contract of an authentic record. */
function checkContent(env: FeedEnvelope, accountId: string): CheckedRecord {
  const json = parseJson(env)
  const head = json as { seq?: unknown; accountId?: unknown; type?: unknown }
  if (head.accountId !== accountId) throw new FeedRecordRejected(env.id, 'record belongs to another account')
  if (typeof head.seq !== 'number' || !Number.isSafeInteger(head.seq) || head.seq <= 0) {
    throw new FeedRecordRejected(env.id, 'no signed sequence number')
  }
  if (env.cursor !== String(head.seq)) throw new FeedRecordRejected(env.id, `cursor ${env.cursor} is not the signed sequence ${head.seq}`)
  const type = typeof head.type === 'string' ? head.type.slice(0, 64) : 'unknown'
  const parsed = FeedPayloadSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue ? `${issue.path.join('.') || 'payload'}: ${issue.message}` : 'payload'
    return { seq: head.seq, type, payload: null, problem: `does not match the contract (${where})`.slice(0, 300) }
  }
  return { seq: head.seq, type, payload: parsed.data, problem: null }
}

function verifyOnPool(content: Buffer, key: KeyObject, sig: Buffer): Promise<boolean> {
  return new Promise((resolve) => verify(null, content, key, sig, (err, ok) => resolve(!err && ok)))
}

/** Strict check (signature, contract, account) on the calling thread; for the stored lease. */
export function verifyRecord(env: Signed, key: KeyObject, accountId: string): FeedPayload {
  const content = Buffer.from(`${env.id}.${env.timestamp}.${env.payload}`, 'utf8')
  if (!signatures(env.signature).some((sig) => verify(null, content, key, sig))) throw new FeedRecordRejected(env.id, 'bad signature')
  const parsed = FeedPayloadSchema.safeParse(parseJson(env))
  if (!parsed.success) throw new FeedRecordRejected(env.id, 'payload does not match the contract')
  if (parsed.data.accountId !== accountId) throw new FeedRecordRejected(env.id, 'record belongs to another account')
  return parsed.data
}

function signatures(header: string): Buffer[] {
  return header
    .split(' ')
    .filter((s) => s.startsWith('v1a,'))
    .map((s) => Buffer.from(s.slice(4), 'base64'))
    .filter((sig) => sig.length === 64)
}

function parseJson(env: Pick<FeedEnvelope, 'id' | 'payload'>): unknown {
  let json: unknown
  try {
    json = JSON.parse(env.payload)
  } catch {
    throw new FeedRecordRejected(env.id, 'payload is not JSON')
  }
  if (typeof json !== 'object' || json === null) throw new FeedRecordRejected(env.id, 'payload is not an object')
  return json
}
