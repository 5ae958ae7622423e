import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import { FeedPayloadSchema, type FeedEnvelope, type FeedPayload } from '../../shared/relay-contract'

// Feed records are believed only by signature: Ed25519 over `${id}.${timestamp}.${payload}`
// with the relay key pinned in the app ("v1a," prefix, Standard Webhooks style). The same
// rules as src/relay/feed/verify.ts (the relay's reference), kept here so the app does not
// import relay code. Verify first, then parse; a record for another account is refused.

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

/**
 * The same check with the signature verified on libuv's thread pool (crypto.verify with a
 * callback), so a page of records is verified in parallel during catch-up.
 */
export async function verifyRecordAsync(
  env: Pick<FeedEnvelope, 'id' | 'timestamp' | 'payload' | 'signature'>,
  key: KeyObject,
  accountId: string
): Promise<FeedPayload> {
  const content = Buffer.from(`${env.id}.${env.timestamp}.${env.payload}`, 'utf8')
  const sigs = env.signature
    .split(' ')
    .filter((s) => s.startsWith('v1a,'))
    .map((s) => Buffer.from(s.slice(4), 'base64'))
    .filter((sig) => sig.length === 64)
  const results = await Promise.all(
    sigs.map((sig) => new Promise<boolean>((resolve) => verify(null, content, key, sig, (err, ok) => resolve(!err && ok))))
  )
  if (!results.some(Boolean)) throw new FeedRecordRejected(env.id, 'bad signature')
  return parsePayload(env, accountId)
}

function parsePayload(env: Pick<FeedEnvelope, 'id' | 'payload'>, accountId: string): FeedPayload {
  let json: unknown
  try {
    json = JSON.parse(env.payload)
  } catch {
    throw new FeedRecordRejected(env.id, 'payload is not JSON')
  }
  const parsed = FeedPayloadSchema.safeParse(json)
  if (!parsed.success) throw new FeedRecordRejected(env.id, 'payload does not match the contract')
  if (parsed.data.accountId !== accountId) throw new FeedRecordRejected(env.id, 'record belongs to another account')
  return parsed.data
}

export function verifyRecord(
  env: Pick<FeedEnvelope, 'id' | 'timestamp' | 'payload' | 'signature'>,
  key: KeyObject,
  accountId: string
): FeedPayload {
  const content = Buffer.from(`${env.id}.${env.timestamp}.${env.payload}`, 'utf8')
  const ok = env.signature
    .split(' ')
    .filter((s) => s.startsWith('v1a,'))
    .some((s) => {
      const sig = Buffer.from(s.slice(4), 'base64')
      return sig.length === 64 && verify(null, content, key, sig)
    })
  if (!ok) throw new FeedRecordRejected(env.id, 'bad signature')
  return parsePayload(env, accountId)
}
