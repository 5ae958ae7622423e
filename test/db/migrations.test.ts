import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readJournal } from '../../src/node/sqlite/migrations'
import { tempDir } from '../support/db'

// Each database has a drizzle schema and the SQL that drizzle-kit generated from it.
const databases = [
  { name: 'app', schema: './src/main/db/schema/index.ts', folder: 'migrations/app' },
  { name: 'relay', schema: './src/relay/store/sqlite/schema.ts', folder: 'migrations/relay' }
].filter((d) => existsSync(d.folder))

describe.each(databases)('$name migrations', ({ schema, folder }) => {
  it('journal entries are numbered in order with strictly increasing timestamps', () => {
    const { entries } = readJournal(folder)
    expect(entries.length).toBeGreaterThan(0)
    entries.forEach((e, i) => {
      expect(e.idx).toBe(i)
      expect(existsSync(join(folder, `${e.tag}.sql`))).toBe(true)
      if (i > 0) expect(e.when).toBeGreaterThan(entries[i - 1]!.when)
    })
    const sqlFiles = readdirSync(folder).filter((f) => f.endsWith('.sql'))
    expect(sqlFiles.length).toBe(entries.length)
  })

  it('agree with the schema: drizzle-kit has nothing new to generate', () => {
    // drizzle-kit takes --out relative to the working directory, so the copy lives in an ignored folder.
    const out = relative(process.cwd(), tempDir(join(process.cwd(), '.scratch', 'migrations-')))
    cpSync(folder, out, { recursive: true })
    const before = readdirSync(out, { recursive: true }).sort()
    const log = execFileSync(
      'sh',
      ['-c', `npx drizzle-kit generate --dialect=sqlite --schema=${schema} --out=${out} 2>&1`],
      { encoding: 'utf8', env: { ...process.env, CI: 'true' } }
    )
    expect(readdirSync(out, { recursive: true }).sort(), log).toEqual(before)
    expect(log).toMatch(/No schema changes/i)
  }, 120_000)

  it('never cascade deletes (ledger rows are append-only)', () => {
    for (const f of readdirSync(folder).filter((n) => n.endsWith('.sql'))) {
      expect(readFileSync(join(folder, f), 'utf8')).not.toMatch(/ON DELETE CASCADE/i)
    }
  })
})

// The app's migrations run while the file opens, on the host's main thread: a step that rewrites
// or indexes a table that grows with use (a 1M-entry ledger) would freeze every window for
// seconds. Such a change ships as a backfill after open, in bounded slices (docs/architecture.md).
const GROWING = ['wallet_entries', 'usage_events', 'sync_outbox', 'sync_inbox', 'subscription_events', 'wallet_holds', 'gauge_leases']

describe('app migrations after the first', () => {
  it('never rewrite, copy, update or index a table that grows with use', () => {
    const folder = 'migrations/app'
    const steps = readJournal(folder).entries.slice(1)
    expect(steps.length).toBeGreaterThan(0)
    for (const e of steps) {
      const sql = readFileSync(join(folder, `${e.tag}.sql`), 'utf8')
      for (const table of GROWING) {
        const touches = [
          new RegExp(`CREATE (UNIQUE )?INDEX [^;]* ON \`?${table}\`?\\s*\\(`, 'i'),
          new RegExp(`(UPDATE|DELETE FROM|INSERT INTO) \`?(__new_)?${table}\`?\\b`, 'i'),
          new RegExp(`FROM \`?${table}\`?\\b`, 'i'),
          new RegExp(`ALTER TABLE \`?${table}\`? (RENAME|DROP)`, 'i')
        ]
        for (const re of touches) expect(sql, `${e.tag} touches ${table}`).not.toMatch(re)
      }
    }
  })
})
