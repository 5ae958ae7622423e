import { PROVIDERS } from '../shared/catalog'
import { sandboxRoutes } from './http/sandbox'
import { createSandboxProvider } from './providers/sandbox/provider'
import { registerRelayJobs, tick } from './jobs/schedule'
import type { Writable } from 'node:stream'
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import { systemClock, type Clock } from '../node/clock'
import type { IdSource } from '../node/ids'
import { ConfigError, type RelayConfig } from './config/config'
import { createCore, type RelayCore } from './core'
import { openSqliteStore, type SqliteStore } from './store/sqlite/open'
import { openPgStore } from './store/pg/open'
import type { RelayStore } from './store/ports'
import { loadOrCreateDevKey, parseSigningKey, type SigningKey } from './feed/keys'
import { RelayKeyChain } from './feed/key-chain'
import { errorHandler } from './http/errors'
import { pooledRandomIds } from '../node/ids'
import { notifyRoutes } from './http/notify'
import { registerRoutes } from './http/routes'
import { registerConsoleApp } from './http/console-app'
import { buildProviders, type ProviderFactoryDeps } from './providers'
import { loadOrCreateAuthSecret } from './auth/secret'
import { buildSenders, type Channel, type ConsoleWrite, type Senders } from './notifications'
import type { PaymentProvider, ProviderName } from './providers/types'

// createRelay wires config, database, key, providers and the HTTP server. Tests run it
// in-process (port 0) or as a child process (src/relay/start.ts).

const STOP_GRACE_MS = 10_000

export interface RelayDeps {
  clock?: Clock
  ids?: IdSource
  /** Injected providers replace the ones built from config (tests, benchmarks). */
  providers?: PaymentProvider[]
  /** Extra dependencies for providers built from config (PayPal certificate source, fetch). */
  providerDeps?: { certificateSource?: ProviderFactoryDeps['certificateSource']; fetch?: typeof fetch }
  /** Where pino writes JSON logs; stdout by default. */
  logStream?: Writable
  /** Injected senders replace the ones built from config. */
  senders?: Senders
  /** Where the sandbox's console senders write (stderr by default). */
  consoleWrite?: ConsoleWrite
  /** An open store replaces the SQLite file of config.dbPath (openRelay passes PostgreSQL's). */
  store?: RelayStore
}

export interface Relay {
  app: FastifyInstance
  core: RelayCore
  /** The store under the core: SQLite by default, PostgreSQL with config.database. */
  store: RelayStore
  /** The SQLite store under the core (tests and tools read its file); throws on PostgreSQL. */
  readonly db: SqliteStore
  key: SigningKey
  /** The next key announced to apps (RELAY_SIGNING_KEY_NEXT), if any. */
  nextKey: SigningKey | undefined
  /** True when this start generated the development signing key. */
  keyCreated: boolean
  disabledProviders: { name: ProviderName; reason: string }[]
  /** Sign-in methods that are off, and why (start-up says so). */
  disabledSignIn: { method: Channel | 'host'; reason: string }[]
  /** Listens on config.host:config.port; resolves to the base URL. */
  start(): Promise<string>
  /** Stops accepting, finishes in-flight requests, closes the database. */
  stop(): Promise<void>
}

export function createRelay(config: RelayConfig, deps: RelayDeps = {}): Relay {
  const clock = deps.clock ?? systemClock
  const ids = deps.ids ?? pooledRandomIds(clock)
  const { key, created } = config.signingKey
    ? { key: parseSigningKey(config.signingKey), created: false }
    : loadOrCreateDevKey(config.dataDir)
  const nextKey = config.nextSigningKey ? parseSigningKey(config.nextSigningKey) : undefined
  if (nextKey?.keyId === key.keyId) throw new ConfigError('RELAY_SIGNING_KEY_NEXT', 'is the current signing key; generate a new one (npm run relay -- keys generate)')
  const keyChain = RelayKeyChain.open(key, nextKey, config.keyChainFile)

  const app = Fastify({
    logger: {
      level: config.logLevel,
      ...(deps.logStream ? { stream: deps.logStream } : {}),
      // Tokens and provider signatures never reach the log.
      redact: ['req.headers.authorization', 'req.headers["idempotency-key"]']
    },
    // One log line per request (onResponse below) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimit,
    // Behind a TLS proxy, req.ip (rate limits, sign-in counters) is the client it forwards for.
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    return503OnClosing: true
  })
  let providerMap: Map<ProviderName, PaymentProvider>
  let disabled: Relay['disabledProviders'] = []
  let listening = `http://${config.host}:${config.port}`
  if (deps.providers) {
    providerMap = new Map(deps.providers.map((p) => [p.name, p]))
  } else if (config.sandbox) {
    providerMap = new Map(PROVIDERS.map((name) => [name, createSandboxProvider(name, { baseUrl: () => listening, clock })]))
  } else {
    const built = buildProviders(config.providerSources, { clock, ...deps.providerDeps })
    providerMap = built.enabled
    disabled = built.disabled
  }
  if (config.database && !deps.store) throw new Error('internal: a relay on PostgreSQL is opened with openRelay()')
  const sqliteStore = deps.store
    ? undefined
    : openSqliteStore({
        path: config.dbPath,
        durability: config.durability,
        onCheckpointError: (message) => app.log.error({ detail: message }, 'WAL checkpoint thread')
      })
  const db: RelayStore = deps.store ?? sqliteStore!
  const built = deps.senders ? { senders: deps.senders, disabled: [] } : buildSenders({ ...(config.auth.smtp ? { smtp: config.auth.smtp } : {}), sandbox: config.sandbox }, deps.consoleWrite)
  const disabledSignIn: Relay['disabledSignIn'] = built.disabled.map((d) => ({ method: d.channel, reason: d.reason }))
  if (config.auth.hostTokenKeys.length === 0) disabledSignIn.push({ method: 'host', reason: 'RELAY_HOST_TOKEN_KEYS is not set' })
  const authSecret = config.auth.secret ?? loadOrCreateAuthSecret(config.dataDir)
  const core = createCore({ config, store: db, clock, ids, key, keyChain, providers: providerMap, log: app.log, authSecret, senders: built.senders, baseUrl: () => config.publicUrl ?? listening })

  app.setErrorHandler(errorHandler)
  // Callback-style hooks: no promise per request on the hot path.
  app.addHook('onRequest', (req, _reply, done) => {
    // Health probes do not count as traffic: a balancer polling often must not starve signing.
    if (req.url !== '/health') core.signer.touch()
    try {
      if (!req.url.startsWith('/v1/notify/') && req.url !== '/health') core.limits.address.hit(req.ip)
    } catch (err) {
      done(err as Error)
      return
    }
    done()
  })
  const logRequests = config.logLevel === 'info' || config.logLevel === 'debug' || config.logLevel === 'trace'
  app.addHook('onResponse', (req, reply, done) => {
    if (logRequests) {
      // The path without its query string; headers (tokens, signatures) are never logged.
      const q = req.url.indexOf('?')
      req.log.info(
        { method: req.method, path: q < 0 ? req.url : req.url.slice(0, q), status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
        'request'
      )
    }
    done()
  })
  // While stopping, answers close their keep-alive connection so close() is not held open.
  let closing = false
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) reply.header('connection', 'close')
    done(null, payload)
  })
  registerRoutes(app, core)
  registerConsoleApp(app, config)
  void app.register(async (scope) => notifyRoutes(scope, core))
  if (config.sandbox) sandboxRoutes(app, core)

  // Switched-off providers are said once, by start-up (cli/startup.ts), not here as well.
  app.log.info({ providers: [...providerMap.keys()], keyId: key.keyId }, 'relay configured')

  // Recurring work runs as durable jobs (jobs/schedule.ts); a failed round is logged and the
  // jobs are retried by their own backoff.
  registerRelayJobs(core, app.log)
  let sweepTimer: NodeJS.Timeout | undefined
  // One round at a time: a round still sending when the timer fires again is left to finish.
  let round: Promise<void> | undefined
  const sweepStale = () => {
    if (round) return
    round = tick(core, config.sweepIntervalMs)
      .catch((err: unknown) => app.log.error({ err }, 'job round failed'))
      .finally(() => (round = undefined))
  }

  let closed = false
  return {
    app,
    core,
    store: db,
    get db(): SqliteStore {
      if (!sqliteStore) throw new Error('this relay runs on PostgreSQL, not a SQLite file')
      return sqliteStore
    },
    key,
    nextKey,
    keyCreated: created,
    disabledProviders: disabled,
    disabledSignIn,
    async start() {
      await app.listen({ host: config.host, port: config.port })
      core.signer.start()
      core.load.start()
      if (config.sweepIntervalMs > 0 && !sweepTimer) {
        sweepTimer = setInterval(sweepStale, config.sweepIntervalMs)
        sweepTimer.unref()
      }
      const addr = app.server.address()
      const port = typeof addr === 'object' && addr ? addr.port : config.port
      listening = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
      return listening
    },
    async stop() {
      if (closed) return
      closed = true
      closing = true
      clearInterval(sweepTimer)
      core.jobs.stop()
      core.load.stop()
      // Background work in flight finishes before the database closes: a job cut off after its
      // effect (a mail sent) would run it again after the restart, and a signing slice would be
      // lost. Both are bounded like the requests.
      let graceTimer: NodeJS.Timeout | undefined
      const grace = new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, STOP_GRACE_MS)))
      const background = Promise.race([Promise.all([round, core.signer.stop()]).then(() => undefined), grace])
      // In-flight requests finish; idle keep-alive sockets are closed as they turn idle, and
      // after STOP_GRACE_MS whatever remains is cut.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 50)
      const force = setTimeout(() => app.server.closeAllConnections(), STOP_GRACE_MS)
      try {
        await Promise.all([app.close(), background])
        await db.whenDurable().catch(() => undefined)
      } finally {
        clearInterval(sweep)
        clearTimeout(force)
        clearTimeout(graceTimer)
        await db.close()
        await core.invoicing.pdfs.close()
        built.senders.email?.close?.()
        built.senders.sms?.close?.()
      }
    }
  }
}

/**
 * Opens the configured store, then wires the relay over it: PostgreSQL (config.database) is
 * reached and migrated first, so a database that is down stops start-up with its error.
 */
export async function openRelay(config: RelayConfig, deps: RelayDeps = {}): Promise<Relay> {
  if (!config.database || deps.store) return createRelay(config, deps)
  let relay: Relay | undefined
  const store = await openPgStore({
    ...config.database,
    onPoolError: (message) => relay?.app.log.warn({ detail: message }, 'database connection lost; the pool reconnects')
  })
  try {
    relay = createRelay(config, { ...deps, store })
  } catch (err) {
    await store.close()
    throw err
  }
  return relay
}
