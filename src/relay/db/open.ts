import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { migrateIfBehind, readJournal, refuseNewerSchema } from '../../node/sqlite/migrations'
import { applyPragmas, immediateTx } from '../../node/sqlite/pragmas'
import * as schema from './schema'
import { BACKSTOP_PAGES, Checkpointer } from './checkpointer'
import { WalSync } from './wal-sync'

// The relay's SQLite file: same pragmas and the same newer-schema refusal as the app's
// (src/node/sqlite/pragmas.ts explains them), its own schema and migrations/relay.

export type Sqlite = Database.Database
export interface RelayDb {
  readonly sqlite: Sqlite
  /** One IMMEDIATE transaction; nested calls become savepoints. */
  tx<T>(fn: () => T): T
  /**
   * One IMMEDIATE transaction whose fsync runs off the event loop (see wal-sync.ts): the
   * value now, and `durable`, which resolves once the commit is on disk. Answer a provider
   * only after `durable`. With durability 'normal' it resolves at once.
   */
  txGroup<T>(fn: () => T): { value: T; durable: Promise<void> }
  /**
   * Calls `commit` when a txGroup made now would get its fsync at once: immediately, or when a
   * running fsync ends (see WalSync.whenSlotFree). Immediately with durability 'normal'.
   */
  whenSlotFree(commit: () => void): void
  /**
   * Resolves once every txGroup commit so far is on disk (before serving what they wrote).
   * Read synchronously right after it resolves: no await between, or later commits show through.
   */
  whenDurable(): Promise<void>
  /** Closes the connection; the promise settles once the checkpoint thread has exited. */
  close(): Promise<void>
}

export const relayMigrationsFolder = (): string =>
  fileURLToPath(new URL('../../../migrations/relay', import.meta.url))

export function openRelayDb(opts: {
  path: string
  durability?: 'full' | 'normal'
  migrationsFolder?: string
  /** Hears checkpoint-thread failures (not fatal; see checkpointer.ts). */
  onCheckpointError?: (message: string) => void
}): RelayDb {
  const folder = opts.migrationsFolder ?? relayMigrationsFolder()
  const journal = readJournal(folder)
  mkdirSync(dirname(opts.path), { recursive: true })
  const sqlite = new Database(opts.path)
  try {
    applyPragmas(sqlite, opts.durability ?? 'full')
    // The orders, feed and index pages a notification touches stay in memory: with the default
    // 2 MB a relay with a few thousand open orders reads most of them back from the OS (cost in
    // docs/performance.md, "Figures behind the relay's choices"). Pages are allocated only as used.
    sqlite.pragma('cache_size = -65536')
    // Checkpoints run on their own thread (checkpointer.ts); this is only the backstop.
    sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`)
    refuseNewerSchema(sqlite, journal)
    migrateIfBehind(sqlite, journal, () => migrate(drizzle(sqlite, { schema }), { migrationsFolder: folder }))
    const tx = immediateTx(sqlite)
    const checkpointer = new Checkpointer(opts.path, opts.onCheckpointError ? { onError: opts.onCheckpointError } : {})
    const full = opts.durability !== 'normal'
    const wal = full ? new WalSync(`${opts.path}-wal`) : undefined
    const syncNormal = sqlite.prepare('PRAGMA synchronous = NORMAL')
    const syncFull = sqlite.prepare('PRAGMA synchronous = FULL')
    const txGroup = <T>(fn: () => T): { value: T; durable: Promise<void> } => {
      if (!wal) return { value: tx(fn), durable: Promise.resolve() }
      // Only this commit skips the in-line fsync; every other transaction stays FULL.
      syncNormal.run()
      let value: T
      try {
        value = tx(fn)
      } finally {
        syncFull.run()
      }
      return { value, durable: wal.afterCommit() }
    }
    return {
      sqlite,
      tx,
      txGroup,
      whenSlotFree: (commit) => (wal ? wal.whenSlotFree(commit) : commit()),
      whenDurable: () => wal?.whenDurable() ?? Promise.resolve(),
      close: () => {
        wal?.close()
        sqlite.close()
        return checkpointer.close()
      }
    }
  } catch (err) {
    sqlite.close()
    throw err
  }
}
