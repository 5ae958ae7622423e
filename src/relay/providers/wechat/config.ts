import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto'
import { z } from 'zod'
import { InvalidInput } from '../../../shared/errors'

// WeChat Pay API v3 credentials, validated once at start-up. The platform certificate or
// platform public key (with its serial / key id) is configured, never fetched while
// verifying: a notification must not be able to choose the key that verifies it.

export const WECHAT_ENV = {
  appId: 'WECHATPAY_APP_ID',
  mchId: 'WECHATPAY_MCH_ID',
  merchantSerialNo: 'WECHATPAY_SERIAL_NO',
  merchantPrivateKey: 'WECHATPAY_PRIVATE_KEY',
  merchantCertificate: 'WECHATPAY_CERTIFICATE',
  apiV3Key: 'WECHATPAY_API_V3_KEY',
  platformCertificate: 'WECHATPAY_PLATFORM_CERTIFICATE',
  platformPublicKey: 'WECHATPAY_PLATFORM_PUBLIC_KEY',
  platformPublicKeyId: 'WECHATPAY_PLATFORM_PUBLIC_KEY_ID',
  notifyUrl: 'WECHATPAY_NOTIFY_URL',
  baseUrl: 'WECHATPAY_BASE_URL',
  timestampToleranceSeconds: 'WECHATPAY_TIMESTAMP_TOLERANCE_S',
  timeoutMs: 'WECHATPAY_TIMEOUT_MS'
} as const

/** Without these the provider is switched off (not an error). */
const CREDENTIAL_FIELDS = ['mchId', 'merchantPrivateKey', 'apiV3Key'] as const

export const WECHAT_PRODUCTION_BASE_URL = 'https://api.mch.weixin.qq.com'

/** WeChat prints serials as upper-case hex; X.509 tools may add leading zeros. */
export function normalizeSerial(serial: string): string {
  return serial.trim().toUpperCase().replace(/^0+(?=.)/, '')
}

const certificate = z.string().refine(
  (pem) => {
    try {
      new X509Certificate(pem)
      return true
    } catch {
      return false
    }
  },
  { message: 'not a valid PEM X.509 certificate' }
)

const privateKey = z.string().transform((pem, ctx) => {
  try {
    const key = createPrivateKey(pem)
    if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA')
    return key.export({ type: 'pkcs8', format: 'pem' }) as string
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not a valid PEM RSA private key' })
    return z.NEVER
  }
})

const publicKey = z.string().transform((pem, ctx) => {
  try {
    return createPublicKey(pem).export({ type: 'spki', format: 'pem' }) as string
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not a valid PEM public key' })
    return z.NEVER
  }
})

export const wechatConfigSchema = z
  .object({
    appId: z.string().regex(/^wx[0-9a-zA-Z]{16}$/, 'an appid is "wx" and 16 characters'),
    mchId: z.string().regex(/^\d{8,12}$/, 'a mchid is 8–12 digits'),
    /** Serial of the merchant API certificate; derived from merchantCertificate when absent. */
    merchantSerialNo: z.string().regex(/^[0-9A-Fa-f]{8,40}$/, 'a certificate serial is hex').optional(),
    /** apiclient_key.pem: signs API requests. */
    merchantPrivateKey: privateKey,
    /** apiclient_cert.pem: only needed to derive the serial. */
    merchantCertificate: certificate.optional(),
    /** APIv3 key: exactly 32 bytes, the AES-256-GCM key of notification resources. */
    apiV3Key: z.string().refine((k) => Buffer.byteLength(k, 'utf8') === 32, 'the APIv3 key must be 32 bytes'),
    /** Platform certificate (wechatpay_xxx.pem): its serial is read from it. */
    platformCertificate: certificate.optional(),
    /** Or the WeChat Pay public key (pub_key.pem) with its id (PUB_KEY_ID_…). Both may be set during a migration. */
    platformPublicKey: publicKey.optional(),
    platformPublicKeyId: z.string().min(1).optional(),
    notifyUrl: z.url(),
    baseUrl: z.url().default(WECHAT_PRODUCTION_BASE_URL),
    /** Notifications and responses whose Wechatpay-Timestamp is further off are refused. */
    timestampToleranceSeconds: z.coerce.number().int().positive().max(3600).default(300),
    timeoutMs: z.coerce.number().int().positive().max(60_000).default(5_000)
  })
  .superRefine((c, ctx) => {
    if (!c.merchantSerialNo && !c.merchantCertificate) {
      ctx.addIssue({ code: 'custom', path: ['merchantSerialNo'], message: 'set the serial or the merchant certificate' })
    }
    if (!c.platformCertificate && !c.platformPublicKey) {
      ctx.addIssue({
        code: 'custom',
        path: ['platformCertificate'],
        message: 'set the platform certificate or the platform public key'
      })
    }
    if (c.platformPublicKey && !c.platformPublicKeyId) {
      ctx.addIssue({ code: 'custom', path: ['platformPublicKeyId'], message: 'the platform public key needs its id' })
    }
    if (c.merchantCertificate && c.merchantPrivateKey) {
      const certKey = new X509Certificate(c.merchantCertificate).publicKey.export({ type: 'spki', format: 'der' })
      const ownKey = createPublicKey(c.merchantPrivateKey).export({ type: 'spki', format: 'der' })
      if (!certKey.equals(ownKey)) {
        ctx.addIssue({
          code: 'custom',
          path: ['merchantCertificate'],
          message: 'the certificate does not belong to the merchant private key'
        })
      }
    }
  })
  .transform((c) => ({
    ...c,
    merchantSerialNo: normalizeSerial(
      c.merchantSerialNo ?? new X509Certificate(c.merchantCertificate as string).serialNumber
    ),
    baseUrl: c.baseUrl.replace(/\/+$/, '')
  }))

export type WechatConfig = z.output<typeof wechatConfigSchema>
export type WechatConfigInput = z.input<typeof wechatConfigSchema>

type Env = Record<string, string | undefined>

function envValue(env: Env, name: string): string | undefined {
  const v = env[name]
  if (v === undefined || v.trim() === '') return undefined
  return v.replace(/\\n/g, '\n')
}

/**
 * Reads the WeChat Pay config from the environment. Returns undefined when no credential
 * variable is set (provider off); throws InvalidInput naming the variable otherwise.
 */
export function wechatConfigFromEnv(env: Env): WechatConfig | undefined {
  if (CREDENTIAL_FIELDS.every((f) => envValue(env, WECHAT_ENV[f]) === undefined)) return undefined
  const raw: Record<string, string | undefined> = {}
  for (const [field, name] of Object.entries(WECHAT_ENV)) raw[field] = envValue(env, name)
  const parsed = wechatConfigSchema.safeParse(raw)
  if (parsed.success) return parsed.data
  const fieldOf = (path: PropertyKey[]) => String(path[0]) as keyof typeof WECHAT_ENV
  const messages = parsed.error.issues.map((issue) => {
    const field = fieldOf(issue.path)
    const missing = raw[field] === undefined && issue.code !== 'custom'
    return `${WECHAT_ENV[field] ?? field}: ${missing ? 'is required' : issue.message}`
  })
  throw new InvalidInput(`WeChat Pay config: ${messages.join('; ')}`, {
    variables: parsed.error.issues.map((i) => WECHAT_ENV[fieldOf(i.path)])
  })
}
