import { generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseHostTokenKeys } from '../../src/relay/auth/host-keys'
import { defaultConfig } from '../../src/relay/config/config'
import type { BillingError } from '../../src/shared/errors'
import { tempDir } from '../support/db'
import { startTestSmtp } from '../relay/support/smtp'
import { nodeHttpFetch, type RelayFetch } from '../../src/main/sync/http-transport'
import { openDevice, startWorld, topUp, type World } from './support'

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

function app(w: World, name: string, dir = tempDir(`signin-${name}-`), fetch?: RelayFetch) {
  return { ...openDevice(w, name, dir, { deviceName: name, ...(fetch ? { fetch } : {}) }), dir }
}

/** The relay seen through a network that can be cut (a venue's Wi-Fi that drops). */
function cable() {
  let cut = false
  const fetch: RelayFetch = (url, init) => (cut ? Promise.reject(new TypeError('fetch failed')) : nodeHttpFetch(url, init))
  return { fetch, cut: () => void (cut = true), mend: () => void (cut = false) }
}

const secretsOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')) as Record<string, string>
const usageOnRelay = (w: World, deviceId?: string) =>
  (w.t.relay.db.sqlite.prepare(`SELECT count(*) AS n FROM outbox_records WHERE kind = 'usage'${deviceId ? ' AND device_id = ?' : ''}`).get(...(deviceId ? [deviceId] : [])) as { n: number }).n

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

  it('signing out with the relay out of reach signs out at once; once it answers, what was pending goes up from this device and the device is revoked', async () => {
    const { w, smtp } = await world()
    const net = cable()
    const a = app(w, 'studio-pc', undefined, net.fetch)
    const view = await signIn(a, smtp, 'venue@example.com')
    if (!view.signedIn) throw new Error('not signed in')
    const token = secretsOf(a.dir)['relay.deviceToken']!
    net.cut()
    a.billing.quotas.consume('ai_request', 2, 'offline-before-sign-out')
    expect(await a.sync.account.signOut()).toEqual({ signedIn: false, methods: null, leaving: true })
    // Used signed out: never pushed as the departed device's.
    a.billing.quotas.consume('ai_request', 1, 'signed-out-offline-use')
    expect(a.sync.enrolled).toBe(false)
    expect(a.sync.leaseStatus()).toBe('none')
    // Signed out here, but the relay has neither the use nor the revocation yet.
    expect(secretsOf(a.dir)['relay.deviceToken']).toBeUndefined()
    expect((await w.t.api('GET', '/v1/account', { token })).status).toBe(200)
    expect(usageOnRelay(w)).toBe(0)
    await a.sync.syncNow()
    expect(usageOnRelay(w)).toBe(0)

    net.mend()
    await a.sync.syncNow()
    expect(usageOnRelay(w, view.deviceId)).toBe(1)
    expect((await w.t.api('GET', '/v1/account', { token })).status).toBe(401)
    expect(secretsOf(a.dir)).toEqual({})
    expect(await a.sync.account.view()).toEqual({ signedIn: false, methods: ['email'] })
    expect(usageOnRelay(w)).toBe(1)
    // Nothing is sent twice: a later sign-in pushes what was used signed out, as the new device's.
    a.billing.quotas.consume('ai_request', 1, 'signed-out-use')
    const back = await signIn(a, smtp, 'venue@example.com')
    if (!back.signedIn) throw new Error('not signed in')
    await a.sync.syncNow()
    expect(usageOnRelay(w)).toBe(3)
    expect(usageOnRelay(w, back.deviceId)).toBe(2)
  })

  it('wallet spending pushed by a departed device is not taken twice when the relay’s echo arrives after the next sign-in', async () => {
    const { w, smtp } = await world()
    const net = cable()
    const a = app(w, 'studio-pc', undefined, net.fetch)
    await signIn(a, smtp, 'wallet@example.com')
    await topUp(w, a, 1000)
    expect(a.billing.wallet.balance().amount).toBe(1000)
    net.cut()
    expect(a.billing.wallet.consume({ key: 'offline-spend', amount: { amount: 300, currency: 'CNY' }, feature: 'ai_request', reason: 'stream' }).balance.amount).toBe(700)
    await a.sync.account.signOut()
    net.mend()
    await a.sync.syncNow()
    // The relay has the spend; the echo (stamped with the departed device) is pulled only after a sign-in.
    await signIn(a, smtp, 'wallet@example.com')
    await a.sync.syncNow()
    expect(a.billing.wallet.balance().amount).toBe(700)
    // Its own echo: the spend counts as synced, and the wallet agrees with the relay.
    expect(a.sync.allowance()).toBe(700)
    expect(a.sync.state().warnings).not.toContain('ledger_tampered')
    expect((await w.t.api('GET', '/v1/account', { token: secretsOf(a.dir)['relay.deviceToken']! })).body.wallet.balance.amount).toBe(700)
  })

  it('a device removed from another while it was leaving is dropped from the departures; its pending use waits for the next sign-in', async () => {
    const { w, smtp } = await world()
    const net = cable()
    const a = app(w, 'studio-pc', undefined, net.fetch)
    const b = app(w, 'phone-pc')
    const view = await signIn(a, smtp, 'two@example.com')
    if (!view.signedIn) throw new Error('not signed in')
    await signIn(b, smtp, 'two@example.com')
    net.cut()
    a.billing.quotas.consume('ai_request', 1, 'before-removal')
    expect(await a.sync.account.signOut()).toMatchObject({ signedIn: false, leaving: true })
    await b.sync.account.removeDevice(view.deviceId)
    net.mend()
    await a.sync.syncNow()
    expect(secretsOf(a.dir)).toEqual({})
    expect(usageOnRelay(w)).toBe(0)
    const back = await signIn(a, smtp, 'two@example.com')
    if (!back.signedIn) throw new Error('not signed in')
    await a.sync.syncNow()
    expect(usageOnRelay(w, back.deviceId)).toBe(1)
  })

  it('signed out offline, then in again: the first departure ends in the sign-in’s run; signed out offline once more, the second ends when the relay answers', async () => {
    const { w, smtp } = await world()
    const net = cable()
    const a = app(w, 'studio-pc', undefined, net.fetch)
    const first = await signIn(a, smtp, 'again@example.com')
    const t1 = secretsOf(a.dir)['relay.deviceToken']!
    net.cut()
    await a.sync.account.signOut()
    net.mend()
    // Signing in brings the first departure to an end in the run that follows it.
    const second = await signIn(a, smtp, 'again@example.com')
    if (!first.signedIn || !second.signedIn) throw new Error('not signed in')
    const t2 = secretsOf(a.dir)['relay.deviceToken']!
    expect((await w.t.api('GET', '/v1/account', { token: t1 })).status).toBe(401)
    net.cut()
    a.billing.quotas.consume('ai_request', 1, 'second-device-use')
    expect(await a.sync.account.signOut()).toMatchObject({ leaving: true })
    expect(JSON.parse(secretsOf(a.dir)['relay.leavingDevices']!)).toEqual([{ deviceId: second.deviceId, token: t2, relayUrl: w.t.url, untilSeq: expect.any(Number) }])
    net.mend()
    await a.sync.syncNow()
    expect((await w.t.api('GET', '/v1/account', { token: t2 })).status).toBe(401)
    expect(usageOnRelay(w, second.deviceId)).toBe(1)
    expect(secretsOf(a.dir)).toEqual({})
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
