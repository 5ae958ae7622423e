import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { z } from 'zod'
import { InvalidInput } from '../../../shared/errors'

// Alipay credentials, validated once at start-up. Keys are accepted the way Alipay's
// console hands them out (bare base64, PKCS#1 or PKCS#8 PEM) and normalised to PEM, so a
// wrong paste fails here with the variable's name instead of at the first payment.

/** Environment variable per config field; `alipayConfigFromEnv` names them in its errors. */
export const ALIPAY_ENV = {
  appId: 'ALIPAY_APP_ID',
  privateKey: 'ALIPAY_PRIVATE_KEY',
  alipayPublicKey: 'ALIPAY_PUBLIC_KEY',
  gateway: 'ALIPAY_GATEWAY',
  notifyUrl: 'ALIPAY_NOTIFY_URL',
  sellerId: 'ALIPAY_SELLER_ID',
  signType: 'ALIPAY_SIGN_TYPE',
  timeoutMs: 'ALIPAY_TIMEOUT_MS'
} as const

/** Without these the provider is switched off (not an error). */
const CREDENTIAL_FIELDS = ['appId', 'privateKey', 'alipayPublicKey'] as const

export const ALIPAY_PRODUCTION_GATEWAY = 'https://openapi.alipay.com/gateway.do'

function loadKey(text: string, kind: 'private' | 'public'): KeyObject {
  const trimmed = text.trim()
  if (trimmed.includes('-----BEGIN')) {
    return kind === 'private' ? createPrivateKey(trimmed) : createPublicKey(trimmed)
  }
  // Alipay's key tool prints the base64 body only: PKCS#8 / SPKI DER, or PKCS#1 for "non-Java".
  const der = Buffer.from(trimmed.replace(/\s+/g, ''), 'base64')
  const types = kind === 'private' ? (['pkcs8', 'pkcs1'] as const) : (['spki', 'pkcs1'] as const)
  for (const type of types) {
    try {
      return kind === 'private'
        ? createPrivateKey({ key: der, format: 'der', type: type as 'pkcs8' | 'pkcs1' })
        : createPublicKey({ key: der, format: 'der', type: type as 'spki' | 'pkcs1' })
    } catch {
      // try the next encoding
    }
  }
  throw new Error('unreadable key')
}

function rsaKey(kind: 'private' | 'public') {
  return z.string().transform((text, ctx) => {
    try {
      const key = loadKey(text, kind)
      if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA')
      return kind === 'private'
        ? (key.export({ type: 'pkcs8', format: 'pem' }) as string)
        : (key.export({ type: 'spki', format: 'pem' }) as string)
    } catch {
      ctx.addIssue({ code: 'custom', message: `not a valid RSA ${kind} key (PEM or base64)` })
      return z.NEVER
    }
  })
}

export const alipayConfigSchema = z.object({
  appId: z.string().regex(/^\d{10,32}$/, 'an Alipay app id is 10–32 digits'),
  /** The app's private key: signs requests. PEM (PKCS#1/#8) or base64; stored as PKCS#8 PEM. */
  privateKey: rsaKey('private'),
  /** Alipay's public key for this app: verifies responses and notifications. */
  alipayPublicKey: rsaKey('public'),
  /** OpenAPI gateway; tests point it at the fake gateway. */
  gateway: z.url().default(ALIPAY_PRODUCTION_GATEWAY),
  notifyUrl: z.url(),
  /** If set, notifications whose seller_id differs are rejected (Alipay recommends the check). */
  sellerId: z.string().regex(/^2088\d{12}$/, 'a seller id (PID) is 2088 followed by 12 digits').optional(),
  /** Only RSA2 (SHA256withRSA); RSA (SHA1) is refused. */
  signType: z.literal('RSA2').default('RSA2'),
  timeoutMs: z.coerce.number().int().positive().max(60_000).default(5_000)
})

export type AlipayConfig = z.output<typeof alipayConfigSchema>
export type AlipayConfigInput = z.input<typeof alipayConfigSchema>

type Env = Record<string, string | undefined>

/** Env values cannot hold newlines easily; accept "\n" escapes in PEM text. */
function envValue(env: Env, name: string): string | undefined {
  const v = env[name]
  if (v === undefined || v.trim() === '') return undefined
  return v.replace(/\\n/g, '\n')
}

/**
 * Reads the Alipay config from the environment. Returns undefined when no credential
 * variable is set (provider off); throws InvalidInput naming the variable when a value is
 * missing or malformed.
 */
export function alipayConfigFromEnv(env: Env): AlipayConfig | undefined {
  if (CREDENTIAL_FIELDS.every((f) => envValue(env, ALIPAY_ENV[f]) === undefined)) return undefined
  const raw: Record<string, string | undefined> = {}
  for (const [field, name] of Object.entries(ALIPAY_ENV)) raw[field] = envValue(env, name)
  const parsed = alipayConfigSchema.safeParse(raw)
  if (parsed.success) return parsed.data
  const messages = parsed.error.issues.map((issue) => {
    const field = String(issue.path[0]) as keyof typeof ALIPAY_ENV
    return `${ALIPAY_ENV[field] ?? field}: ${raw[field] === undefined ? 'is required' : issue.message}`
  })
  throw new InvalidInput(`Alipay config: ${messages.join('; ')}`, {
    variables: parsed.error.issues.map((i) => ALIPAY_ENV[String(i.path[0]) as keyof typeof ALIPAY_ENV])
  })
}
