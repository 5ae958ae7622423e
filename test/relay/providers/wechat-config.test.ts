import { beforeAll, describe, expect, it } from 'vitest'
import { WECHAT_PRODUCTION_BASE_URL, wechatConfigFromEnv } from '../../../src/relay/providers/wechat'
import { InvalidInput } from '../../../src/shared/errors'
import { generateCertKey, generateWechatKeys, type WechatTestKeys } from '../fakes/wechat'

let keys: WechatTestKeys
beforeAll(() => {
  keys = generateWechatKeys()
})

function env(over: Record<string, string | undefined> = {}) {
  return {
    WECHATPAY_APP_ID: keys.appId,
    WECHATPAY_MCH_ID: keys.mchId,
    WECHATPAY_PRIVATE_KEY: keys.merchant.privateKey.replace(/\n/g, '\\n'),
    WECHATPAY_CERTIFICATE: keys.merchant.certificate,
    WECHATPAY_API_V3_KEY: keys.apiV3Key,
    WECHATPAY_PLATFORM_CERTIFICATE: keys.platform.certificate,
    WECHATPAY_NOTIFY_URL: 'https://relay.example.com/notify/wechat',
    ...over
  }
}

function message(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (err instanceof InvalidInput) return err.message
    throw err
  }
  throw new Error('expected InvalidInput')
}

describe('wechatConfigFromEnv', () => {
  it('is undefined (provider off) when no credential is set', () => {
    expect(wechatConfigFromEnv({ WECHATPAY_NOTIFY_URL: 'https://x.example.com' })).toBeUndefined()
  })

  it('reads a complete config and derives the merchant serial from the certificate', () => {
    const config = wechatConfigFromEnv(env())!
    expect(config.merchantSerialNo).toBe(keys.merchant.serial)
    expect(config.baseUrl).toBe(WECHAT_PRODUCTION_BASE_URL)
    expect(config.timestampToleranceSeconds).toBe(300)
    expect(config.merchantPrivateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/)
  })

  it('accepts a platform public key with its id instead of a certificate', () => {
    const config = wechatConfigFromEnv(
      env({
        WECHATPAY_PLATFORM_CERTIFICATE: undefined,
        WECHATPAY_PLATFORM_PUBLIC_KEY: keys.platform.publicKey,
        WECHATPAY_PLATFORM_PUBLIC_KEY_ID: 'PUB_KEY_ID_01'
      })
    )!
    expect(config.platformPublicKeyId).toBe('PUB_KEY_ID_01')
  })

  it('names the variable of a malformed or missing value', () => {
    expect(message(() => wechatConfigFromEnv(env({ WECHATPAY_API_V3_KEY: 'short' })))).toContain('WECHATPAY_API_V3_KEY')
    expect(message(() => wechatConfigFromEnv(env({ WECHATPAY_PRIVATE_KEY: 'nope' })))).toContain('WECHATPAY_PRIVATE_KEY')
    expect(message(() => wechatConfigFromEnv(env({ WECHATPAY_NOTIFY_URL: undefined })))).toContain(
      'WECHATPAY_NOTIFY_URL: is required'
    )
    expect(message(() => wechatConfigFromEnv(env({ WECHATPAY_PLATFORM_CERTIFICATE: undefined })))).toContain(
      'WECHATPAY_PLATFORM_CERTIFICATE'
    )
    expect(message(() => wechatConfigFromEnv(env({ WECHATPAY_PLATFORM_CERTIFICATE: 'garbage' })))).toContain(
      'WECHATPAY_PLATFORM_CERTIFICATE'
    )
    expect(
      message(() =>
        wechatConfigFromEnv(
          env({ WECHATPAY_PLATFORM_CERTIFICATE: undefined, WECHATPAY_PLATFORM_PUBLIC_KEY: keys.platform.publicKey })
        )
      )
    ).toContain('WECHATPAY_PLATFORM_PUBLIC_KEY_ID')
    expect(message(() => wechatConfigFromEnv(env({ WECHATPAY_CERTIFICATE: undefined })))).toContain('WECHATPAY_SERIAL_NO')
  })

  it('refuses a merchant certificate that does not match the private key', () => {
    const other = generateCertKey('other merchant')
    expect(message(() => wechatConfigFromEnv(env({ WECHATPAY_CERTIFICATE: other.certificate })))).toContain(
      'WECHATPAY_CERTIFICATE'
    )
  })
})
