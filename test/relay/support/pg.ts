import { join } from 'node:path'
import pg from 'pg'
import { openPgStore } from '../../../src/relay/store/pg/open'
import type { RelayStore } from '../../../src/relay/store/ports'
import { openSqliteStore } from '../../../src/relay/store/sqlite/open'
import { tempDir } from '../../support/db'
import { afterEach, beforeEach, describe, inject } from 'vitest'
import { withDatabase } from './pg-global'

// The PostgreSQL half of the relay tests. The server comes from globalSetup (pg-global.ts); each
// test gets a database of its own, copied from the migrated template (fast: no migrations run)
// and dropped after the test. forEachStore runs a suite on SQLite and, when a server is there,
// on PostgreSQL; otherwise it says that it skips the PostgreSQL half.

export type StoreKind = 'sqlite' | 'pg'

export const pgAvailable = (): boolean => inject('relayPgUrl') !== ''

export const STORES: StoreKind[] = pgAvailable() ? ['sqlite', 'pg'] : ['sqlite']

let current: StoreKind = 'sqlite'
/** The store of the suite running now (startTestRelay's default). */
export const testStore = (): StoreKind => current

let said = false
/**
 * describe(`${name} [sqlite]`) and describe(`${name} [pg]`): inside each, startTestRelay and
 * openTestStore use that store unless told otherwise.
 */
export function forEachStore(name: string, suite: (store: StoreKind) => void): void {
  if (!pgAvailable() && !said) {
    said = true
    process.stdout.write(`${name}: PostgreSQL half SKIPPED (no RELAY_TEST_DATABASE_URL, no local PostgreSQL binaries)\n`)
  }
  for (const store of STORES) {
    describe(`${name} [${store}]`, () => {
      beforeEach(() => void (current = store))
      afterEach(() => void (current = 'sqlite'))
      suite(store)
    })
  }
}

const created: string[] = []
let n = 0

/** A fresh, migrated database; dropped after the test. Returns its URL. */
export async function freshDatabase(): Promise<string> {
  const url = inject('relayPgUrl')
  if (!url) throw new Error('no PostgreSQL for this test run')
  const name = `relay_t${process.pid}_${++n}_${Date.now() % 100000}`
  await admin(url, `CREATE DATABASE ${name} TEMPLATE ${inject('relayPgTemplate')}`)
  created.push(name)
  return withDatabase(url, name)
}

/** An empty database (no migrations), dropped after the test. */
export async function emptyDatabase(): Promise<string> {
  const url = inject('relayPgUrl')
  const name = `relay_e${process.pid}_${++n}_${Date.now() % 100000}`
  await admin(url, `CREATE DATABASE ${name}`)
  created.push(name)
  return withDatabase(url, name)
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

afterEach(async () => {
  const url = inject('relayPgUrl')
  for (const name of created.splice(0)) await admin(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
})

/** `?` placeholders as PostgreSQL's `$n`, so one query text serves both stores. */
export const dollarParams = (text: string): string => {
  let i = 0
  return text.replace(/\?/g, () => `$${++i}`)
}

/** A bare store of the suite's kind (a SQLite file or a fresh database) and a query on its tables (`?` placeholders). */
export async function openTestStore(kind: StoreKind = testStore()): Promise<{
  store: RelayStore
  sql: <T = Record<string, unknown>>(text: string, ...params: unknown[]) => Promise<T[]>
}> {
  if (kind === 'pg') {
    const store = await openPgStore({ url: await freshDatabase(), poolMax: 4 })
    return { store, sql: async <T,>(text: string, ...params: unknown[]) => (await store.pool.query(dollarParams(text), params)).rows as T[] }
  }
  const store = openSqliteStore({ path: join(tempDir('relay-store-'), 'relay.sqlite'), durability: 'normal' })
  return { store, sql: async <T,>(text: string, ...params: unknown[]) => store.sqlite.prepare(text).all(...params) as T[] }
}
