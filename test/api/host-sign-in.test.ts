import { generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { parseHostTokenKeys } from '../../src/relay/auth/host-keys'
import { defaultConfig } from '../../src/relay/config/config'
import { startWorld } from '../sync/support'
import { openModule } from './support'

// The public API accepts the host app's own sign-in: the host's login signs a short-lived token,
// the module hands it to the relay, which verifies it and enrols this device.

const host = generateKeyPairSync('ed25519')
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
function hostToken(sub: string, nowSec: number): string {
  const input = `${b64({ alg: 'EdDSA', kid: 'h1' })}.${b64({ iss: 'host-app', aud: 'relay', sub, jti: randomUUID(), iat: nowSec, exp: nowSec + 60 })}`
  return `${input}.${sign(null, Buffer.from(input), host.privateKey).toString('base64url')}`
}

describe('public API: sign-in by the host app’s token', () => {
  it('signs the device in, shows the account, signs out; a forged token is refused with a typed error', async () => {
    const auth = {
      ...defaultConfig({ dataDir: '/tmp/unused' }).auth,
      hostTokenKeys: parseHostTokenKeys(
        JSON.stringify([{ kid: 'h1', alg: 'EdDSA', issuer: 'host-app', audience: 'relay', publicKey: host.publicKey.export({ format: 'pem', type: 'spki' }) }])
      )
    }
    const w = await startWorld({ config: { auth } })
    const { m } = openModule({ relay: { url: w.t.url, publicKey: w.publicKey } })
    expect(await m.sync.account()).toMatchObject({ signedIn: false })
    const now = Math.floor(w.t.clock.now() / 1000)
    const view = await m.sync.signInWithHostToken(hostToken('streamer-42', now), 'studio-pc')
    expect(view).toMatchObject({ signedIn: true, method: 'host' })
    expect(m.sync.enrolled).toBe(true)
    expect(await m.sync.account()).toMatchObject({ signedIn: true, devices: [expect.objectContaining({ name: 'studio-pc', current: true })] })
    expect(await m.sync.signOut()).toMatchObject({ signedIn: false })
    expect(m.sync.enrolled).toBe(false)
    // Re-spelled (the last character's unused bits) or signed for another user: refused.
    const token = hostToken('streamer-42', now)
    const respelled = token.replace(/.$/, (c) => String.fromCharCode(c.charCodeAt(0) ^ 1))
    await expect(m.sync.signInWithHostToken(respelled)).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    const [h, , s] = hostToken('streamer-42', now).split('.')
    const other = `${h}.${b64({ iss: 'host-app', aud: 'relay', sub: 'someone-else', jti: randomUUID(), iat: now, exp: now + 60 })}.${s}`
    await expect(m.sync.signInWithHostToken(other)).rejects.toMatchObject({ code: 'UNAUTHORIZED' })
    expect(m.sync.enrolled).toBe(false)
  })
})
