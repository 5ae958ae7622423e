import { createPublicKey, type KeyObject } from 'node:crypto'
import { z } from 'zod'

// The keys a host app's backend signs sign-in tokens with (RELAY_HOST_TOKEN_KEYS): a JSON
// array, one entry per key id, each naming the issuer it stands for and the audience tokens
// must name. Only public keys: the private key stays with the host's backend.

export type HostTokenAlg = 'EdDSA' | 'ES256'

export interface HostTokenKey {
  kid: string
  alg: HostTokenAlg
  issuer: string
  audience: string
  key: KeyObject
}

const EntrySchema = z.strictObject({
  kid: z.string().min(1).max(128),
  alg: z.enum(['EdDSA', 'ES256']),
  issuer: z.string().min(1).max(500),
  audience: z.string().min(1).max(500),
  /** PEM (SPKI; `\n` may be escaped) or a public JWK. */
  publicKey: z.union([z.string().min(1), z.record(z.string(), z.unknown())])
})

export function parseHostTokenKeys(text: string): HostTokenKey[] {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new Error('not JSON: expected an array of {kid, alg, issuer, audience, publicKey}')
  }
  const entries = z.array(EntrySchema).min(1).safeParse(json)
  if (!entries.success) {
    const issue = entries.error.issues[0]
    throw new Error(`${issue?.path.join('.') || '(array)'}: ${issue?.message ?? 'invalid'}`)
  }
  const seen = new Set<string>()
  return entries.data.map((e) => {
    if (seen.has(e.kid)) throw new Error(`kid ${e.kid} appears twice`)
    seen.add(e.kid)
    let key: KeyObject
    try {
      key =
        typeof e.publicKey === 'string'
          ? createPublicKey(e.publicKey.replace(/\\n/g, '\n'))
          : createPublicKey({ key: e.publicKey as import('node:crypto').JsonWebKey, format: 'jwk' })
    } catch (err) {
      throw new Error(`kid ${e.kid}: not a public key (${(err as Error).message})`)
    }
    const fits =
      e.alg === 'EdDSA' ? key.asymmetricKeyType === 'ed25519' : key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
    if (!fits) throw new Error(`kid ${e.kid}: an ${e.alg} key must be ${e.alg === 'EdDSA' ? 'Ed25519' : 'P-256'}`)
    return { kid: e.kid, alg: e.alg, issuer: e.issuer, audience: e.audience, key }
  })
}
