import { z } from 'zod'
import { InvalidInput } from '../../../shared/errors'

// PayPal credentials live only on the relay. Webhooks are verified offline: the signing
// certificate is fetched only from the pinned hosts and must chain to a trusted CA
// (by default Node's bundled Mozilla roots, which include PayPal's issuer).

const httpUrl = z.url({ protocol: /^https?$/ })

export const PAYPAL_CERT_HOSTS = ['api.paypal.com', 'api.sandbox.paypal.com'] as const

export const paypalConfigSchema = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** The id PayPal gave this relay's webhook subscription; part of every signed message. */
  webhookId: z.string().min(1),
  /** REST API base: https://api-m.paypal.com (live) or https://api-m.sandbox.paypal.com. */
  baseUrl: httpUrl.default('https://api-m.paypal.com'),
  returnUrl: httpUrl,
  cancelUrl: httpUrl,
  /** Hosts a paypal-cert-url may name (https only). */
  certHosts: z
    .preprocess(
      (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
      z.array(z.string().min(1).toLowerCase()).min(1)
    )
    .default([...PAYPAL_CERT_HOSTS]),
  /** PEM bundle of trust anchors for the webhook certificate chain; unset = Node's root store. */
  trustedCaPem: z.string().includes('-----BEGIN CERTIFICATE-----').optional(),
  /** Oldest accepted paypal-transmission-time, seconds. */
  toleranceSeconds: z.coerce.number().int().min(1).max(3600).default(300),
  /** Newest accepted transmission time ahead of our clock, seconds. */
  futureSkewSeconds: z.coerce.number().int().min(0).max(600).default(30),
  timeoutMs: z.coerce.number().int().min(100).max(120_000).default(20_000)
})

export type PaypalConfig = z.infer<typeof paypalConfigSchema>
export type PaypalConfigInput = z.input<typeof paypalConfigSchema>

/** Config key → environment variable. PAYPAL_CERT_HOSTS is comma-separated. */
export const PAYPAL_ENV = {
  clientId: 'PAYPAL_CLIENT_ID',
  clientSecret: 'PAYPAL_CLIENT_SECRET',
  webhookId: 'PAYPAL_WEBHOOK_ID',
  baseUrl: 'PAYPAL_BASE_URL',
  returnUrl: 'PAYPAL_RETURN_URL',
  cancelUrl: 'PAYPAL_CANCEL_URL',
  certHosts: 'PAYPAL_CERT_HOSTS',
  trustedCaPem: 'PAYPAL_TRUSTED_CA_PEM',
  toleranceSeconds: 'PAYPAL_TOLERANCE_SECONDS',
  futureSkewSeconds: 'PAYPAL_FUTURE_SKEW_SECONDS',
  timeoutMs: 'PAYPAL_TIMEOUT_MS'
} as const satisfies Record<keyof PaypalConfig, string>

/**
 * Reads the PayPal config from the environment. Returns undefined when no credential is set
 * (provider off); throws InvalidInput naming the variable when a value is malformed or the
 * credentials are incomplete.
 */
export function paypalConfigFromEnv(env: Record<string, string | undefined>): PaypalConfig | undefined {
  if (!env[PAYPAL_ENV.clientId] && !env[PAYPAL_ENV.clientSecret] && !env[PAYPAL_ENV.webhookId]) return undefined
  const raw: Record<string, string> = {}
  for (const [key, name] of Object.entries(PAYPAL_ENV)) {
    const value = env[name]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const parsed = paypalConfigSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const key = String(issue?.path[0] ?? '') as keyof PaypalConfig
    const variable = PAYPAL_ENV[key] ?? 'PAYPAL_*'
    throw new InvalidInput(`${variable}: ${issue?.message ?? 'invalid'}`, { variable })
  }
  return parsed.data
}
