import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import { FeedPayloadSchema, type FeedEnvelope, type FeedPayload } from '../../shared/relay-contract'

// Feed records are believed only by signature: Ed25519 over `${id}.${timestamp}.${payload}`
// with the relay key pinned in the app ("v1a," prefix, Standard Webhooks style). The same
// rules as src/relay/feed/verify.ts (the relay's reference), kept here so the app does not
// import relay code. Verify first, then parse; a record for another account is refused.
//
// The record's sequence number is signed inside the payload (`seq`) and must equal the
// envelope's unsigned `cursor`: the cursor the app stores is then one the relay signed, so a
// reply altered on the way cannot move it past records the app has not seen.

export class FeedRecordRejected extends Error {
  constructor(
    readonly recordId: string,
    readonly reason: string
  ) {
    super(`feed record ${recordId} rejected: ${reason}`)
    this.name = 'FeedRecordRejected'
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
 * Checks one feed record for the pull: signature (on libuv's thread pool, so a page verifies
 * in parallel), then account and signed sequence (= the envelope's cursor). Throws
 * FeedRecordRejected for anything that could be forged or misplaced; returns a null payload
 * for signed content this version cannot read.
 */
export async function checkFeedRecord(env: FeedEnvelope, key: KeyObject, accountId: string): Promise<CheckedRecord> {
  const content = Buffer.from(`${env.id}.${env.timestamp}.${env.payload}`, 'utf8')
  const sigs = signatures(env.signature)
  const results = await Promise.all(
    sigs.map((sig) => new Promise<boolean>((resolve) => verify(null, content, key, sig, (err, ok) => resolve(!err && ok))))
  )
  if (!results.some(Boolean)) throw new FeedRecordRejected(env.id, 'bad signature')
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
