import { verify as verifySignature } from 'node:crypto'
import type { Clock } from '../../node/clock'
import { Unauthorized, type Accounts } from '../accounts/accounts'
import type { RelayStore } from '../store/ports'
import type { HostTokenKey } from './host-keys'
import { signInIdentity, type SignedIn } from './identities'

// Host-issued sign-in: a host app with its own login has its backend sign a short-lived JWT
// (EdDSA or ES256, compact form) for its user; the relay checks it against the configured
// public keys and signs that user in, exactly as a verified code does. Checked: the key id
// is known and its algorithm is the header's, the signature, iss and aud are the key's, exp
// is in the future and at most MAX_LIFETIME_MS after iat, nbf/iat not in the future, sub and
// jti present; the jti is remembered until exp, so the same token never signs in twice.

export const MAX_LIFETIME_MS = 10 * 60_000
const LEEWAY_MS = 30_000

export interface HostClaims {
  issuer: string
  subject: string
  jti: string
  expiresAt: number
}

class HostTokenRefused extends Unauthorized {
  constructor(reason: string, message: string) {
    super(`host token refused: ${message}`, { reason })
  }
}

function part(text: string | undefined, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(text ?? '', 'base64url').toString('utf8'))
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
  } catch {
    /* reported below */
  }
  throw new HostTokenRefused('malformed', `its ${what} is not a JSON object`)
}

/** The claims of a token that passes every check but the replay one (which needs the store). */
export function verifyHostToken(token: string, keys: readonly HostTokenKey[], now: number): HostClaims {
  const pieces = token.split('.')
  if (pieces.length !== 3) throw new HostTokenRefused('malformed', 'not a compact JWT')
  const [h, p, s] = pieces as [string, string, string]
  const header = part(h, 'header')
  const key = keys.find((k) => k.kid === header['kid'])
  if (!key) throw new HostTokenRefused('unknown_key', 'unknown key id')
  if (header['alg'] !== key.alg) throw new HostTokenRefused('wrong_alg', `key ${key.kid} signs ${key.alg}, not ${String(header['alg'])}`)
  const signature = Buffer.from(s, 'base64url')
  // One spelling per signature: base64url that does not re-encode to itself (stray padding
  // bits, other characters) is refused, so a token cannot be re-spelled past its checks.
  if (signature.toString('base64url') !== s) throw new HostTokenRefused('bad_signature', 'signature is not canonical base64url')
  const signed = Buffer.from(`${h}.${p}`, 'ascii')
  const good =
    key.alg === 'EdDSA'
      ? verifySignature(null, signed, key.key, signature)
      : signature.length === 64 && verifySignature('sha256', signed, { key: key.key, dsaEncoding: 'ieee-p1363' }, signature)
  if (!good) throw new HostTokenRefused('bad_signature', 'signature does not verify')
  const c = part(p, 'payload')
  if (c['iss'] !== key.issuer) throw new HostTokenRefused('wrong_issuer', 'issuer is not the key’s')
  const aud = c['aud']
  if (!(aud === key.audience || (Array.isArray(aud) && aud.includes(key.audience)))) throw new HostTokenRefused('wrong_audience', 'audience is not this relay')
  const num = (name: string): number | undefined => (typeof c[name] === 'number' && Number.isFinite(c[name]) ? (c[name] as number) * 1000 : undefined)
  const exp = num('exp')
  const iat = num('iat')
  const nbf = num('nbf')
  if (exp === undefined || iat === undefined) throw new HostTokenRefused('malformed', 'exp and iat are required')
  if (exp <= now - LEEWAY_MS) throw new HostTokenRefused('expired', 'expired')
  if (iat > now + LEEWAY_MS || (nbf !== undefined && nbf > now + LEEWAY_MS)) throw new HostTokenRefused('not_yet_valid', 'issued in the future')
  if (exp - iat > MAX_LIFETIME_MS) throw new HostTokenRefused('too_long_lived', `lives longer than ${MAX_LIFETIME_MS / 60_000} minutes`)
  const sub = c['sub']
  const jti = c['jti']
  if (typeof sub !== 'string' || !sub || sub.length > 256) throw new HostTokenRefused('malformed', 'sub is required')
  if (typeof jti !== 'string' || !jti || jti.length > 256) throw new HostTokenRefused('malformed', 'jti is required')
  return { issuer: key.issuer, subject: sub, jti, expiresAt: exp }
}

export class HostSignIn {
  constructor(
    private readonly deps: { store: RelayStore; clock: Clock; accounts: Accounts; keys: readonly HostTokenKey[] }
  ) {}

  get enabled(): boolean {
    return this.deps.keys.length > 0
  }

  async signIn(token: string, deviceName: string): Promise<SignedIn> {
    const now = this.deps.clock.now()
    const claims = verifyHostToken(token, this.deps.keys, now)
    return this.deps.store.unit(async (tx) => {
      // Remembered in the same unit as the device it buys: a failed sign-in leaves it unused.
      if (!(await tx.signIn.rememberHostToken(claims.issuer, claims.jti, claims.expiresAt + LEEWAY_MS, now))) {
        throw new HostTokenRefused('replayed', 'this token was used already')
      }
      return signInIdentity(tx, this.deps.accounts, { kind: 'host', subject: `${claims.issuer}\u0000${claims.subject}` }, deviceName, now)
    })
  }
}
