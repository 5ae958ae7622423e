import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openSqliteStore, type SqliteStore } from '../../src/relay/store/sqlite/open'
import { tempDir } from '../support/db'

// The relay's unit of work on SQLite: the domain awaits inside a unit, so units on the one
// connection must not interleave (they would share one transaction), a nested unit rolls back
// only itself, and a read never sees a unit that has not committed.

let store: SqliteStore | undefined
afterEach(async () => {
  await store?.close()
  store = undefined
})

function open(durability: 'full' | 'normal' = 'normal'): SqliteStore {
  store = openSqliteStore({ path: join(tempDir('store-'), 'relay.sqlite'), durability })
  return store
}

const yieldTurns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve))
}

describe('relay store units of work', () => {
  it('run one at a time: a unit that fails after yielding takes none of a concurrent unit with it', async () => {
    const s = open()
    const insert = s.sqlite.prepare('INSERT INTO counters (name, value) VALUES (?, 1)')
    const order: string[] = []
    const failing = s.unit(async () => {
      order.push('a begins')
      insert.run('a')
      await yieldTurns(3) // real turns of the event loop, as a networked store would take
      order.push('a fails')
      throw new Error('a fails')
    })
    const committing = s.unit(async () => {
      order.push('b begins')
      insert.run('b')
      await yieldTurns(1)
      return 'b'
    })
    await expect(failing).rejects.toThrow('a fails')
    await expect(committing).resolves.toBe('b')
    expect(order).toEqual(['a begins', 'a fails', 'b begins'])
    expect(s.sqlite.prepare('SELECT name FROM counters ORDER BY name').all()).toEqual([{ name: 'b' }])
  })

  it('a read waits for the running unit, so it never sees writes that are rolled back', async () => {
    const s = open()
    const insert = s.sqlite.prepare('INSERT INTO counters (name, value) VALUES (?, 1)')
    const count = s.sqlite.prepare('SELECT COUNT(*) AS n FROM counters')
    const unit = s.unit(async () => {
      insert.run('x')
      await yieldTurns(2)
      throw new Error('rolled back')
    })
    const seen = s.read(async () => count.get())
    await expect(unit).rejects.toThrow('rolled back')
    expect(await seen).toEqual({ n: 0 })
  })

  it('a nested unit that throws undoes only its own writes', async () => {
    const s = open()
    const insert = s.sqlite.prepare('INSERT INTO counters (name, value) VALUES (?, 1)')
    await s.unit(async (tx) => {
      insert.run('outer-1')
      await expect(
        tx.nested(async (inner) => {
          insert.run('inner')
          await inner.nested(async () => void insert.run('innermost'))
          throw new Error('inner fails')
        })
      ).rejects.toThrow('inner fails')
      await tx.nested(async () => void insert.run('inner-ok'))
      insert.run('outer-2')
    })
    expect(s.sqlite.prepare('SELECT name FROM counters ORDER BY name').all()).toEqual([
      { name: 'inner-ok' },
      { name: 'outer-1' },
      { name: 'outer-2' }
    ])
    expect(s.sqlite.inTransaction).toBe(false)
  })

  it('grouped units commit at once and are durable after the fsync; other units stay synchronous=FULL', async () => {
    const s = open('full')
    const insert = s.sqlite.prepare('INSERT INTO counters (name, value) VALUES (?, 1)')
    const grouped = await Promise.all(['g1', 'g2', 'g3'].map((name) => s.unitGrouped(async () => insert.run(name).changes)))
    expect(grouped.map((g) => g.value)).toEqual([1, 1, 1])
    expect(s.sqlite.prepare('SELECT COUNT(*) AS n FROM counters').get()).toEqual({ n: 3 })
    await Promise.all(grouped.map((g) => g.durable))
    const durableRead = await s.read(async (tx) => tx.orders.byNo('none'), { durable: true })
    expect(durableRead).toBeUndefined()
    expect(s.sqlite.pragma('synchronous', { simple: true })).toBe(2)
  })

  it('a durable read queued behind a grouped unit serves its write only once it is on disk', async () => {
    const s = open('full')
    const insert = s.sqlite.prepare('INSERT INTO counters (name, value) VALUES (?, 1)')
    const count = s.sqlite.prepare('SELECT COUNT(*) AS n FROM counters')
    let onDisk = false
    const grouped = s.unitGrouped(async () => {
      insert.run('g')
      await yieldTurns(2)
    })
    void grouped.then(({ durable }) => durable.then(() => (onDisk = true)))
    const seen = await s.read(async () => ({ ...(count.get() as { n: number }), onDisk }), { durable: true })
    expect(seen).toEqual({ n: 1, onDisk: true })
  })
})
