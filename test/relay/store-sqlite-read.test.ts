import { join } from 'node:path'
import Database from 'better-sqlite3'
import { expect, it } from 'vitest'
import { checkBooks } from '../../src/relay/ledger/verify'
import { openSqliteStore } from '../../src/relay/store/sqlite/open'
import { tempDir } from '../support/db'

// A read on the SQLite store is one snapshot of the file: another process committing between
// its statements (relay:verify run beside a serving relay, a CLI) is not seen half-way.

it('a read sees one snapshot while another connection commits between its statements', async () => {
  const path = join(tempDir('relay-read-'), 'relay.sqlite')
  const store = openSqliteStore({ path })
  const other = new Database(path)
  try {
    const add = (id: string) => other.prepare("INSERT INTO ledger_accounts (id, kind, currency, created_at) VALUES (?, 'revenue', 'CNY', 0)").run(id)
    add('revenue:a:CNY')
    const seen = await store.read(async (tx) => {
      const before = (await tx.ledger.accounts()).length
      add('revenue:b:CNY')
      return [before, (await tx.ledger.accounts()).length, (await checkBooks(tx)).accounts]
    })
    expect(seen).toEqual([1, 1, 1])
    // The next read sees the commit.
    expect((await store.read(async (tx) => tx.ledger.accounts())).length).toBe(2)
    // A read that throws leaves no transaction open: a unit runs after it.
    await expect(store.read(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(await store.read(async (tx) => (await tx.ledger.accounts()).length)).toBe(2)
  } finally {
    other.close()
    await store.close()
  }
})
