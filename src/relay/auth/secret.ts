import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

// The relay's sign-in secret: the key of the HMACs that stand for codes and targets in the
// database, so a copy of the file shows neither a code nor whom it was sent to. From
// RELAY_AUTH_SECRET, else generated once into the data folder (like the development signing key).

export class AuthSecret {
  private readonly key: Buffer

  constructor(secret: string) {
    this.key = Buffer.from(secret, 'utf8')
  }

  /** Stands for a (method, target) pair in every table. */
  targetKey(method: string, target: string): string {
    return this.mac(`target\u0000${method}\u0000${target}`)
  }

  /** A code bound to its target: the same digits for another target hash differently. */
  codeHash(targetKey: string, code: string): string {
    return this.mac(`code\u0000${targetKey}\u0000${code}`)
  }

  /** A MAC of `text` for another use of the secret (`purpose` keeps the uses apart), e.g. unsubscribe links. */
  tag(purpose: string, text: string): string {
    return this.mac(`${purpose}\u0000${text}`)
  }

  /** Constant-time comparison of two hex MACs. */
  static same(a: string, b: string): boolean {
    const x = Buffer.from(a, 'hex')
    const y = Buffer.from(b, 'hex')
    return x.length === y.length && timingSafeEqual(x, y)
  }

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('hex')
  }
}

export function loadOrCreateAuthSecret(dataDir: string): string {
  const path = join(dataDir, 'auth-secret')
  if (existsSync(path)) return readFileSync(path, 'utf8').trim()
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('base64url')
  writeFileSync(path, secret, { mode: 0o600 })
  chmodSync(path, 0o600)
  return secret
}
