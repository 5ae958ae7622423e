import type { z } from 'zod'
import type { Clock } from '../../node/clock'
import { BillingError } from '../../shared/errors'
import { ConfigError, type Env } from '../config/config'
import { alipayConfigFromEnv, alipayConfigSchema, createAlipayProvider } from './alipay'
import { createPaypalProvider, paypalConfigFromEnv, paypalConfigSchema, type CertificateSource } from './paypal'
import { createStripeProvider, stripeConfigFromEnv, stripeConfigSchema } from './stripe'
import { createWechatProvider, wechatConfigFromEnv, wechatConfigSchema } from './wechat'
import type { PaymentProvider, ProviderName } from './types'

// Builds the enabled providers from config, using each adapter's own config schema and
// factory. Credentials come from the adapter's environment variables (STRIPE_*, ALIPAY_*,
// WECHATPAY_*, PAYPAL_*) or, when none is set, from the config file's `providers.<name>`.
// No credentials → the provider is switched off (and start-up says so); a malformed value
// stops start-up naming the variable.

export interface ProviderFactoryDeps {
  clock: Clock
  /** PayPal: where webhook signing certificates are fetched from (tests inject one). */
  certificateSource?: CertificateSource
  /** PayPal REST: fetch override (tests). */
  fetch?: typeof fetch
}

interface ProviderEntry {
  name: ProviderName
  fromEnv(env: Env): unknown
  schema: z.ZodType
  create(config: never, deps: ProviderFactoryDeps): PaymentProvider
}

const ENTRIES: ProviderEntry[] = [
  { name: 'alipay', fromEnv: alipayConfigFromEnv, schema: alipayConfigSchema, create: createAlipayProvider },
  { name: 'wechat', fromEnv: wechatConfigFromEnv, schema: wechatConfigSchema, create: createWechatProvider },
  { name: 'stripe', fromEnv: stripeConfigFromEnv, schema: stripeConfigSchema, create: createStripeProvider },
  { name: 'paypal', fromEnv: paypalConfigFromEnv, schema: paypalConfigSchema, create: createPaypalProvider }
]

export interface ProviderSetup {
  enabled: Map<ProviderName, PaymentProvider>
  disabled: { name: ProviderName; reason: string }[]
}

export function buildProviders(
  sources: { env: Env; file: Record<string, unknown> },
  deps: ProviderFactoryDeps
): ProviderSetup {
  const setup: ProviderSetup = { enabled: new Map(), disabled: [] }
  for (const entry of ENTRIES) {
    let config: unknown
    try {
      config = entry.fromEnv(sources.env)
    } catch (err) {
      const variable = variableOf(err) ?? `${entry.name.toUpperCase()}_*`
      const message = err instanceof Error ? err.message : String(err)
      throw new ConfigError(variable, message.startsWith(`${variable}: `) ? message.slice(variable.length + 2) : message)
    }
    if (config === undefined && sources.file[entry.name] !== undefined) {
      const parsed = entry.schema.safeParse(sources.file[entry.name])
      if (!parsed.success) {
        const issue = parsed.error.issues[0]
        throw new ConfigError(
          `RELAY_CONFIG_FILE providers.${entry.name}.${issue?.path.join('.') ?? ''}`,
          issue?.message ?? 'invalid'
        )
      }
      config = parsed.data
    }
    if (config === undefined) {
      setup.disabled.push({ name: entry.name, reason: 'no credentials configured' })
      continue
    }
    setup.enabled.set(entry.name, entry.create(config as never, deps))
  }
  return setup
}

function variableOf(err: unknown): string | undefined {
  if (!(err instanceof BillingError) || !err.details) return undefined
  const d = err.details as { variable?: unknown; variables?: unknown }
  if (typeof d.variable === 'string') return d.variable
  if (Array.isArray(d.variables) && typeof d.variables[0] === 'string') return d.variables.join(', ')
  return undefined
}
