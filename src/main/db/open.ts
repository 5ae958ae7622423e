import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { tryLockFile } from '../../node/sqlite/file-lock'
import { migrateIfBehind, readJournal, refuseNewerSchema } from '../../node/sqlite/migrations'
import { applyPragmas, immediateTx, type Durability } from '../../node/sqlite/pragmas'
import { BillingFileInUse } from '../../shared/errors'
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
  /**
   * Default true: the one opener of the file (see openDatabase). false only for a second
   * connection the caller opens on purpose beside its own (tests of the ledger's defence
   * against another writer, such as a backup tool's).
   */
  lock?: boolean
}

export const defaultMigrationsFolder = (): string =>
  fileURLToPath(new URL('../../../migrations/app', import.meta.url))

/**
 * Opens (creating if needed) the ledger file, sets pragmas and applies pending migrations.
 * One opener per file: two would each keep their own in-memory state (live rooms, caches)
 * over one ledger, so a second one, in any process, gets BillingFileInUse. Other readers
 * (a backup, a tool) may still open the file itself.
 */
export function openDatabase(opts: OpenOptions): BillingDb {
  const folder = opts.migrationsFolder ?? defaultMigrationsFolder()
  const journal = readJournal(folder)
  const inMemory = opts.path === ':memory:' || opts.path === ''
  const lock = inMemory || opts.lock === false ? undefined : tryLockFile(opts.path, opts.nativeBinding)
  if (lock === null) throw new BillingFileInUse({ path: opts.path })
  let sqlite: Sqlite | undefined
  try {
    sqlite = new Database(opts.path, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {})
    const db = sqlite
    applyPragmas(db, opts.durability ?? 'full')
    refuseNewerSchema(db, journal)
    // drizzle only applies the migrations; domain code holds its own prepared statements.
    migrateIfBehind(db, journal, () => migrate(drizzle(db, { schema }), { migrationsFolder: folder }))
    return {
      sqlite: db,
      tx: immediateTx(db),
      close: () => {
        db.close()
        lock?.release()
      }
    }
  } catch (err) {
    sqlite?.close()
    lock?.release()
    throw err
  }
}
