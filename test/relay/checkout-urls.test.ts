import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/relay/config/config'
import { isAllowedReturnUrl, parseReturnUrlRule } from '../../src/relay/orders/return-urls'
import { tempDir } from '../support/db'
import { createTestProvider } from './support/hmac-provider'
import { enrolDevice, newKey, startTestRelay } from './support/relay'

// returnUrl / cancelUrl from a device reach a provider only inside RELAY_RETURN_URL_ALLOWLIST;
// anything else is a 400 that creates nothing (no open redirect behind the merchant's page).

const ALLOWLIST = 'https://app.example, https://pay.example:8443/billing/'

async function setup(allowlist?: string) {
  const provider = createTestProvider('stripe')
  const env = { RELAY_DATA_DIR: tempDir('relay-urls-'), ...(allowlist !== undefined ? { RELAY_RETURN_URL_ALLOWLIST: allowlist } : {}) }
  const t = await startTestRelay({ providers: [provider], config: { returnUrlAllowlist: loadConfig(env).returnUrlAllowlist } })
  const dev = await enrolDevice(t.api)
  const orderCount = () => (t.relay.db.sqlite.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n
  const post = (urls: { returnUrl?: string; cancelUrl?: string }, key = newKey()) =>
    t.api('POST', '/v1/checkouts', {
      token: dev.token,
      headers: { 'idempotency-key': key },
      body: { provider: 'stripe', item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' }, ...urls }
    })
  return { t, provider, post, orderCount }
}

function configError(value: string): ConfigError {
  try {
    loadConfig({ RELAY_DATA_DIR: tempDir('relay-urls-'), RELAY_RETURN_URL_ALLOWLIST: value })
  } catch (err) {
    if (err instanceof ConfigError) return err
    throw err
  }
  throw new Error(`expected a ConfigError for ${value}`)
}

describe('client return URLs', () => {
  it('by default refuses any client URL with a typed 400, creating nothing; without URLs the provider defaults apply', async () => {
    const { post, provider, orderCount } = await setup()
    const key = newKey()
    for (const urls of [{ returnUrl: 'https://app.example/paid' }, { cancelUrl: 'https://app.example/cancel' }]) {
      const r = await post(urls, key)
      expect(r.status, r.text).toBe(400)
      expect(r.body.error.code).toBe('INVALID_INPUT')
      expect(r.body.error.details.fields).toEqual(Object.keys(urls))
    }
    expect(orderCount()).toBe(0)
    expect(provider.checkouts).toHaveLength(0)
    // The refused request did not claim the key: the same key without URLs goes through.
    const ok = await post({}, key)
    expect(ok.status, ok.text).toBe(200)
    expect(provider.checkouts).toHaveLength(1)
    expect(provider.checkouts[0]).not.toHaveProperty('returnUrl')
    expect(provider.checkouts[0]).not.toHaveProperty('cancelUrl')
  })

  it('passes URLs inside the allowlist to the provider', async () => {
    const { post, provider } = await setup(ALLOWLIST)
    const urls = { returnUrl: 'https://app.example/any/path?order=1', cancelUrl: 'https://pay.example:8443/billing/cancel#top' }
    const r = await post(urls)
    expect(r.status, r.text).toBe(200)
    expect(provider.checkouts.at(-1)).toMatchObject(urls)
    expect((await post({ returnUrl: 'https://pay.example:8443/billing' })).status).toBe(200)
  })

  it('refuses look-alikes of allowed URLs, naming the field, and creates nothing', async () => {
    const { post, provider, orderCount } = await setup(ALLOWLIST)
    const refused = [
      'https://evil.example/paid',
      'http://app.example/paid', // scheme differs
      'https://app.example:444/paid', // port differs
      'https://app.example.evil.example/paid',
      'https://app.example@evil.example/paid',
      'https://user:pw@app.example/paid', // credentials in an allowed origin
      'https://pay.example/billing/x', // default port, not 8443
      'https://pay.example:8443/billing-evil',
      'https://pay.example:8443/other?next=/billing/',
      'https://evil.example/?next=https://app.example/',
      'javascript:alert(1)//https://app.example/'
    ]
    for (const url of refused) {
      const r = await post({ returnUrl: url })
      expect(r.status, url).toBe(400)
      expect(r.body.error.code).toBe('INVALID_INPUT')
      expect(r.body.error.details.fields).toEqual(['returnUrl'])
      const cancel = await post({ returnUrl: 'https://app.example/ok', cancelUrl: url })
      expect(cancel.status, url).toBe(400)
      expect(cancel.body.error.details.fields).toEqual(['cancelUrl'])
    }
    expect(orderCount()).toBe(0)
    expect(provider.checkouts).toHaveLength(0)
  })

  it('RELAY_RETURN_URL_ALLOWLIST: a malformed entry stops start-up naming the variable; a JSON file may give it too', () => {
    for (const bad of ['not a url', 'ftp://files.example', 'https://app.example/?q=1', 'https://app.example/#x', 'https://u:p@app.example']) {
      const err = configError(bad)
      expect(err.variable, bad).toBe('RELAY_RETURN_URL_ALLOWLIST')
      expect(err.message).toMatch(/^RELAY_RETURN_URL_ALLOWLIST: /)
    }
    expect(loadConfig({ RELAY_DATA_DIR: tempDir('relay-urls-') }).returnUrlAllowlist).toEqual([])
    const dir = tempDir('relay-urls-')
    const file = join(dir, 'relay.json')
    writeFileSync(file, JSON.stringify({ RELAY_RETURN_URL_ALLOWLIST: 'https://APP.example/Billing/' }))
    expect(loadConfig({ RELAY_DATA_DIR: dir, RELAY_CONFIG_FILE: file }).returnUrlAllowlist).toEqual([
      { origin: 'https://app.example', pathPrefix: '/Billing' }
    ])
  })

  it('an origin rule allows exactly the URLs of that origin (property)', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.webUrl(), (url, other) => {
        const origin = new URL(url).origin
        expect(isAllowedReturnUrl(url, [parseReturnUrlRule(origin)])).toBe(true)
        expect(isAllowedReturnUrl(url, [parseReturnUrlRule(new URL(other).origin)])).toBe(new URL(other).origin === origin)
      })
    )
  })
})
