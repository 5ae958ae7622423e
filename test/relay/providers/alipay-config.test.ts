import { createPrivateKey } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { ALIPAY_PRODUCTION_GATEWAY, alipayConfigFromEnv } from '../../../src/relay/providers/alipay'
import { InvalidInput } from '../../../src/shared/errors'
import { generateAlipayKeys, type AlipayTestKeys } from '../fakes/alipay'

let keys: AlipayTestKeys
beforeAll(() => {
  keys = generateAlipayKeys()
})

function env(over: Record<string, string | undefined> = {}) {
  return {
    ALIPAY_APP_ID: '2021000000000001',
    // Env files often carry PEM on one line with "\n" escapes.
    ALIPAY_PRIVATE_KEY: keys.appPrivateKey.replace(/\n/g, '\\n'),
    ALIPAY_PUBLIC_KEY: keys.alipayPublicKey,
    ALIPAY_NOTIFY_URL: 'https://relay.example.com/notify/alipay',
    ...over
  }
}

function thrown(fn: () => unknown): InvalidInput {
  try {
    fn()
  } catch (err) {
    if (err instanceof InvalidInput) return err
    throw err
  }
  throw new Error('expected InvalidInput')
}

describe('alipayConfigFromEnv', () => {
  it('is undefined (provider off) when no credential is set', () => {
    expect(alipayConfigFromEnv({})).toBeUndefined()
    expect(alipayConfigFromEnv({ ALIPAY_NOTIFY_URL: 'https://x.example.com', ALIPAY_APP_ID: ' ' })).toBeUndefined()
  })

  it('reads a complete config, normalising keys to PEM and defaulting the gateway', () => {
    const config = alipayConfigFromEnv(env())!
    expect(config.appId).toBe('2021000000000001')
    expect(config.gateway).toBe(ALIPAY_PRODUCTION_GATEWAY)
    expect(config.signType).toBe('RSA2')
    expect(config.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/)
    expect(config.alipayPublicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/)
  })

  it("accepts the bare base64 keys Alipay's key tool prints", () => {
    const der = createPrivateKey(keys.appPrivateKey).export({ type: 'pkcs8', format: 'der' }).toString('base64')
    const bareSpki = keys.alipayPublicKey.replace(/-----[A-Z ]+-----|\s/g, '')
    const config = alipayConfigFromEnv(env({ ALIPAY_PRIVATE_KEY: der, ALIPAY_PUBLIC_KEY: bareSpki }))!
    expect(config.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/)
  })

  it('names the variable of a malformed or missing value', () => {
    expect(thrown(() => alipayConfigFromEnv(env({ ALIPAY_PRIVATE_KEY: 'not a key' }))).message).toContain(
      'ALIPAY_PRIVATE_KEY'
    )
    expect(thrown(() => alipayConfigFromEnv(env({ ALIPAY_NOTIFY_URL: undefined }))).message).toContain(
      'ALIPAY_NOTIFY_URL: is required'
    )
    expect(thrown(() => alipayConfigFromEnv(env({ ALIPAY_GATEWAY: 'nowhere' }))).message).toContain('ALIPAY_GATEWAY')
    expect(thrown(() => alipayConfigFromEnv(env({ ALIPAY_APP_ID: 'abc' }))).message).toContain('ALIPAY_APP_ID')
    expect(thrown(() => alipayConfigFromEnv(env({ ALIPAY_SIGN_TYPE: 'RSA' }))).message).toContain('ALIPAY_SIGN_TYPE')
    // A partial set of credentials is an error, not "off".
    expect(thrown(() => alipayConfigFromEnv(env({ ALIPAY_PUBLIC_KEY: undefined }))).message).toContain(
      'ALIPAY_PUBLIC_KEY'
    )
  })
})
