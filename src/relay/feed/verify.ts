import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import { FeedPayloadSchema, type FeedEnvelope, type FeedPayload } from '../../shared/relay-contract'
import { signedContent } from './envelope'

// Verifies a feed envelope against the pinned relay public key and returns the parsed
// payload. The app's sync client needs exactly this (with its own copy of these lines, since
// src/shared may not import node:crypto): check the signature over the exact payload string
// first, then parse; a record for another account is refused too.

export class FeedSignatureInvalid extends Error {
  constructor(
    readonly recordId: string,
    reason: string
  ) {
    super(`feed record ${recordId}: ${reason}`)
    this.name = 'FeedSignatureInvalid'
  }
}

/** The pinned key: base64 of the 32 raw Ed25519 public key bytes (what /health and start-up print). */
export function publicKeyFromBase64(raw: string): KeyObject {
  const bytes = Buffer.from(raw, 'base64')
  if (bytes.length !== 32) throw new Error('an Ed25519 public key has 32 bytes')
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: bytes.toString('base64url') }, format: 'jwk' })
}

export function verifyEnvelope(
  envelope: Pick<FeedEnvelope, 'id' | 'timestamp' | 'payload' | 'signature'>,
  publicKey: KeyObject,
  expectedAccountId?: string
): FeedPayload {
  const sigs = envelope.signature
    .split(' ')
    .filter((s) => s.startsWith('v1a,'))
    .map((s) => Buffer.from(s.slice(4), 'base64'))
  const content = signedContent(envelope.id, envelope.timestamp, envelope.payload)
  if (!sigs.some((sig) => sig.length === 64 && verify(null, content, publicKey, sig))) {
    throw new FeedSignatureInvalid(envelope.id, 'bad signature')
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(envelope.payload)
  } catch {
    throw new FeedSignatureInvalid(envelope.id, 'payload is not JSON')
  }
  const result = FeedPayloadSchema.safeParse(parsed)
  if (!result.success) throw new FeedSignatureInvalid(envelope.id, 'payload does not match the contract')
  if (expectedAccountId !== undefined && result.data.accountId !== expectedAccountId) {
    throw new FeedSignatureInvalid(envelope.id, 'record belongs to another account')
  }
  return result.data
}
