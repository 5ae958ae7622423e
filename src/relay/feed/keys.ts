import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

// The relay's Ed25519 signing key. Configured as PEM (PKCS#8) or as the 32-byte seed in
// base64; without one, a development key is generated once into the data dir and reused.
// The app pins the public key: base64 of its 32 raw bytes; keyId = first 16 hex of sha256.

export interface SigningKey {
  privateKey: KeyObject
  publicKey: KeyObject
  /** base64 of the 32 raw public key bytes: what the app's config pins. */
  publicKeyBase64: string
  keyId: string
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

export function parseSigningKey(text: string): SigningKey {
  const trimmed = text.trim()
  let privateKey: KeyObject
  if (trimmed.startsWith('-----BEGIN')) {
    privateKey = createPrivateKey(trimmed)
  } else {
    const seed = Buffer.from(trimmed, 'base64')
    if (seed.length !== 32) throw new Error('expected PEM or the base64 of a 32-byte Ed25519 seed')
    privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' })
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the signing key must be Ed25519')
  return fromPrivate(privateKey)
}

function fromPrivate(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey)
  const raw = rawPublicKey(publicKey)
  return {
    privateKey,
    publicKey,
    publicKeyBase64: raw.toString('base64'),
    keyId: createHash('sha256').update(raw).digest('hex').slice(0, 16)
  }
}

export function rawPublicKey(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' })
  return Buffer.from(jwk.x ?? '', 'base64url')
}

/** Loads `signing-key.pem` from dataDir, generating it on first start. */
export function loadOrCreateDevKey(dataDir: string): { key: SigningKey; created: boolean } {
  const file = join(dataDir, 'signing-key.pem')
  if (existsSync(file)) return { key: parseSigningKey(readFileSync(file, 'utf8')), created: false }
  mkdirSync(dataDir, { recursive: true })
  const { privateKey } = generateKeyPairSync('ed25519')
  writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' })
  return { key: fromPrivate(privateKey), created: true }
}

export function generateSigningKey(): SigningKey {
  return fromPrivate(generateKeyPairSync('ed25519').privateKey)
}
