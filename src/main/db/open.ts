import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { DatabaseFromFuture } from '../../shared/errors'
import * as schema from './schema'

export type Sqlite = Database.Database
export type Orm = BetterSQLite3Database<typeof schema>

export interface BillingDb {
  readonly sqlite: Sqlite
  readonly orm: Orm
  /** Runs fn in one IMMEDIATE transaction (nested calls become savepoints). */
  tx<T>(fn: () => T): T
  close(): void
}

/**
 * - `full`: every commit is fsynced to the WAL before the call returns; a power cut loses
 *   nothing that returned success. The default: this is money.
 * - `normal`: commits survive a process crash but the last ones may be lost on power loss
 *   or an OS crash; several times faster. For benchmarks and callers that accept that.
 */
export type Durability = 'full' | 'normal'

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

interface Journal {
  entries: { idx: number; when: number; tag: string }[]
}

export function readJournal(folder: string): Journal {
  return JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as Journal
}

/** Opens (creating if needed) the ledger file, sets pragmas and applies pending migrations. */
export function openDatabase(opts: OpenOptions): BillingDb {
  const folder = opts.migrationsFolder ?? defaultMigrationsFolder()
  const journal = readJournal(folder)
  const sqlite = new Database(opts.path, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {})
  try {
    applyPragmas(sqlite, opts.durability ?? 'full')
    refuseNewerSchema(sqlite, journal)
    const orm = drizzle(sqlite, { schema })
    const known = journal.entries.length
    if ((sqlite.pragma('user_version', { simple: true }) as number) < known) {
      migrate(orm, { migrationsFolder: folder })
      sqlite.pragma(`user_version = ${known}`)
    }
    const run = sqlite.transaction((fn: () => unknown) => fn())
    return {
      sqlite,
      orm,
      tx: <T>(fn: () => T) => run.immediate(fn) as T,
      close: () => sqlite.close()
    }
  } catch (err) {
    sqlite.close()
    throw err
  }
}

// Why these pragmas (docs/architecture.md has the longer version):
// - WAL: readers never block the writer, and a commit is one sequential append.
// - synchronous FULL in WAL fsyncs each commit; NORMAL only at checkpoints (see Durability).
// - foreign_keys: SQLite leaves them off by default; the ledger relies on them.
// - busy_timeout: another connection (a second window, a backup) waits instead of failing.
function applyPragmas(sqlite: Sqlite, durability: Durability): void {
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`)
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('temp_store = MEMORY')
}

/** user_version counts applied migrations; more than this build knows means a newer app wrote it. */
function refuseNewerSchema(sqlite: Sqlite, journal: Journal): void {
  const version = sqlite.pragma('user_version', { simple: true }) as number
  if (version > journal.entries.length) {
    throw new DatabaseFromFuture({ databaseVersion: version, supportedVersion: journal.entries.length })
  }
}
