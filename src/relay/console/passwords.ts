import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import { InvalidInput } from '../../shared/errors'

// Operator passwords: scrypt (memory-hard, in Node's own crypto), run on the thread pool so a
// login never holds the event loop. Stored as scrypt$N$r$p$salt$hash (base64url), so the cost can
// rise later and old hashes still verify with their own parameters.

const N = 2 ** 15
const R = 8
const P = 1
const KEY_BYTES = 32
export const PASSWORD_MIN = 12
export const PASSWORD_MAX = 200

const derive = (password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const opts: ScryptOptions = { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 }
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, opts, (err, key) => (err ? reject(err) : resolve(key)))
  })

/** Throws InvalidInput unless the password is long enough to stand a guessing attack. */
export function assertPasswordPolicy(password: unknown): asserts password is string {
  if (typeof password !== 'string' || password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new InvalidInput(`a password has ${PASSWORD_MIN}–${PASSWORD_MAX} characters; choose a longer one (a phrase of several words works well)`, {
      field: 'password'
    })
  }
}

export async function hashPassword(password: string): Promise<string> {
  assertPasswordPolicy(password)
  const salt = randomBytes(16)
  const key = await derive(password, salt, N, R, P)
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`
}

/** Whether `password` matches `stored`; false (never a throw) for a malformed stored value. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number]
  if (![n, r, p].every((x) => Number.isSafeInteger(x) && x > 0) || n > 2 ** 20) return false
  const expected = Buffer.from(parts[5]!, 'base64url')
  if (expected.length !== KEY_BYTES || typeof password !== 'string' || password.length > PASSWORD_MAX) return false
  const key = await derive(password, Buffer.from(parts[4]!, 'base64url'), n, r, p)
  return timingSafeEqual(key, expected)
}
