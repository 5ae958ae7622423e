import { generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseHostTokenKeys } from '../../src/relay/auth/host-keys'
import { defaultConfig } from '../../src/relay/config/config'
import type { BillingError } from '../../src/shared/errors'
import { tempDir } from '../support/db'
import { startTestSmtp } from '../relay/support/smtp'
import { openDevice, startWorld, type World } from './support'

// The app's side of sign-in: the real sync service of two app instances against the real
// relay, codes delivered by the relay's SMTP sender to a real SMTP server.

const host = generateKeyPairSync('ed25519')

async function world() {
  const smtp = await startTestSmtp()
  const auth = {
    ...defaultConfig({ dataDir: '/tmp/unused' }).auth,
    smtp: { url: smtp.url, from: 'no-reply@relay.test' },
    hostTokenKeys: parseHostTokenKeys(
      JSON.stringify([{ kid: 'h1', alg: 'EdDSA', issuer: 'host-app', audience: 'relay', publicKey: host.publicKey.export({ format: 'pem', type: 'spki' }) }])
    )
  }
  const w = await startWorld({ config: { auth } })
  return { w, smtp }
}

function app(w: World, name: string, dir = tempDir(`signin-${name}-`)) {
  return { ...openDevice(w, name, dir, { deviceName: name }), dir }
}

async function signIn(a: ReturnType<typeof app>, smtp: Awaited<ReturnType<typeof world>>['smtp'], email: string) {
  await a.sync.account.requestCode('email', email)
  return a.sync.account.verifyCode('email', email, await smtp.nextCode(email))
}

const failure = async (p: Promise<unknown>): Promise<BillingError> => {
  try {
    await p
  } catch (err) {
    return err as BillingError
  }
  throw new Error('expected a failure')
}

describe('signing in from the app', () => {
  it('signed out it offers the relay’s methods; a code signs in and the device syncs as an enrolled one', async () => {
    const { w, smtp } = await world()
    const a = app(w, 'studio-pc')
    expect(a.sync.enrolled).toBe(false)
    expect(await a.sync.account.view()).toEqual({ signedIn: false, methods: ['email'] })

    const { expiresAt } = await a.sync.account.requestCode('email', 'streamer@example.com')
    expect(expiresAt).toBe(w.t.clock.now() + 10 * 60_000)
    const view = await a.sync.account.verifyCode('email', 'streamer@example.com', await smtp.nextCode('streamer@example.com'))
    expect(view).toMatchObject({ signedIn: true, method: 'email', target: 'streamer@example.com' })
    if (!view.signedIn) throw new Error('not signed in')
    expect(view.devices).toEqual([{ deviceId: view.deviceId, name: 'studio-pc', enrolledAt: w.t.clock.now(), current: true }])
    expect(a.sync.enrolled).toBe(true)
    // The token sits in the secret store; sync runs and fetches the lease like any enrolled device.
    expect(JSON.parse(readFileSync(join(a.dir, 'secrets.json'), 'utf8'))['relay.deviceToken']).toMatch(/^rdt_/)
    // The relay is remembered with the token, for starts where it is not configured.
    expect(JSON.parse(readFileSync(join(a.dir, 'settings.json'), 'utf8'))).toMatchObject({ relayUrl: w.t.url, relayPublicKey: w.publicKey, signInMethod: 'email' })
    const state = await a.sync.syncNow()
    expect(state.lastError).toBeNull()
    expect(a.sync.leaseStatus()).toBe('honoured')

    // Signed in, a second sign-in is refused (sign out first).
    expect((await failure(a.sync.account.requestCode('email', 'x@example.com'))).code).toBe('INVALID_TRANSITION')
  })

  it('lists the account’s devices; one removes the other, which finds itself signed out', async () => {
    const { w, smtp } = await world()
    const a = app(w, 'studio-pc')
    const b = app(w, 'laptop')
    await signIn(a, smtp, 'shop@example.com')
    await signIn(b, smtp, 'shop@example.com')
    const seen = await a.sync.account.view()
    if (!seen.signedIn) throw new Error('not signed in')
    expect(seen.devices?.map((d) => [d.name, d.current])).toEqual([
      ['studio-pc', true],
      ['laptop', false]
    ])
    const laptop = seen.devices![1]!.deviceId
    expect((await failure(a.sync.account.removeDevice(seen.deviceId))).code).toBe('INVALID_INPUT')
    const after = await a.sync.account.removeDevice(laptop)
    expect(after.signedIn && after.devices?.map((d) => d.name)).toEqual(['studio-pc'])
    // The laptop learns it at its next look: its token is forgotten, it runs signed out.
    expect(await b.sync.account.view()).toEqual({ signedIn: false, methods: ['email'] })
    expect(b.sync.enrolled).toBe(false)
    // Removing it again: the relay no longer lists it as active, revoking twice changes nothing.
    const again = await a.sync.account.removeDevice(laptop)
    expect(again.signedIn && again.devices?.length).toBe(1)
  })

  it('signing out pushes what is pending, revokes the token, and leaves the free tier; twice is harmless', async () => {
    const { w, smtp } = await world()
    const a = app(w, 'studio-pc')
    await signIn(a, smtp, 'out@example.com')
    const token = JSON.parse(readFileSync(join(a.dir, 'secrets.json'), 'utf8'))['relay.deviceToken'] as string
    a.billing.quotas.consume('ai_request', 3, 'before-sign-out')
    expect(await a.sync.account.signOut()).toEqual({ signedIn: false, methods: ['email'] })
    expect(a.sync.enrolled).toBe(false)
    expect(a.sync.leaseStatus()).toBe('none')
    expect((await w.t.api('GET', '/v1/account', { token })).status).toBe(401)
    expect(JSON.parse(readFileSync(join(a.dir, 'secrets.json'), 'utf8'))).toEqual({})
    const pushed = w.t.relay.db.sqlite.prepare("SELECT count(*) AS n FROM outbox_records WHERE kind = 'usage'").get() as { n: number }
    expect(pushed.n).toBe(1)
    expect(await a.sync.account.signOut()).toEqual({ signedIn: false, methods: ['email'] })
    // Local use goes on signed out, and signing in again to the same account works.
    a.billing.quotas.consume('ai_request', 1, 'signed-out-use')
    const back = await signIn(a, smtp, 'out@example.com')
    expect(back.signedIn).toBe(true)
    await a.sync.syncNow()
    expect((w.t.relay.db.sqlite.prepare("SELECT count(*) AS n FROM outbox_records WHERE kind = 'usage'").get() as { n: number }).n).toBe(2)
  })

  it('this computer’s data stays with its account: signing in to another is refused and its device revoked', async () => {
    const { w, smtp } = await world()
    const a = app(w, 'studio-pc')
    await signIn(a, smtp, 'first@example.com')
    await a.sync.account.signOut()
    await a.sync.account.requestCode('email', 'second@example.com')
    const err = await failure(a.sync.account.verifyCode('email', 'second@example.com', await smtp.nextCode('second@example.com')))
    expect(err.code).toBe('FORBIDDEN')
    expect(err.details).toEqual({ reason: 'other_account' })
    expect(a.sync.enrolled).toBe(false)
    const devices = w.t.relay.db.sqlite.prepare('SELECT revoked_at FROM devices ORDER BY enrolled_at, id').all() as { revoked_at: number | null }[]
    expect(devices.every((d) => d.revoked_at !== null)).toBe(true)
  })

  it('a wrong code, a lockout and a stopped relay come back as typed errors with their reason', async () => {
    const { w, smtp } = await world()
    const a = app(w, 'studio-pc')
    await a.sync.account.requestCode('email', 'typo@example.com')
    const code = await smtp.nextCode('typo@example.com')
    const wrong = await failure(a.sync.account.verifyCode('email', 'typo@example.com', code === '000000' ? '000001' : '000000'))
    expect(wrong.code).toBe('UNAUTHORIZED')
    expect((await failure(a.sync.account.requestCode('sms', '+8613800138000'))).details).toMatchObject({ reason: 'method_off' })
    expect((await failure(a.sync.account.requestCode('email', 'nope'))).code).toBe('INVALID_INPUT')
    for (let i = 0; i < 4; i++) await failure(a.sync.account.verifyCode('email', 'typo@example.com', '000000'))
    expect((await failure(a.sync.account.verifyCode('email', 'typo@example.com', code))).details).toMatchObject({ reason: 'locked' })

    await w.t.relay.stop()
    expect(await a.sync.account.view()).toEqual({ signedIn: false, methods: null })
    expect((await failure(a.sync.account.requestCode('email', 'x@example.com'))).details).toEqual({ reason: 'offline' })
  })

  it('a host app’s signed token signs the device in (the host-integration API calls this)', async () => {
    const { w } = await world()
    const a = app(w, 'studio-pc')
    const now = Math.floor(w.t.clock.now() / 1000)
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
    const input = `${b64({ alg: 'EdDSA', kid: 'h1' })}.${b64({ iss: 'host-app', aud: 'relay', sub: 'u-1', jti: randomUUID(), iat: now, exp: now + 60 })}`
    const token = `${input}.${sign(null, Buffer.from(input), host.privateKey).toString('base64url')}`
    const view = await a.sync.account.withHostToken(token)
    expect(view).toMatchObject({ signedIn: true, method: 'host', target: null })
    await a.sync.account.signOut()
    // The same token again: refused as a replay.
    expect((await failure(a.sync.account.withHostToken(token))).details).toEqual({ reason: 'replayed' })
  })
})
