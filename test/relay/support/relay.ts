import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { afterEach } from 'vitest'
import { ManualClock } from '../../../src/node/clock'
import { sequentialIds } from '../../../src/node/ids'
import { createRelay, type Relay, type RelayDeps } from '../../../src/relay/app'
import { openPgStore, type PgStore } from '../../../src/relay/store/pg/open'
import { dollarParams, freshDatabase, testStore, type StoreKind } from './pg'
import { defaultConfig, type RelayConfig } from '../../../src/relay/config/config'
import { generateSigningKey } from '../../../src/relay/feed/keys'
import type { PaymentProvider } from '../../../src/relay/providers/types'
import { tempDir } from '../../support/db'

// Runs a relay in-process on 127.0.0.1:0 over a real SQLite file, or a fresh PostgreSQL database
// with `store: 'pg'` (support/pg.ts); stopped after each test. Every request goes over real HTTP.
// `sql` reads the relay's tables on either store (`?` placeholders).

export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789'
const running: Relay[] = []

afterEach(async () => {
  for (const r of running.splice(0)) await r.stop()
})

export interface TestRelay {
  relay: Relay
  url: string
  clock: ManualClock
  logs: Record<string, unknown>[]
  api: Api
  config: RelayConfig
  store: StoreKind
  sql: <T = Record<string, unknown>>(text: string, ...params: unknown[]) => Promise<T[]>
}

export async function startTestRelay(
  opts: { providers?: PaymentProvider[]; config?: Partial<RelayConfig>; deps?: Partial<RelayDeps>; dataDir?: string; store?: StoreKind } = {}
): Promise<TestRelay> {
  const clock = new ManualClock(Date.UTC(2025, 0, 15, 4, 0, 0))
  const logs: Record<string, unknown>[] = []
  const logStream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>)
      cb()
    }
  })
  const config = defaultConfig({
    dataDir: opts.dataDir ?? tempDir('relay-'),
    port: 0,
    durability: 'normal',
    adminToken: ADMIN_TOKEN,
    signingKey: generateSigningKey().privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    ...opts.config
  })
  let pgStore: PgStore | undefined
  const store = opts.store ?? testStore()
  if (store === 'pg') {
    const url = await freshDatabase()
    config.database = { url, poolMax: 4, statementTimeoutMs: 10_000, connectTimeoutMs: 5000 }
    pgStore = await openPgStore(config.database)
  }
  const relay = createRelay(config, {
    ...(pgStore ? { store: pgStore } : {}),
    clock,
    ids: sequentialIds('t'),
    ...(opts.providers ? { providers: opts.providers } : {}),
    logStream,
    ...opts.deps
  })
  running.push(relay)
  const url = await relay.start()
  const sql = async <T,>(text: string, ...params: unknown[]): Promise<T[]> =>
    pgStore ? (await pgStore.pool.query(dollarParams(text), params)).rows : sqliteRows<T>(relay, text, params)
  return { relay, url, clock, logs, api: makeApi(url), config, store, sql }
}

export interface ApiResponse<T = any> {
  status: number
  body: T
  text: string
  headers: Headers
}

export type Api = (
  method: string,
  path: string,
  opts?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }
) => Promise<ApiResponse>

export function makeApi(url: string): Api {
  return async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers }
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`
    let body: string | undefined
    if (opts.raw !== undefined) body = opts.raw
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body)
      headers['content-type'] ??= 'application/json'
    }
    const send = () => fetch(url + path, { method, headers, ...(body !== undefined ? { body } : {}) })
    // A GET once more when the pooled keep-alive socket was the previous relay's (restarted on
    // the same port and closed under it); anything else fails as it came.
    const res = await send().catch((err: unknown) => {
      if (method !== 'GET' || (err as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw err
      return send()
    })
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = JSON.parse(text)
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, text, headers: res.headers }
  }
}

/** Creates an account (or joins `accountId`) and enrols one device; returns its token. */
export async function enrolDevice(
  api: Api,
  accountId?: string,
  name = 'studio-pc'
): Promise<{ accountId: string; deviceId: string; token: string }> {
  const code = await api('POST', '/v1/admin/enrolments', { token: ADMIN_TOKEN, body: accountId ? { accountId } : {} })
  if (code.status !== 200) throw new Error(`enrolment code: ${code.status} ${code.text}`)
  const enrolled = await api('POST', '/v1/enrol', { body: { code: code.body.code, deviceName: name } })
  if (enrolled.status !== 200) throw new Error(`enrol: ${enrolled.status} ${enrolled.text}`)
  return { accountId: enrolled.body.accountId, deviceId: enrolled.body.deviceId, token: enrolled.body.deviceToken }
}

let keySeq = 0
export const newKey = (): string => `key-${process.pid}-${++keySeq}-${Math.random().toString(36).slice(2, 8)}`

/** GET /v1/feed's path with a fresh nonce (the relay requires one per request). */
export function feedPath(query: { cursor?: string | undefined; limit?: number; nonce?: string } = {}): string {
  const params = new URLSearchParams({ nonce: query.nonce ?? randomBytes(16).toString('base64url') })
  if (query.limit !== undefined) params.set('limit', String(query.limit))
  if (query.cursor !== undefined) params.set('cursor', query.cursor)
  return `/v1/feed?${params}`
}

function sqliteRows<T>(relay: Relay, text: string, params: unknown[]): T[] {
  const stmt = relay.db.sqlite.prepare(text)
  if (stmt.reader) return stmt.all(...params) as T[]
  stmt.run(...params)
  return []
}
