import { FeedPayloadSchema, type FeedEnvelope, type FeedPayload } from '../../shared/relay-contract'
import { signedBy, signedContent, v1aSignatures, verifyOnPool, type SignedFields } from './envelope'
import { resolveKey, type FeedKeys } from './key-set'

// Checking one feed record: verify its signature first, then parse; a record for another
// account is refused. The record's sequence number is signed inside the payload (`seq`) and
// must equal the envelope's unsigned `cursor`: a cursor the reader stores is then one the
// relay signed, so a reply altered on the way cannot move it past records not yet seen.

export class FeedRecordRejected extends Error {
  constructor(
    readonly recordId: string,
    readonly reason: string
  ) {
    super(`feed record ${recordId} rejected: ${reason}`)
    this.name = 'FeedRecordRejected'
  }
}

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

/** Checked records in order, up to the first that does not check out (then `rejected`). */
export interface CheckedRecords<Rejection extends Error = FeedRecordRejected> {
  ok: [FeedEnvelope, CheckedRecord][]
  rejected: Rejection | null
}

/**
 * Checks one feed record by its own signature (on the thread pool), then account and signed
 * sequence (= the envelope's cursor). Throws FeedRecordRejected for anything that could be
 * forged or misplaced; returns a null payload for signed content this version cannot read.
 */
export async function checkFeedRecord(envelope: FeedEnvelope, keys: FeedKeys, accountId: string): Promise<CheckedRecord> {
  const key = resolveKey(keys, envelope.keyId)
  if (!key) throw outsideSet(envelope)
  const content = signedContent(envelope.id, envelope.timestamp, envelope.payload)
  const results = await Promise.all(v1aSignatures(envelope.signature).map((signature) => verifyOnPool(content, key, signature)))
  if (!results.some(Boolean)) throw new FeedRecordRejected(envelope.id, 'bad signature')
  return checkRecordContent(envelope, accountId)
}

/** Record by record (own signatures, in parallel); keeps the records before the first bad one. */
export async function checkEachRecord(envelopes: FeedEnvelope[], keys: FeedKeys, accountId: string): Promise<CheckedRecords> {
  const settled = await Promise.allSettled(envelopes.map((envelope) => checkFeedRecord(envelope, keys, accountId)))
  const ok: [FeedEnvelope, CheckedRecord][] = []
  for (const [index, result] of settled.entries()) {
    if (result.status === 'rejected') return { ok, rejected: asRejection(envelopes[index]!, result.reason) }
    ok.push([envelopes[index]!, result.value])
  }
  return { ok, rejected: null }
}

/**
 * Strict check on the calling thread: signature, contract and account, no cursor (a record
 * read back from storage, such as the stored lease, has none that matters).
 */
export function verifyRecord(envelope: Pick<FeedEnvelope, 'id' | 'timestamp' | 'payload' | 'signature'> & { keyId?: string }, keys: FeedKeys, accountId: string): FeedPayload {
  const key = resolveKey(keys, envelope.keyId ?? '')
  if (!key) throw outsideSet(envelope)
  if (!signedBy(signedContent(envelope.id, envelope.timestamp, envelope.payload), envelope.signature, key)) {
    throw new FeedRecordRejected(envelope.id, 'bad signature')
  }
  const parsed = FeedPayloadSchema.safeParse(parseJson(envelope))
  if (!parsed.success) throw new FeedRecordRejected(envelope.id, 'payload does not match the contract')
  if (parsed.data.accountId !== accountId) throw new FeedRecordRejected(envelope.id, 'record belongs to another account')
  return parsed.data
}

/**
 * Account, signed sequence (= the envelope's cursor) and contract of a record whose signature
 * (its own, or its hash in a verified page) already checked out.
 */
export function checkRecordContent(envelope: FeedEnvelope, accountId: string): CheckedRecord {
  const json = parseJson(envelope)
  const head: { seq?: unknown; accountId?: unknown; type?: unknown } = json
  if (head.accountId !== accountId) throw new FeedRecordRejected(envelope.id, 'record belongs to another account')
  if (typeof head.seq !== 'number' || !Number.isSafeInteger(head.seq) || head.seq <= 0) {
    throw new FeedRecordRejected(envelope.id, 'no signed sequence number')
  }
  if (envelope.cursor !== String(head.seq)) {
    throw new FeedRecordRejected(envelope.id, `cursor ${envelope.cursor} is not the signed sequence ${head.seq}`)
  }
  const type = typeof head.type === 'string' ? head.type.slice(0, 64) : 'unknown'
  const parsed = FeedPayloadSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue ? `${issue.path.join('.') || 'payload'}: ${issue.message}` : 'payload'
    return { seq: head.seq, type, payload: null, problem: `does not match the contract (${where})`.slice(0, 300) }
  }
  return { seq: head.seq, type, payload: parsed.data, problem: null }
}

function outsideSet(envelope: { id: string; keyId?: string }): FeedRecordRejected {
  return new FeedRecordRejected(envelope.id, `signed by key ${(envelope.keyId ?? '(none)').slice(0, 16)}, outside the trusted key set`)
}

/** A thrown check as the record's rejection (anything else thrown is a bug, kept as its message). */
function asRejection(envelope: SignedFields, thrown: unknown): FeedRecordRejected {
  if (thrown instanceof FeedRecordRejected) return thrown
  return new FeedRecordRejected(envelope.id, thrown instanceof Error ? thrown.message : String(thrown))
}

function parseJson(envelope: Pick<FeedEnvelope, 'id' | 'payload'>): object {
  let json: unknown
  try {
    json = JSON.parse(envelope.payload)
  } catch {
    throw new FeedRecordRejected(envelope.id, 'payload is not JSON')
  }
  if (typeof json !== 'object' || json === null) throw new FeedRecordRejected(envelope.id, 'payload is not an object')
  return json
}
