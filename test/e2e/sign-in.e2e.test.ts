import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startHost, type Host } from '../../src/host/host'
import { createRelay, type Relay } from '../../src/relay/app'
import { defaultConfig } from '../../src/relay/config/config'
import { generateSigningKey } from '../../src/relay/feed/keys'
import type { Locale } from '../../src/shared/ipc/types'
import { makeApi, type Api } from '../relay/support/relay'
import { startTestSmtp, type TestSmtp } from '../relay/support/smtp'
import { launch, shot, type Browser } from './support/browser'
import { ensureRendererBuilt } from './support/build'
import { seeText, texts } from './support/ui'

// The account screen in Chromium, in both languages, against the host (real core and sync
// service) signed out on a real relay whose codes go out by SMTP to a real SMTP server:
// a bad address and a wrong code shown beside their fields, a sign-in by email code, the
// account and its devices, removing another device, signing out back to the free tier.
// Screenshots go to test-artifacts/screenshots/.

let browser: Browser
let relay: Relay
let smtp: TestSmtp
let api: Api
let relayDir: string
let relayUrl: string

let relayConfig: ReturnType<typeof defaultConfig>

/** The relay on its data and port again (after a stop: the venue's network back). */
async function restartRelay(): Promise<void> {
  relay = createRelay({ ...relayConfig, port: Number(new URL(relayUrl).port) }, { logStream: new Writable({ write: (_c, _e, cb) => cb() }) })
  await relay.start()
}

beforeAll(async () => {
  ensureRendererBuilt()
  smtp = await startTestSmtp({ keep: true })
  relayDir = mkdtempSync(join(tmpdir(), 'e2e-signin-relay-'))
  const base = defaultConfig({ dataDir: relayDir })
  relayConfig = {
    ...base,
    port: 0,
    durability: 'normal',
    logLevel: 'warn',
    signingKey: generateSigningKey().privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    auth: { ...base.auth, smtp: { url: smtp.url, from: '直播助手 <no-reply@relay.test>' } }
  }
  relay = createRelay(relayConfig, { logStream: new Writable({ write: (_c, _e, cb) => cb() }) })
  relayUrl = await relay.start()
  api = makeApi(relayUrl)
  browser = await launch()
})
afterAll(async () => {
  await browser?.close()
  await relay?.stop()
  await smtp?.close()
  rmSync(relayDir, { recursive: true, force: true })
})

/** Another computer of the account, signed in over the relay's HTTP API. */
async function otherDevice(email: string, name: string): Promise<string> {
  expect((await api('POST', '/v1/auth/code', { body: { method: 'email', target: email } })).status).toBe(200)
  const r = await api('POST', '/v1/auth/verify', { body: { method: 'email', target: email, code: await smtp.nextCode(email), deviceName: name } })
  expect(r.status).toBe(200)
  return r.body.deviceToken as string
}

describe.each<Locale>(['zh-CN', 'en'])('sign-in screens (%s)', (locale) => {
  const { t } = texts(locale)
  const email = `streamer-${locale.toLowerCase()}@example.com`
  const deviceName = `studio-pc ${locale}`
  let host: Host
  let dir: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'e2e-signin-app-'))
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ locale }))
    host = await startHost({
      dataDir: dir,
      settingsPath: join(dir, 'settings.json'),
      relay: { url: relayUrl, publicKey: relay.key.publicKeyBase64, deviceName }
    })
  })
  afterAll(async () => {
    await browser.page.goto('about:blank')
    await host?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('signed out: the sign-in form, a bad address and a wrong code beside their fields', async () => {
    const { page } = browser
    browser.problems.length = 0
    await page.goto(host.url)
    await page.getByRole('navigation').getByRole('button', { name: t('nav.account') }).click()
    await seeText(page.locator('main'), t('account.freeTier'))
    // Signed out is said as such, not as a failed sync.
    await seeText(page.locator('footer.status-bar'), t('status.signedOut'))
    expect(await page.locator('footer.status-bar').textContent()).not.toContain(t('status.lastError'))
    await shot(page, 'sign-in', locale)

    const address = page.getByLabel(t('account.email'))
    await address.fill('not-an-address')
    await page.getByRole('button', { name: t('account.sendCode') }).click()
    await seeText(page.getByRole('alert'), t('account.error.badTarget'))
    expect(await address.getAttribute('aria-invalid')).toBe('true')
    await shot(page, 'sign-in-bad-address', locale)

    await address.fill(email)
    await page.getByRole('button', { name: t('account.sendCode') }).click()
    const code = await smtp.nextCode(email)
    await page.getByLabel(t('account.code')).waitFor()
    // Nothing is judged before the user tries the code.
    expect(await page.getByRole('alert').count()).toBe(0)
    await page.getByLabel(t('account.code')).fill(code === '000000' ? '000001' : '000000')
    await page.getByRole('button', { name: t('account.signIn'), exact: true }).click()
    await seeText(page.getByRole('alert'), t('account.error.wrongCode'))
    await shot(page, 'sign-in-wrong-code', locale)
    expect(host.sync.enrolled).toBe(false)

    await page.getByLabel(t('account.code')).fill(code)
    await page.getByRole('button', { name: t('account.signIn'), exact: true }).click()
    await seeText(page.getByTestId('account-identity'), email)
    expect(host.sync.enrolled).toBe(true)
    await page.locator('footer.status-bar').getByRole('button', { name: t('status.signedOut') }).waitFor({ state: 'detached' })
    expect(browser.problems).toEqual([])
  })

  it('signed in: the account and its devices; another device removed; sign out back to the free tier', async () => {
    const { page } = browser
    const other = await otherDevice(email, `laptop ${locale}`)
    // Back to the screen: it asks the relay again.
    await page.getByRole('navigation').getByRole('button', { name: t('nav.wallet') }).click()
    await page.getByRole('navigation').getByRole('button', { name: t('nav.account') }).click()
    const devices = page.locator('ul.devices li')
    await seeText(devices.first(), deviceName)
    await seeText(devices.first(), t('account.thisDevice'))
    await seeText(devices.nth(1), `laptop ${locale}`)
    await shot(page, 'account-devices', locale)

    await page.getByRole('button', { name: t('account.removeNamed', { name: `laptop ${locale}` }) }).click()
    await devices.nth(1).waitFor({ state: 'detached' })
    expect((await api('GET', '/v1/account', { token: other })).status).toBe(401)

    await page.getByRole('button', { name: t('account.signOut') }).click()
    await seeText(page.locator('main'), t('account.signInTitle'))
    expect(host.sync.enrolled).toBe(false)
    await shot(page, 'signed-out', locale)
    expect(browser.problems).toEqual([])
  })

  it('signed out while the relay cannot be reached: said so, and finished by the first sync once it answers', async () => {
    const { page } = browser
    const address = page.getByLabel(t('account.email'))
    await address.fill(email)
    await page.getByRole('button', { name: t('account.sendCode') }).click()
    await page.getByLabel(t('account.code')).fill(await smtp.nextCode(email))
    await page.getByRole('button', { name: t('account.signIn'), exact: true }).click()
    await seeText(page.getByTestId('account-identity'), email)
    const token = JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8'))['relay.deviceToken'] as string

    await relay.stop()
    await page.getByRole('button', { name: t('account.signOut') }).click()
    await seeText(page.getByTestId('account-leaving'), t('account.leaving'))
    await seeText(page.locator('main'), t('account.relayUnreachable'))
    expect(host.sync.enrolled).toBe(false)
    await shot(page, 'signed-out-leaving', locale)

    await restartRelay()
    expect((await api('GET', '/v1/account', { token })).status).toBe(200)
    await host.sync.syncNow()
    expect((await api('GET', '/v1/account', { token })).status).toBe(401)
    // The screen asks again by itself after that sync: the notice goes, the form is back.
    await page.getByTestId('account-leaving').waitFor({ state: 'detached' })
    await page.getByLabel(t('account.email')).waitFor()
    expect(browser.problems.every((p) => /Failed to load resource|ERR_CONNECTION_REFUSED|50\d/.test(p))).toBe(true)
    browser.problems.length = 0
  })
})
