import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { migrateIfBehind, readJournal, refuseNewerSchema } from '../../node/sqlite/migrations'
import { applyPragmas, immediateTx, type Durability } from '../../node/sqlite/pragmas'
import * as schema from './schema'

export type { Durability } from '../../node/sqlite/pragmas'
export type Sqlite = Database.Database

export interface BillingDb {
  readonly sqlite: Sqlite
  /** Runs fn in one IMMEDIATE transaction (nested calls become savepoints). */
  tx<T>(fn: () => T): T
  close(): void
}

export interface OpenOptions {
  path: string
  /** Absolute path of a better_sqlite3.node built for the running ABI (Electron). */
  nativeBinding?: string
  /** Folder of drizzle-kit migrations; defaults to the repository's migrations/app. */
  migrationsFolder?: string
  durability?: Durability
}

export const defaultMigrationsFolder = (): string =>
  fileURLToPath(new URL('../../../migrations/app', import.meta.url))

/** Opens (creating if needed) the ledger file, sets pragmas and applies pending migrations. */
export function openDatabase(opts: OpenOptions): BillingDb {
  const folder = opts.migrationsFolder ?? defaultMigrationsFolder()
  const journal = readJournal(folder)
  const sqlite = new Database(opts.path, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {})
  try {
    applyPragmas(sqlite, opts.durability ?? 'full')
    refuseNewerSchema(sqlite, journal)
    // drizzle only applies the migrations; domain code holds its own prepared statements.
    migrateIfBehind(sqlite, journal, () => migrate(drizzle(sqlite, { schema }), { migrationsFolder: folder }))
    return { sqlite, tx: immediateTx(sqlite), close: () => sqlite.close() }
  } catch (err) {
    sqlite.close()
    throw err
  }
}
