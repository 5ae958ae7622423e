import { sign } from 'node:crypto'
import type { FeedEnvelope } from '../../shared/relay-contract'
import type { SigningKey } from './keys'

// The feed envelope, Standard Webhooks v1a style: Ed25519 over `${id}.${timestamp}.${payload}`.
// The payload string is stored as signed, so a record reads back byte for byte.

export function signedContent(id: string, timestamp: number, payload: string): Buffer {
  return Buffer.from(`${id}.${timestamp}.${payload}`, 'utf8')
}

export function signRecord(key: SigningKey, id: string, timestamp: number, payload: string): string {
  return `v1a,${sign(null, signedContent(id, timestamp, payload), key.privateKey).toString('base64')}`
}

export type UnsignedEnvelope = Omit<FeedEnvelope, 'cursor'>
