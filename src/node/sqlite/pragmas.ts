import type Database from 'better-sqlite3'

/**
 * - `full`: every commit is fsynced to the WAL before the call returns; a power cut loses
 *   nothing that returned success. The default: this is money.
 * - `normal`: commits survive a process crash but the last ones may be lost on power loss
 *   or an OS crash; several times faster. For benchmarks and callers that accept that.
 */
export type Durability = 'full' | 'normal'

// Why these pragmas (docs/architecture.md has the longer version):
// - WAL: readers never block the writer, and a commit is one sequential append.
// - synchronous FULL in WAL fsyncs each commit; NORMAL only at checkpoints (see Durability).
// - foreign_keys: SQLite leaves them off by default; the ledgers rely on them.
// - busy_timeout: another connection (a second window, a backup) waits instead of failing.
export function applyPragmas(sqlite: Database.Database, durability: Durability): void {
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`)
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('temp_store = MEMORY')
}

/** One IMMEDIATE transaction per call; nested calls become savepoints (better-sqlite3's rule). */
export function immediateTx(sqlite: Database.Database): <T>(fn: () => T) => T {
  const run = sqlite.transaction((fn: () => unknown) => fn())
  return <T>(fn: () => T) => run.immediate(fn) as T
}
