import { z } from 'zod'
import { InvalidInput } from '../../../shared/errors'

// Stripe credentials live only on the relay. The api* overrides exist so tests can point
// the real SDK at a fake server on 127.0.0.1; production leaves them unset.

export const stripeConfigSchema = z.object({
  secretKey: z.string().regex(/^(sk|rk)_(test|live)_\S+$/, 'must be a Stripe secret or restricted key'),
  webhookSecret: z.string().regex(/^whsec_\S+$/, 'must be a Stripe webhook signing secret (whsec_…)'),
  successUrl: z.url({ protocol: /^https?$/ }),
  cancelUrl: z.url({ protocol: /^https?$/ }),
  apiHost: z.string().min(1).optional(),
  apiPort: z.coerce.number().int().min(1).max(65535).optional(),
  apiProtocol: z.enum(['http', 'https']).optional(),
  /** Oldest accepted signature timestamp, seconds (Stripe's default is 300). */
  toleranceSeconds: z.coerce.number().int().min(1).max(3600).default(300),
  /** Newest accepted signature timestamp ahead of our clock, seconds (the SDK does not check this). */
  futureSkewSeconds: z.coerce.number().int().min(0).max(600).default(30),
  maxNetworkRetries: z.coerce.number().int().min(0).max(5).default(2),
  timeoutMs: z.coerce.number().int().min(100).max(120_000).default(20_000)
})

export type StripeConfig = z.infer<typeof stripeConfigSchema>
export type StripeConfigInput = z.input<typeof stripeConfigSchema>

/** Config key → environment variable. */
export const STRIPE_ENV = {
  secretKey: 'STRIPE_SECRET_KEY',
  webhookSecret: 'STRIPE_WEBHOOK_SECRET',
  successUrl: 'STRIPE_SUCCESS_URL',
  cancelUrl: 'STRIPE_CANCEL_URL',
  apiHost: 'STRIPE_API_HOST',
  apiPort: 'STRIPE_API_PORT',
  apiProtocol: 'STRIPE_API_PROTOCOL',
  toleranceSeconds: 'STRIPE_TOLERANCE_SECONDS',
  futureSkewSeconds: 'STRIPE_FUTURE_SKEW_SECONDS',
  maxNetworkRetries: 'STRIPE_MAX_NETWORK_RETRIES',
  timeoutMs: 'STRIPE_TIMEOUT_MS'
} as const satisfies Record<keyof StripeConfig, string>

/**
 * Reads the Stripe config from the environment. Returns undefined when neither credential is
 * set (the provider is switched off); throws InvalidInput naming the variable when a value is
 * malformed or only part of the credentials is present.
 */
export function stripeConfigFromEnv(env: Record<string, string | undefined>): StripeConfig | undefined {
  if (!env[STRIPE_ENV.secretKey] && !env[STRIPE_ENV.webhookSecret]) return undefined
  const raw: Record<string, string> = {}
  for (const [key, name] of Object.entries(STRIPE_ENV)) {
    const value = env[name]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const parsed = stripeConfigSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const key = String(issue?.path[0] ?? '') as keyof StripeConfig
    const variable = STRIPE_ENV[key] ?? 'STRIPE_*'
    throw new InvalidInput(`${variable}: ${issue?.message ?? 'invalid'}`, { variable })
  }
  return parsed.data
}
