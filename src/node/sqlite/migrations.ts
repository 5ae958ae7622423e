import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import { DatabaseFromFuture } from '../../shared/errors'

// The migration bookkeeping both SQLite files share (app and relay): drizzle-kit's journal,
// `PRAGMA user_version` as the count of applied migrations, and the refusal of a file that a
// newer build wrote.

export interface Journal {
  entries: { idx: number; when: number; tag: string }[]
}

export function readJournal(folder: string): Journal {
  return JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as Journal
}

export function schemaVersion(sqlite: Database.Database): number {
  return sqlite.pragma('user_version', { simple: true }) as number
}

/** user_version counts applied migrations; more than this build knows means a newer build wrote it. */
export function refuseNewerSchema(sqlite: Database.Database, journal: Journal): void {
  const version = schemaVersion(sqlite)
  if (version > journal.entries.length) {
    throw new DatabaseFromFuture({ databaseVersion: version, supportedVersion: journal.entries.length })
  }
}

/** Runs `migrate` when the file is behind the journal, then records the new count. */
export function migrateIfBehind(sqlite: Database.Database, journal: Journal, migrate: () => void): void {
  const known = journal.entries.length
  if (schemaVersion(sqlite) < known) {
    migrate()
    sqlite.pragma(`user_version = ${known}`)
  }
}
