import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { readJournal } from '../../main/db/open'
import { DatabaseFromFuture } from '../../shared/errors'
import * as schema from './schema'

// The relay's SQLite file: same pragmas and the same newer-schema refusal as the app's
// (src/main/db/open.ts explains them), its own schema and migrations/relay.

export type Sqlite = Database.Database
export interface RelayDb {
  readonly sqlite: Sqlite
  readonly orm: BetterSQLite3Database<typeof schema>
  /** One IMMEDIATE transaction; nested calls become savepoints. */
  tx<T>(fn: () => T): T
  close(): void
}

export const relayMigrationsFolder = (): string =>
  fileURLToPath(new URL('../../../migrations/relay', import.meta.url))

export function openRelayDb(opts: { path: string; durability?: 'full' | 'normal'; migrationsFolder?: string }): RelayDb {
  const folder = opts.migrationsFolder ?? relayMigrationsFolder()
  const journal = readJournal(folder)
  mkdirSync(dirname(opts.path), { recursive: true })
  const sqlite = new Database(opts.path)
  try {
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma(`synchronous = ${opts.durability === 'normal' ? 'NORMAL' : 'FULL'}`)
    sqlite.pragma('foreign_keys = ON')
    sqlite.pragma('busy_timeout = 5000')
    sqlite.pragma('temp_store = MEMORY')
    const version = sqlite.pragma('user_version', { simple: true }) as number
    const known = journal.entries.length
    if (version > known) throw new DatabaseFromFuture({ databaseVersion: version, supportedVersion: known })
    const orm = drizzle(sqlite, { schema })
    if (version < known) {
      migrate(orm, { migrationsFolder: folder })
      sqlite.pragma(`user_version = ${known}`)
    }
    const run = sqlite.transaction((fn: () => unknown) => fn())
    return { sqlite, orm, tx: <T>(fn: () => T) => run.immediate(fn) as T, close: () => sqlite.close() }
  } catch (err) {
    sqlite.close()
    throw err
  }
}
