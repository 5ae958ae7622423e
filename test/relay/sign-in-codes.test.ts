import { startupLines } from '../../src/relay/cli/startup'
import { describe, expect, it } from 'vitest'
import { defaultConfig, loadConfig, type RelayConfig } from '../../src/relay/config/config'
import { startTestRelay, type Api } from './support/relay'
import { startTestSmtp, type TestSmtp } from './support/smtp'

// Sign-in by one-time code over HTTP, with the relay's real SMTP sender (nodemailer)
// delivering to a real SMTP server (smtp-server) on 127.0.0.1.

const FROM = 'Livestream Billing <no-reply@relay.test>'

async function relayWithMail(auth: Partial<RelayConfig['auth']> = {}, extra: Partial<RelayConfig> = {}) {
  const smtp = await startTestSmtp()
  const base = defaultConfig({ dataDir: '/tmp/unused' }).auth
  const relay = await startTestRelay({ config: { auth: { ...base, smtp: { url: smtp.url, from: FROM }, ...auth }, ...extra } })
  return { ...relay, smtp }
}

const ask = (api: Api, target: string, method = 'email') => api('POST', '/v1/auth/code', { body: { method, target } })
const verify = (api: Api, target: string, code: string, method = 'email', deviceName = 'studio-pc') =>
  api('POST', '/v1/auth/verify', { body: { method, target, code, deviceName } })
const wrongOf = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0')

async function signIn(api: Api, smtp: TestSmtp, email: string, deviceName = 'studio-pc') {
  expect((await ask(api, email)).status).toBe(200)
  const res = await verify(api, email, await smtp.nextCode(email.toLowerCase()), 'email', deviceName)
  expect(res.status).toBe(200)
  return res.body as { accountId: string; deviceId: string; deviceToken: string; newAccount: boolean }
}

describe('sign-in by email code', () => {
  it('delivers a code by SMTP that signs in once, makes the account, and enrols the device', async () => {
    const { api, smtp, relay } = await relayWithMail()
    const sent = await ask(api, '  Streamer@Example.COM ')
    expect(sent.status).toBe(200)
    expect(sent.body).toEqual({ sent: true, expiresAt: relay.core.clock.now() + 10 * 60_000 })
    const mail = await smtp.nextMail('streamer@example.com')
    expect(mail.from).toBe('no-reply@relay.test')
    expect(mail.text).toContain('你的登录验证码是')
    const code = /Your sign-in code is (\d{6})/.exec(mail.text)![1]!

    const first = await verify(api, 'streamer@example.com', code)
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ newAccount: true, deviceToken: expect.stringMatching(/^rdt_/) })
    // The token is a device token like any other: the account answers with this device.
    const me = await api('GET', '/v1/account', { token: first.body.deviceToken })
    expect(me.status).toBe(200)
    expect(me.body.accountId).toBe(first.body.accountId)
    expect(me.body.devices.map((d: { deviceId: string }) => d.deviceId)).toEqual([first.body.deviceId])

    // Used once: the same code again is refused and enrols nothing.
    const again = await verify(api, 'streamer@example.com', code, 'email', 'laptop')
    expect(again.status).toBe(401)
    expect(again.body.error.code).toBe('UNAUTHORIZED')
    expect(relay.db.sqlite.prepare('SELECT count(*) AS n FROM devices').get()).toEqual({ n: 1 })

    // Only HMACs of the code and the target are stored.
    const rows = relay.db.sqlite.prepare('SELECT * FROM sign_in_codes').all() as Record<string, unknown>[]
    expect(rows).toHaveLength(1)
    const stored = JSON.stringify([rows, relay.db.sqlite.prepare('SELECT * FROM sign_in_targets').all()])
    expect(stored).not.toContain(code)
    expect(stored).not.toContain('streamer@example.com')
  })

  it('a second sign-in of the same address joins the same account as another device', async () => {
    const { api, smtp } = await relayWithMail()
    const a = await signIn(api, smtp, 'shop@example.com', 'studio-pc')
    const b = await signIn(api, smtp, 'SHOP@example.com', 'laptop')
    expect(b.newAccount).toBe(false)
    expect(b.accountId).toBe(a.accountId)
    expect(b.deviceId).not.toBe(a.deviceId)
    const me = await api('GET', '/v1/account', { token: b.deviceToken })
    expect(me.body.devices.map((d: { name: string }) => d.name)).toEqual(['studio-pc', 'laptop'])
    // The signed-in device removes the other; that one is refused from then on.
    expect((await api('POST', `/v1/devices/${a.deviceId}/revoke`, { token: b.deviceToken })).status).toBe(200)
    expect((await api('GET', '/v1/account', { token: a.deviceToken })).status).toBe(401)
  })

  it('refuses an expired code, and a newer code retires the older one', async () => {
    const { api, smtp, clock } = await relayWithMail()
    await ask(api, 'late@example.com')
    const code = await smtp.nextCode('late@example.com')
    clock.advance(10 * 60_000)
    const late = await verify(api, 'late@example.com', code)
    expect(late.status).toBe(401)

    await ask(api, 'late@example.com')
    const older = await smtp.nextCode('late@example.com')
    await ask(api, 'late@example.com')
    const newer = await smtp.nextCode('late@example.com')
    if (older !== newer) expect((await verify(api, 'late@example.com', older)).status).toBe(401)
    expect((await verify(api, 'late@example.com', newer)).status).toBe(200)
  })

  it('a wrong code is refused; three wrong entries kill the code', async () => {
    const { api, smtp } = await relayWithMail()
    await ask(api, 'typo@example.com')
    const code = await smtp.nextCode('typo@example.com')
    const wrong = await verify(api, 'typo@example.com', wrongOf(code))
    expect(wrong.status).toBe(401)
    expect(wrong.body.error.message).toBe('sign-in code wrong, expired or used')
    await verify(api, 'typo@example.com', wrongOf(code))
    await verify(api, 'typo@example.com', wrongOf(code))
    expect((await verify(api, 'typo@example.com', code)).status).toBe(401)
    // A malformed code is bad input, not a guess.
    const bad = await verify(api, 'typo@example.com', '12ab')
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('INVALID_INPUT')
  })

  it('guessing locks the target: even the right code is refused until the lockout ends', async () => {
    const { api, smtp, clock, relay } = await relayWithMail({ maxFailures: 5, lockoutMs: 15 * 60_000 })
    const target = 'victim@example.com'
    await ask(api, target)
    let code = await smtp.nextCode(target)
    for (let i = 0; i < 5; i++) {
      if (i === 3) {
        // The first code died after three guesses; the attacker asks for another.
        await ask(api, target)
        code = await smtp.nextCode(target)
      }
      expect((await verify(api, target, wrongOf(code))).status).toBe(401)
    }
    const locked = await verify(api, target, code)
    expect(locked.status).toBe(429)
    expect(locked.body.error.details).toMatchObject({ reason: 'locked' })
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0)
    // No new code is sent while locked either.
    expect((await ask(api, target)).status).toBe(429)
    expect(relay.db.sqlite.prepare('SELECT count(*) AS n FROM devices').get()).toEqual({ n: 0 })

    clock.advance(15 * 60_000)
    const after = await signIn(api, smtp, target)
    expect(after.newAccount).toBe(true)
  })

  it('answers alike for an address with an account and one without', async () => {
    const { api, smtp } = await relayWithMail()
    await signIn(api, smtp, 'known@example.com')
    const known = await ask(api, 'known@example.com')
    const unknown = await ask(api, 'nobody@example.com')
    expect([known.status, unknown.status]).toEqual([200, 200])
    expect(known.body).toEqual(unknown.body)
    // Both get a mail; a wrong code is the same answer for both.
    await smtp.nextCode('known@example.com')
    await smtp.nextCode('nobody@example.com')
    const wk = await verify(api, 'known@example.com', '000000')
    const wu = await verify(api, 'nobody@example.com', '000000')
    expect([wk.status, wk.body]).toEqual([wu.status, wu.body])
    // An address that never asked for a code: the same answer again.
    const never = await verify(api, 'never@example.com', '000000')
    expect([never.status, never.body]).toEqual([wu.status, wu.body])
  })

  it('limits codes per target and requests and guesses per address', async () => {
    const { api, smtp } = await relayWithMail({ codesPerTarget: 2 })
    expect((await ask(api, 'spam@example.com')).status).toBe(200)
    expect((await ask(api, 'spam@example.com')).status).toBe(200)
    const third = await ask(api, 'spam@example.com')
    expect(third.status).toBe(429)
    expect(third.body.error.details).toMatchObject({ reason: 'too_many_codes' })
    expect(smtp.mails.filter((m) => m.to.includes('spam@example.com'))).toHaveLength(2)

    const { api: api2, smtp: smtp2 } = await relayWithMail({ perAddress: 3 })
    for (let i = 0; i < 3; i++) expect((await ask(api2, `a${i}@example.com`)).status).toBe(200)
    expect((await ask(api2, 'a3@example.com')).status).toBe(429)
    // Guesses from one address across many targets stop too.
    for (let i = 0; i < 3; i++) expect((await verify(api2, `g${i}@example.com`, '000000')).status).toBe(401)
    expect((await verify(api2, 'g4@example.com', '000000')).status).toBe(429)
    expect(smtp2.mails).toHaveLength(3)
  })

  it('refuses a malformed target without sending or storing anything', async () => {
    const { api, smtp, relay } = await relayWithMail()
    const r = await ask(api, 'not-an-email')
    expect(r.status).toBe(400)
    expect(r.body.error.code).toBe('INVALID_INPUT')
    expect((await ask(api, '12345', 'sms')).status).toBe(503)
    expect(smtp.mails).toHaveLength(0)
    expect(relay.db.sqlite.prepare('SELECT count(*) AS n FROM sign_in_codes').get()).toEqual({ n: 0 })
  })

  it('says when the mail server cannot take the code', async () => {
    const smtp = await startTestSmtp()
    const base = defaultConfig({ dataDir: '/tmp/unused' }).auth
    const wrongPass = smtp.url.replace('smtp-test-pass', 'wrong')
    const { api } = await startTestRelay({ config: { auth: { ...base, smtp: { url: wrongPass, from: FROM } } } })
    const r = await ask(api, 'someone@example.com')
    expect(r.status).toBe(503)
    expect(r.body.error.details).toMatchObject({ reason: 'send_failed' })
  })
})

describe('sign-in methods switched on and off', () => {
  it('without SMTP and outside the sandbox, email and SMS are off and start-up says so', async () => {
    const { api, relay } = await startTestRelay()
    expect(relay.disabledSignIn.map((d) => d.method)).toEqual(['email', 'sms', 'host'])
    // Start-up says so, once each.
    expect(startupLines(relay).filter((l) => l.startsWith('sign-in by '))).toEqual([
      expect.stringMatching(/^sign-in by email switched off: /),
      expect.stringMatching(/^sign-in by sms switched off: /),
      'sign-in by host switched off: RELAY_HOST_TOKEN_KEYS is not set'
    ])
    expect((await api('GET', '/v1/auth/methods')).body).toEqual({ methods: [], host: false })
    const r = await ask(api, 'a@example.com')
    expect(r.status).toBe(503)
    expect(r.body.error.details).toMatchObject({ reason: 'method_off', method: 'email' })
    expect((await api('POST', '/v1/auth/host', { body: { token: 'x'.repeat(40), deviceName: 'pc' } })).status).toBe(503)
  })

  it('the sandbox sends codes by SMS (and email) to the console', async () => {
    const lines: string[] = []
    const { api } = await startTestRelay({ config: { sandbox: true }, deps: { consoleWrite: (l) => void lines.push(l) } })
    expect((await api('GET', '/v1/auth/methods')).body).toEqual({ methods: ['email', 'sms'], host: false })
    expect((await ask(api, '138 0013 8000', 'sms')).status).toBe(200)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('SMS to +8613800138000')
    const code = /登录验证码 (\d{6})/.exec(lines[0]!)![1]!
    const r = await verify(api, '+86 138-0013-8000', code, 'sms')
    expect(r.status).toBe(200)
    expect(r.body.newAccount).toBe(true)
  })

  it('RELAY_SMTP_URL needs RELAY_SMTP_FROM, and both load into the auth settings', () => {
    expect(() => loadConfig({ RELAY_SMTP_URL: 'smtp://mail.example.com:587' })).toThrow(/RELAY_SMTP_FROM/)
    expect(() => loadConfig({ RELAY_SMTP_URL: 'http://mail.example.com' })).toThrow(/RELAY_SMTP_URL/)
    const c = loadConfig({ RELAY_SMTP_URL: 'smtps://u:p@mail.example.com', RELAY_SMTP_FROM: FROM, RELAY_AUTH_CODE_TTL_MINUTES: '5' })
    expect(c.auth).toMatchObject({ smtp: { url: 'smtps://u:p@mail.example.com', from: FROM }, codeTtlMs: 5 * 60_000, maxFailures: 5 })
  })
})
