import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/relay/config/config'
import { parseHostTokenKeys } from '../../src/relay/auth/host-keys'
import { defaultConfig } from '../../src/relay/config/config'
import { startTestRelay, type Api } from './support/relay'

// Host-issued sign-in: the test plays the host app's backend, signing JWTs with keys it
// generates; the relay knows only their public halves (RELAY_HOST_TOKEN_KEYS).

const ISS = 'https://host.example.com'
const AUD = 'livestream-billing-relay'

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')

function jwt(key: KeyObject, alg: 'EdDSA' | 'ES256', kid: string, claims: Record<string, unknown>): string {
  const input = `${b64({ alg, kid, typ: 'JWT' })}.${b64(claims)}`
  const sig =
    alg === 'EdDSA' ? sign(null, Buffer.from(input), key) : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
  return `${input}.${sig.toString('base64url')}`
}

async function hostRelay() {
  const ed = generateKeyPairSync('ed25519')
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const keysJson = JSON.stringify([
    { kid: 'ed-1', alg: 'EdDSA', issuer: ISS, audience: AUD, publicKey: ed.publicKey.export({ format: 'pem', type: 'spki' }) },
    { kid: 'ec-1', alg: 'ES256', issuer: ISS, audience: AUD, publicKey: ec.publicKey.export({ format: 'jwk' }) }
  ])
  const base = defaultConfig({ dataDir: '/tmp/unused' }).auth
  const relay = await startTestRelay({ config: { auth: { ...base, hostTokenKeys: parseHostTokenKeys(keysJson) } } })
  const now = () => Math.floor(relay.clock.now() / 1000)
  const claims = (over: Record<string, unknown> = {}) => ({ iss: ISS, aud: AUD, sub: 'host-user-42', jti: randomUUID(), iat: now(), exp: now() + 120, ...over })
  return {
    ...relay,
    ed: (over?: Record<string, unknown>, kid = 'ed-1') => jwt(ed.privateKey, 'EdDSA', kid, claims(over)),
    ec: (over?: Record<string, unknown>) => jwt(ec.privateKey, 'ES256', 'ec-1', claims(over)),
    edKey: ed.privateKey
  }
}

const hostSignIn = (api: Api, token: string, deviceName = 'studio-pc') => api('POST', '/v1/auth/host', { body: { token, deviceName } })

describe('host-issued sign-in', () => {
  it('a valid EdDSA or ES256 token signs the host user in, to one account', async () => {
    const { api, ed, ec } = await hostRelay()
    expect((await api('GET', '/v1/auth/methods')).body).toEqual({ methods: [], host: true })
    const first = await hostSignIn(api, ed())
    expect(first.status).toBe(200)
    expect(first.body.newAccount).toBe(true)
    const second = await hostSignIn(api, ec(), 'laptop')
    expect(second.status).toBe(200)
    expect(second.body).toMatchObject({ newAccount: false, accountId: first.body.accountId })
    const me = await api('GET', '/v1/account', { token: second.body.deviceToken })
    expect(me.body.devices).toHaveLength(2)
    // Another user of the same host is another account.
    const other = await hostSignIn(api, ed({ sub: 'host-user-43' }))
    expect(other.body.accountId).not.toBe(first.body.accountId)
  })

  it('refuses an expired, a too long-lived and a not-yet-valid token', async () => {
    const { api, ed, clock } = await hostRelay()
    const token = ed()
    clock.advance(10 * 60_000)
    const expired = await hostSignIn(api, token)
    expect(expired.status).toBe(401)
    expect(expired.body.error.details).toEqual({ reason: 'expired' })
    const now = Math.floor(clock.now() / 1000)
    expect((await hostSignIn(api, ed({ iat: now, exp: now + 3600 }))).body.error.details).toEqual({ reason: 'too_long_lived' })
    expect((await hostSignIn(api, ed({ iat: now + 600, exp: now + 700 }))).body.error.details).toEqual({ reason: 'not_yet_valid' })
    expect((await hostSignIn(api, ed({ exp: undefined }))).body.error.details).toEqual({ reason: 'malformed' })
  })

  it('refuses a wrong audience or issuer, an unknown key id, a forged signature, a missing jti', async () => {
    const { api, ed, edKey } = await hostRelay()
    const reason = async (token: string) => {
      const r = await hostSignIn(api, token)
      expect(r.status).toBe(401)
      expect(r.body.error.code).toBe('UNAUTHORIZED')
      return (r.body.error.details as { reason: string }).reason
    }
    expect(await reason(ed({ aud: 'another-relay' }))).toBe('wrong_audience')
    expect((await hostSignIn(api, ed({ aud: ['another-relay', AUD] }))).status).toBe(200)
    expect(await reason(ed({ iss: 'https://evil.example.com' }))).toBe('wrong_issuer')
    expect(await reason(ed({}, 'ed-unknown'))).toBe('unknown_key')
    // Signed by a key the relay does not know, under a known kid.
    const stranger = generateKeyPairSync('ed25519').privateKey
    expect(await reason(jwt(stranger, 'EdDSA', 'ed-1', { iss: ISS, aud: AUD, sub: 'x', jti: 'j-1', iat: 0, exp: 1 }))).toBe('bad_signature')
    // The ES256 key id with an EdDSA header: no algorithm switching.
    expect(await reason(jwt(edKey, 'EdDSA', 'ec-1', { iss: ISS, aud: AUD, sub: 'x', jti: 'j-2', iat: 0, exp: 1 }))).toBe('wrong_alg')
    expect(await reason(ed({ jti: undefined }))).toBe('malformed')
    expect(await reason('a.b.c-not-a-token-at-all')).toBe('malformed')
  })

  it('a replayed token is refused and enrols nothing', async () => {
    const { api, ed, relay } = await hostRelay()
    const token = ed()
    expect((await hostSignIn(api, token)).status).toBe(200)
    const replay = await hostSignIn(api, token, 'attacker')
    expect(replay.status).toBe(401)
    expect(replay.body.error.details).toEqual({ reason: 'replayed' })
    expect(relay.db.sqlite.prepare('SELECT name FROM devices').all()).toEqual([{ name: 'studio-pc' }])
  })

  it('RELAY_HOST_TOKEN_KEYS is checked at start-up', () => {
    const ed = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }) as string
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }) as string
    const entry = { kid: 'k', alg: 'EdDSA', issuer: ISS, audience: AUD, publicKey: ed.replace(/\n/g, '\\n') }
    expect(loadConfig({ RELAY_HOST_TOKEN_KEYS: JSON.stringify([entry]) }).auth.hostTokenKeys).toHaveLength(1)
    expect(() => loadConfig({ RELAY_HOST_TOKEN_KEYS: 'nope' })).toThrow(/RELAY_HOST_TOKEN_KEYS: not JSON/)
    expect(() => loadConfig({ RELAY_HOST_TOKEN_KEYS: JSON.stringify([{ ...entry, publicKey: ec }]) })).toThrow(/must be Ed25519/)
    expect(() => loadConfig({ RELAY_HOST_TOKEN_KEYS: JSON.stringify([entry, entry]) })).toThrow(/appears twice/)
    expect(() => loadConfig({ RELAY_HOST_TOKEN_KEYS: JSON.stringify([{ ...entry, audience: undefined }]) })).toThrow(/audience/)
  })
})
