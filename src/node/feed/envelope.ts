import { createPublicKey, hash, verify, type KeyObject } from 'node:crypto'
import type { FeedEnvelope } from '../../shared/relay-contract'

// The feed envelope's bytes, shared by the relay (which signs them) and the app (which
// believes a record only by them). Standard Webhooks v1a style: Ed25519 over
// `${id}.${timestamp}.${payload}` (UTF-8), the signature header "v1a," + base64, several
// space-separated signatures allowed (key rotation). The payload string is kept as signed.

export type SignedFields = Pick<FeedEnvelope, 'id' | 'timestamp' | 'payload'>

/** The exact bytes a record signature covers. */
export function signedContent(id: string, timestamp: number, payload: string): Buffer {
  return Buffer.from(`${id}.${timestamp}.${payload}`, 'utf8')
}

/** sha256 (lowercase hex) of a record's signed bytes: what a page signature lists per record. */
export function recordHash(envelope: SignedFields): string {
  return hash('sha256', signedContent(envelope.id, envelope.timestamp, envelope.payload), 'hex')
}

/** The pinned key: base64 of the 32 raw Ed25519 public key bytes (what /health and start-up print). */
export function publicKeyFromBase64(publicKeyBase64: string): KeyObject {
  const bytes = Buffer.from(publicKeyBase64, 'base64')
  if (bytes.length !== 32) throw new Error('the pinned relay key must be 32 raw Ed25519 bytes in base64')
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: bytes.toString('base64url') }, format: 'jwk' })
}

/** The v1a signatures of a signature header that have an Ed25519 signature's length. */
export function v1aSignatures(header: string): Buffer[] {
  return header
    .split(' ')
    .filter((part) => part.startsWith('v1a,'))
    .map((part) => Buffer.from(part.slice(4), 'base64'))
    .filter((signature) => signature.length === 64)
}

/** One of the header's signatures verifies over `content`, on the calling thread. */
export function signedBy(content: Buffer, header: string, key: KeyObject): boolean {
  return v1aSignatures(header).some((signature) => verify(null, content, key, signature))
}

/** One Ed25519 verify on libuv's thread pool, so many verify in parallel off the main thread. */
export function verifyOnPool(content: Buffer, key: KeyObject, signature: Buffer): Promise<boolean> {
  return new Promise((resolve) => verify(null, content, key, signature, (err, ok) => resolve(!err && ok)))
}
