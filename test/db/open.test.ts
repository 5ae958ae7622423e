import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { openDatabase, defaultMigrationsFolder } from '../../src/main/db/open'
import { readJournal } from '../../src/node/sqlite/migrations'
import { BillingError } from '../../src/shared/errors'
import { tempDir } from '../support/db'

describe('openDatabase', () => {
  it('applies every migration and records the schema version', () => {
    const path = join(tempDir(), 'a.sqlite')
    const db = openDatabase({ path })
    const known = readJournal(defaultMigrationsFolder()).entries.length
    expect(db.sqlite.pragma('user_version', { simple: true })).toBe(known)
    db.close()
    // Reopening applies nothing new and keeps the version.
    const again = openDatabase({ path })
    expect(again.sqlite.pragma('user_version', { simple: true })).toBe(known)
    again.close()
  })

  it('sets the pragmas the ledger relies on', () => {
    const db = openDatabase({ path: join(tempDir(), 'p.sqlite') })
    expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.sqlite.pragma('synchronous', { simple: true })).toBe(2) // FULL
    expect(db.sqlite.pragma('foreign_keys', { simple: true })).toBe(1)
    expect(db.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000)
    db.close()
    const fast = openDatabase({ path: join(tempDir(), 'n.sqlite'), durability: 'normal' })
    expect(fast.sqlite.pragma('synchronous', { simple: true })).toBe(1) // NORMAL
    fast.close()
  })

  it('refuses a database written by a newer version, with a typed error and no change', () => {
    const path = join(tempDir(), 'future.sqlite')
    openDatabase({ path }).close()
    const raw = new Database(path)
    const known = raw.pragma('user_version', { simple: true }) as number
    raw.pragma(`user_version = ${known + 1}`)
    raw.close()
    let caught: unknown
    try {
      openDatabase({ path })
    } catch (err) {
      caught = err
    }
    expect(caught).toBeInstanceOf(BillingError)
    expect((caught as BillingError).code).toBe('DATABASE_FROM_FUTURE')
    expect((caught as BillingError).details).toEqual({ databaseVersion: known + 1, supportedVersion: known })
    const check = new Database(path)
    expect(check.pragma('user_version', { simple: true })).toBe(known + 1)
    check.close()
  })

  it('rolls a failing transaction back completely', () => {
    const db = openDatabase({ path: join(tempDir(), 't.sqlite') })
    db.sqlite.exec('CREATE TABLE scratch (x INTEGER)')
    expect(() =>
      db.tx(() => {
        db.sqlite.prepare('INSERT INTO scratch VALUES (1)').run()
        throw new Error('boom')
      })
    ).toThrow('boom')
    expect(db.sqlite.prepare('SELECT count(*) AS n FROM scratch').get()).toEqual({ n: 0 })
    db.close()
  })
})
