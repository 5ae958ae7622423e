import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { InvalidInput } from '../../shared/errors'
import { parseReturnUrlRule, type ReturnUrlAllowlist } from '../orders/return-urls'
import { parseHostTokenKeys, type HostTokenKey } from '../auth/host-keys'
import { parseTrustProxy } from '../http/trust-proxy'
import { parseSigningKey } from '../feed/keys'
import { isTimeZone } from '../invoices/numbers'
import { taxpayerIdProblem } from '../../shared/billing/taxpayer-id'

// The relay's own settings, from the environment, optionally over a JSON file named by
// RELAY_CONFIG_FILE whose keys are the same variable names (plus `providers: { stripe: {…} }`
// for provider settings). The environment wins. Every value is validated at start: a
// malformed one stops start-up with a ConfigError naming the variable. Provider credentials
// are read by each adapter's own schema (src/relay/providers/index.ts).

export class ConfigError extends InvalidInput {
  constructor(
    readonly variable: string,
    message: string
  ) {
    super(`${variable}: ${message}`, { variable })
    this.name = 'ConfigError'
  }
}

export type Env = Record<string, string | undefined>

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max)
/** A text read by `parse`, whose thrown message becomes the variable's problem. */
const parsedBy = <T>(parse: (text: string) => T) =>
  z.string().transform((text, ctx) => {
    try {
      return parse(text)
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message })
      return z.NEVER
    }
  })

/** Variable → schema. Defaults apply when unset or empty. */
const VARS = {
  RELAY_HOST: z.string().min(1).default('127.0.0.1'),
  RELAY_PORT: int(0, 65535).default(8787),
  RELAY_DATA_DIR: z.string().min(1).default('.relay-data'),
  RELAY_DB_PATH: z.string().min(1).optional(),
  RELAY_DB_DURABILITY: z.enum(['full', 'normal']).default('full'),
  // PostgreSQL instead of the SQLite file (several instances on one database; README "PostgreSQL").
  RELAY_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'a postgres:// or postgresql:// URL')
    .optional(),
  RELAY_DB_POOL_MAX: int(1, 1000).default(10),
  RELAY_DB_STATEMENT_TIMEOUT_MS: int(100, 600_000).default(5000),
  RELAY_DB_CONNECT_TIMEOUT_MS: int(100, 600_000).default(5000),
  RELAY_SIGNING_KEY: z.string().min(32).optional(),
  // The key announced to apps before it replaces RELAY_SIGNING_KEY (README, "Key rotation").
  RELAY_SIGNING_KEY_NEXT: parsedBy((text) => {
    parseSigningKey(text.replace(/\\n/g, '\n')) // refused here, by name; parsed again at start
    return text
  }).optional(),
  RELAY_KEY_CHAIN_FILE: z.string().min(1).optional(),
  RELAY_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  // 1: every payment method is a sandbox (npm run demo); refused unless RELAY_HOST is loopback.
  RELAY_SANDBOX: z.enum(['0', '1']).default('0'),
  RELAY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RELAY_BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024).default(64 * 1024),
  RELAY_RATE_DEVICE_PER_MIN: int(1, 1_000_000).default(300),
  RELAY_RATE_ADDRESS_PER_MIN: int(1, 1_000_000).default(600),
  RELAY_RATE_NOTIFY_PER_MIN: int(1, 10_000_000).default(6000),
  RELAY_LEASE_TTL_HOURS: int(1, 24 * 90).default(168),
  RELAY_CHECKOUT_TTL_MINUTES: int(30, 24 * 60).default(30),
  RELAY_SWEEP_INTERVAL_SECONDS: int(1, 3600).default(60),
  // How long a process holds a job it claimed before another may take it (its runner died).
  RELAY_JOB_LEASE_SECONDS: int(1, 3600).default(60),
  // Where people reach this relay from outside (unsubscribe links in emails).
  RELAY_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The built operator console (`npm run console:build`); default: out/console beside the sources. */
  RELAY_CONSOLE_DIR: z.string().trim().min(1).optional(),
  // Comma-separated origins or URL prefixes a device may name as returnUrl / cancelUrl.
  RELAY_RETURN_URL_ALLOWLIST: z
    .string()
    .transform((text, ctx) => {
      const rules = []
      for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
        try {
          rules.push(parseReturnUrlRule(entry))
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message })
          return z.NEVER
        }
      }
      return rules
    })
    .optional(),
  // Sign-in (src/relay/auth; README "Sign-in").
  RELAY_AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  RELAY_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'an smtp:// or smtps:// URL')
    .optional(),
  RELAY_SMTP_FROM: z.string().min(3).max(300).optional(),
  RELAY_HOST_TOKEN_KEYS: parsedBy(parseHostTokenKeys).optional(),
  RELAY_AUTH_CODE_TTL_MINUTES: int(1, 60).default(10),
  RELAY_AUTH_MAX_FAILURES: int(1, 100).default(5),
  RELAY_AUTH_LOCKOUT_MINUTES: int(1, 24 * 60).default(15),
  RELAY_AUTH_CODES_PER_TARGET: int(1, 100).default(5),
  RELAY_AUTH_PER_ADDRESS: int(1, 100_000).default(30),
  // Proxies whose X-Forwarded-For is believed (http/trust-proxy.ts); unset: none.
  RELAY_TRUST_PROXY: parsedBy(parseTrustProxy).optional(),
  // Invoices (src/relay/invoices; README "Invoices").
  RELAY_INVOICES: z.enum(['on', 'off']).default('on'),
  RELAY_BILLING_TIME_ZONE: z.string().refine(isTimeZone, 'an IANA time zone such as Asia/Shanghai').default('Asia/Shanghai'),
  RELAY_INVOICE_FONT: z.string().min(1).refine((v) => existsSync(v.split('#')[0]!), 'no font file at that path (`path` or `path#PostScriptName`)').optional(),
  RELAY_SELLER_NAME: z.string().trim().min(1).max(100).default('直播助手'),
  RELAY_SELLER_TAXPAYER_ID: z
    .string()
    .trim()
    .toUpperCase()
    .refine((id) => taxpayerIdProblem(id) === null, 'an 18-character 统一社会信用代码 with a valid check character')
    .optional(),
  RELAY_SELLER_ADDRESS: z.string().trim().min(1).max(200).optional()
} as const

/** Every variable the relay's own config reads (deploy files and docs are checked against it). */
export const RELAY_VARIABLES: readonly string[] = ['RELAY_CONFIG_FILE', ...Object.keys(VARS)]

export interface RelayConfig {
  host: string
  port: number
  dataDir: string
  dbPath: string
  durability: 'full' | 'normal'
  /** Set: the store is this PostgreSQL database, not the SQLite file at dbPath. */
  database?: DatabaseConfig
  /** PEM or base64 seed; absent → a development key in dataDir. */
  signingKey?: string
  /** The next signing key, announced in the key chain; same forms. */
  nextSigningKey?: string
  /** Where the announced key-set documents are kept (feed/key-chain.ts). */
  keyChainFile: string
  adminToken?: string
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  bodyLimit: number
  rateLimit: { devicePerMinute: number; addressPerMinute: number; notifyPerMinute: number }
  leaseTtlMs: number
  checkoutTtlMs: number
  /** How often stale orders (checkout past expiresAt) are expired; 0 = never (tests drive it). */
  sweepIntervalMs: number
  /** A job's lease: after it, a job whose runner died is claimed again. */
  jobLeaseMs: number
  /** The relay's public base URL, for links in emails; absent: the listening address. */
  publicUrl?: string
  /** Where the built operator console is served from (/console). */
  consoleDir: string
  /** Where devices may send payers back after a checkout; empty = client URLs refused. */
  returnUrlAllowlist: ReturnUrlAllowlist
  /** Provider settings: the environment as given, and the file's `providers` section. */
  providerSources: { env: Env; file: Record<string, unknown> }
  /** Every method is a sandbox provider paid on the relay's own pages (loopback only). */
  sandbox: boolean
  auth: AuthConfig
  /** Proxy addresses / CIDR ranges whose X-Forwarded-For names the client; empty: the socket's address. */
  trustProxy: string[]
  invoicing: InvoicingConfig
}

export interface InvoicingConfig {
  /** Off: no invoices or credit notes are issued (the operator invoices from another system). */
  enabled: boolean
  timeZone: string
  /** RELAY_INVOICE_FONT as given (`path` or `path#PostScriptName`); unset: the default paths. */
  font?: string
  seller: { name: string; taxpayerId?: string; address?: string }
}

export interface DatabaseConfig {
  url: string
  /** Connections per instance. */
  poolMax: number
  /** Longest a statement (or its wait for a row lock) may take. */
  statementTimeoutMs: number
  /** Longest wait for a connection. */
  connectTimeoutMs: number
}

export interface AuthConfig {
  /** Key of the code and target HMACs; absent → generated once in dataDir. */
  secret?: string
  smtp?: { url: string; from: string }
  hostTokenKeys: HostTokenKey[]
  codeTtlMs: number
  /** Wrong codes per target before it is locked, and the window they count in. */
  maxFailures: number
  lockoutMs: number
  codesPerTarget: number
  /** Code requests, and wrong codes, per remote address per lockout window. */
  perAddress: number
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])

export function loadConfig(env: Env = process.env): RelayConfig {
  let file: Record<string, unknown> = {}
  const fileName = env['RELAY_CONFIG_FILE']
  if (fileName) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(fileName, 'utf8'))
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object')
      file = parsed as Record<string, unknown>
    } catch (err) {
      throw new ConfigError('RELAY_CONFIG_FILE', `cannot read ${fileName}: ${(err as Error).message}`)
    }
  }
  const values: Record<string, unknown> = {}
  for (const [name, schema] of Object.entries(VARS)) {
    const fromEnv = env[name]
    const fromFile = file[name]
    const raw = fromEnv !== undefined && fromEnv !== '' ? fromEnv : fromFile === undefined ? undefined : String(fromFile)
    const parsed = (schema as z.ZodType).safeParse(raw)
    if (!parsed.success) {
      const where = fromEnv !== undefined && fromEnv !== '' ? '' : ' (in RELAY_CONFIG_FILE)'
      throw new ConfigError(name, `${parsed.error.issues[0]?.message ?? 'invalid'}${where}`)
    }
    values[name] = parsed.data
  }
  const v = values as { [K in keyof typeof VARS]: z.output<(typeof VARS)[K]> }
  // The recharge rules moved into the catalog (a published version, not a restart): a setting
  // left behind would silently do nothing, so it stops start-up instead.
  for (const moved of ['RELAY_RECHARGE_MIN', 'RELAY_RECHARGE_MAX', 'RELAY_RECHARGE_PRESETS']) {
    if ((env[moved] ?? '') !== '' || file[moved] !== undefined) {
      throw new ConfigError(moved, 'recharge rules are part of the catalog now: publish a version with `npm run relay -- catalog publish <file.json>`')
    }
  }
  const providersSection = file['providers']
  if (providersSection !== undefined && (typeof providersSection !== 'object' || providersSection === null)) {
    throw new ConfigError('RELAY_CONFIG_FILE', '`providers` must be an object')
  }
  const sandbox = v.RELAY_SANDBOX === '1'
  if (sandbox && !LOOPBACK.has(v.RELAY_HOST)) {
    throw new ConfigError('RELAY_SANDBOX', `the sandbox pays orders without money: it runs only on a loopback RELAY_HOST (127.0.0.1), not ${v.RELAY_HOST}`)
  }
  if (v.RELAY_SMTP_URL && !v.RELAY_SMTP_FROM) throw new ConfigError('RELAY_SMTP_FROM', 'is required with RELAY_SMTP_URL (the sender address of sign-in emails)')
  const dataDir = resolve(v.RELAY_DATA_DIR)
  return {
    auth: {
      ...(v.RELAY_AUTH_SECRET ? { secret: v.RELAY_AUTH_SECRET } : {}),
      ...(v.RELAY_SMTP_URL && v.RELAY_SMTP_FROM ? { smtp: { url: v.RELAY_SMTP_URL, from: v.RELAY_SMTP_FROM } } : {}),
      hostTokenKeys: v.RELAY_HOST_TOKEN_KEYS ?? [],
      codeTtlMs: v.RELAY_AUTH_CODE_TTL_MINUTES * 60_000,
      maxFailures: v.RELAY_AUTH_MAX_FAILURES,
      lockoutMs: v.RELAY_AUTH_LOCKOUT_MINUTES * 60_000,
      codesPerTarget: v.RELAY_AUTH_CODES_PER_TARGET,
      perAddress: v.RELAY_AUTH_PER_ADDRESS
    },
    invoicing: {
      enabled: v.RELAY_INVOICES === 'on',
      timeZone: v.RELAY_BILLING_TIME_ZONE,
      ...(v.RELAY_INVOICE_FONT ? { font: v.RELAY_INVOICE_FONT } : {}),
      seller: {
        name: v.RELAY_SELLER_NAME,
        ...(v.RELAY_SELLER_TAXPAYER_ID ? { taxpayerId: v.RELAY_SELLER_TAXPAYER_ID } : {}),
        ...(v.RELAY_SELLER_ADDRESS ? { address: v.RELAY_SELLER_ADDRESS } : {})
      }
    },
    sandbox,
    trustProxy: v.RELAY_TRUST_PROXY ?? [],
    host: v.RELAY_HOST,
    port: v.RELAY_PORT,
    dataDir,
    dbPath: v.RELAY_DB_PATH ? resolve(v.RELAY_DB_PATH) : join(dataDir, 'relay.sqlite'),
    durability: v.RELAY_DB_DURABILITY,
    ...(v.RELAY_DATABASE_URL
      ? {
          database: {
            url: v.RELAY_DATABASE_URL,
            poolMax: v.RELAY_DB_POOL_MAX,
            statementTimeoutMs: v.RELAY_DB_STATEMENT_TIMEOUT_MS,
            connectTimeoutMs: v.RELAY_DB_CONNECT_TIMEOUT_MS
          }
        }
      : {}),
    ...(v.RELAY_SIGNING_KEY ? { signingKey: v.RELAY_SIGNING_KEY.replace(/\\n/g, '\n') } : {}),
    ...(v.RELAY_SIGNING_KEY_NEXT ? { nextSigningKey: v.RELAY_SIGNING_KEY_NEXT.replace(/\\n/g, '\n') } : {}),
    keyChainFile: v.RELAY_KEY_CHAIN_FILE ? resolve(v.RELAY_KEY_CHAIN_FILE) : join(dataDir, 'key-chain.json'),
    ...(v.RELAY_ADMIN_TOKEN ? { adminToken: v.RELAY_ADMIN_TOKEN } : {}),
    logLevel: v.RELAY_LOG_LEVEL,
    bodyLimit: v.RELAY_BODY_LIMIT_BYTES,
    rateLimit: {
      devicePerMinute: v.RELAY_RATE_DEVICE_PER_MIN,
      addressPerMinute: v.RELAY_RATE_ADDRESS_PER_MIN,
      notifyPerMinute: v.RELAY_RATE_NOTIFY_PER_MIN
    },
    leaseTtlMs: v.RELAY_LEASE_TTL_HOURS * 3600_000,
    checkoutTtlMs: v.RELAY_CHECKOUT_TTL_MINUTES * 60_000,
    sweepIntervalMs: v.RELAY_SWEEP_INTERVAL_SECONDS * 1000,
    jobLeaseMs: v.RELAY_JOB_LEASE_SECONDS * 1000,
    returnUrlAllowlist: v.RELAY_RETURN_URL_ALLOWLIST ?? [],
    consoleDir: v.RELAY_CONSOLE_DIR ? resolve(v.RELAY_CONSOLE_DIR) : fileURLToPath(new URL('../../../out/console', import.meta.url)),
    ...(v.RELAY_PUBLIC_URL ? { publicUrl: v.RELAY_PUBLIC_URL.replace(/\/+$/, '') } : {}),
    providerSources: { env, file: (providersSection as Record<string, unknown> | undefined) ?? {} }
  }
}

/** Defaults for tests and embedding: everything but paths. */
export function defaultConfig(overrides: Partial<RelayConfig> & Pick<RelayConfig, 'dataDir'>): RelayConfig {
  const base = loadConfig({ RELAY_DATA_DIR: overrides.dataDir })
  return { ...base, providerSources: { env: {}, file: {} }, ...overrides }
}
