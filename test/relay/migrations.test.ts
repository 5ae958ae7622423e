import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openSqliteStore, relayMigrationsFolder } from '../../src/relay/store/sqlite/open'
import { tempDir } from '../support/db'

// Upgrades of a relay database that already holds data.

/** A copy of migrations/relay that stops before `tag`. */
function migrationsBefore(tag: string): string {
  const folder = join(tempDir('relay-migrations-'), 'relay')
  cpSync(relayMigrationsFolder(), folder, { recursive: true })
  const journalPath = join(folder, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] }
  const at = journal.entries.findIndex((e) => e.tag === tag)
  expect(at).toBeGreaterThan(0)
  for (const e of journal.entries.slice(at)) rmSync(join(folder, `${e.tag}.sql`))
  journal.entries = journal.entries.slice(0, at)
  writeFileSync(journalPath, JSON.stringify(journal))
  return folder
}

describe('relay migrations', () => {
  it('0003 rebuilds outbox_records WITHOUT ROWID and keeps every record', async () => {
    const path = join(tempDir('relay-upgrade-'), 'relay.sqlite')
    const old = openSqliteStore({ path, migrationsFolder: migrationsBefore('0003_outbox_records_without_rowid') })
    old.sqlite.prepare("INSERT INTO accounts (id, created_at) VALUES ('acct_1', 1)").run()
    const insert = old.sqlite.prepare(
      "INSERT INTO outbox_records (account_id, id, device_id, kind, fingerprint, body, outcome, received_at) VALUES ('acct_1', ?, 'dev_1', 'usage', ?, ?, 'recorded', 2)"
    )
    for (let i = 0; i < 50; i++) insert.run(`use-${i}`, `fp${i}`, `{"id":"use-${i}"}`)
    const before = old.sqlite.prepare('SELECT * FROM outbox_records ORDER BY account_id, id').all()
    await old.close()

    const db = openSqliteStore({ path })
    try {
      const sql = (db.sqlite.prepare("SELECT sql FROM sqlite_master WHERE name = 'outbox_records'").get() as { sql: string }).sql
      expect(sql).toMatch(/WITHOUT ROWID\s*$/)
      expect(db.sqlite.prepare('SELECT * FROM outbox_records ORDER BY account_id, id').all()).toEqual(before)
      // The key still refuses a duplicate, and the foreign key still holds.
      const again = db.sqlite.prepare(
        "INSERT INTO outbox_records (account_id, id, device_id, kind, fingerprint, body, outcome, received_at) VALUES (?, 'use-0', 'dev_1', 'usage', 'x', '{}', 'recorded', 3)"
      )
      expect(() => again.run('acct_1')).toThrow(/UNIQUE|PRIMARY KEY/)
      expect(() => again.run('acct_missing')).toThrow(/FOREIGN KEY/)
      expect(db.sqlite.pragma('foreign_key_check')).toEqual([])
    } finally {
      await db.close()
    }
  })
})
