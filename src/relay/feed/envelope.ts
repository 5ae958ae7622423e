import { sign } from 'node:crypto'
import { signedContent } from '../../node/feed'
import type { FeedEnvelope } from '../../shared/relay-contract'
import type { SigningKey } from './keys'

// Signs feed records, Standard Webhooks v1a style: Ed25519 over `${id}.${timestamp}.${payload}`
// (the bytes and their check are the kernel's, src/node/feed). The payload string is stored as
// signed, so a record reads back byte for byte.

export function signRecord(key: SigningKey, id: string, timestamp: number, payload: string): string {
  return `v1a,${sign(null, signedContent(id, timestamp, payload), key.privateKey).toString('base64')}`
}

export type UnsignedEnvelope = Omit<FeedEnvelope, 'cursor'>
