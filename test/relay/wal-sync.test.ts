import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { openSqliteStore } from '../../src/relay/store/sqlite/open'
import { BACKSTOP_PAGES, Checkpointer } from '../../src/relay/store/sqlite/checkpointer'
import { WalSync } from '../../src/relay/store/sqlite/wal-sync'
import { tempDir } from '../support/db'

// Group commit with the fsync off the event loop: a commit counts as durable only after an
// fsync that began after it.

function manualSync() {
  const calls: ((err: Error | null) => void)[] = []
  return {
    fn: (_fd: number, cb: (err: Error | null) => void) => void calls.push(cb),
    calls,
    /** Completes the oldest outstanding fsync. */
    finish: async (err: Error | null = null) => {
      calls.shift()!(err)
      await new Promise((r) => setImmediate(r))
    }
  }
}

const settled = (p: Promise<void>) => {
  const state = { done: false, failed: false }
  p.then(
    () => (state.done = true),
    () => (state.failed = true)
  )
  return state
}

async function ticks(n = 3) {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r))
}

describe('WAL sync', () => {
  it('a commit is durable only after an fsync that started after it; at most two run, the next covers all commits made meanwhile', async () => {
    const file = join(tempDir('wal-'), 'x-wal')
    writeFileSync(file, '')
    const sync = manualSync()
    const wal = new WalSync(file, sync.fn, 2)

    const a = settled(wal.afterCommit())
    // The first fsync waits for the WAL file to be opened on the thread pool: poll, not ticks.
    await vi.waitFor(() => expect(sync.calls).toHaveLength(1)) // fsync #1 covers a
    const b = settled(wal.afterCommit())
    await ticks()
    expect(sync.calls).toHaveLength(2) // fsync #2 covers a, b
    const c = settled(wal.afterCommit()) // two running: c waits
    const d = settled(wal.afterCommit())
    const readAll = settled(wal.whenDurable())
    await ticks()
    expect(sync.calls).toHaveLength(2)

    await sync.finish() // #1 ends: only a; #3 starts for c, d
    await ticks()
    expect([a.done, b.done, c.done, d.done, readAll.done]).toEqual([true, false, false, false, false])
    expect(sync.calls).toHaveLength(2)
    // #3 ends before #2: it started later, so it covers b as well.
    const third = sync.calls.pop()!
    third(null)
    await ticks()
    expect([b.done, c.done, d.done, readAll.done]).toEqual([true, true, true, true])
    await sync.finish() // #2, late: changes nothing
    await ticks()
    expect(sync.calls).toHaveLength(0)
    await expect(wal.whenDurable()).resolves.toBeUndefined() // nothing outstanding: no fsync
    expect(sync.calls).toHaveLength(0)

    // A failed fsync fails the commits waiting on it, and every later one: a retried fsync
    // could "succeed" without the lost pages, so nothing is acknowledged until a restart.
    const e = settled(wal.afterCommit())
    await ticks()
    const f = settled(wal.afterCommit())
    await ticks()
    await sync.finish(new Error('EIO'))
    await ticks()
    expect([e.failed, f.failed]).toEqual([true, true])
    await expect(wal.afterCommit()).rejects.toThrow(/restart the relay/)
    await expect(wal.whenDurable()).rejects.toThrow(/restart the relay/)
    await sync.finish()
    wal.close()
  })

  it('one fsync at a time by default: a waiting committer runs when it ends, before the next fsync starts, and that fsync covers it', async () => {
    const file = join(tempDir('wal-'), 'x-wal')
    writeFileSync(file, '')
    const sync = manualSync()
    const wal = new WalSync(file, sync.fn)
    const order: string[] = []

    wal.whenSlotFree(() => order.push('first')) // nothing running: at once
    expect(order).toEqual(['first'])
    const a = settled(wal.afterCommit())
    await vi.waitFor(() => expect(sync.calls).toHaveLength(1))
    let b: ReturnType<typeof settled> | undefined
    wal.whenSlotFree(() => {
      order.push('second')
      b = settled(wal.afterCommit())
    })
    wal.whenSlotFree(() => order.push('third'))
    await ticks()
    expect(order).toEqual(['first']) // the fsync is busy: both wait
    expect(sync.calls).toHaveLength(1)

    await sync.finish() // a is durable; the waiters commit; one fsync starts for them
    expect(order).toEqual(['first', 'second', 'third'])
    expect(a.done).toBe(true)
    expect(b!.done).toBe(false)
    expect(sync.calls).toHaveLength(1)
    await sync.finish()
    await ticks()
    expect(b!.done).toBe(true)

    // A committer that throws strands neither the others nor the next fsync.
    const d = settled(wal.afterCommit())
    await ticks()
    const order2: string[] = []
    wal.whenSlotFree(() => {
      throw new Error('a buggy committer')
    })
    wal.whenSlotFree(() => {
      order2.push('after the buggy one')
      wal.afterCommit().catch(() => undefined)
    })
    const uncaught = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve))
    await sync.finish()
    expect(d.done).toBe(true)
    expect(order2).toEqual(['after the buggy one'])
    expect(((await uncaught) as Error).message).toBe('a buggy committer') // surfaced, not swallowed
    expect(sync.calls).toHaveLength(1) // the next fsync started for the second committer
    await sync.finish()

    // Closing runs whoever still waits, so no batch is stranded.
    const c = settled(wal.afterCommit())
    await ticks()
    let ran = false
    wal.whenSlotFree(() => (ran = true))
    wal.close()
    expect(ran).toBe(true)
    await sync.finish()
    await ticks()
    expect(c.done).toBe(true)
  })

  it('a reader woken by an fsync reads before the batches waiting for the slot commit (nothing unsynced is served)', async () => {
    const file = join(tempDir('wal-'), 'x-wal')
    writeFileSync(file, '')
    const sync = manualSync()
    const wal = new WalSync(file, sync.fn)
    let committed = 1
    void wal.afterCommit() // commit 1; its fsync is held
    await vi.waitFor(() => expect(sync.calls).toHaveLength(1))
    // A reader waits for commit 1, then a batch waits for the slot to commit 2.
    const seen: number[] = []
    const read = wal.whenDurable().then(() => seen.push(committed))
    wal.whenSlotFree(() => {
      committed = 2
      void wal.afterCommit()
    })
    await sync.finish()
    await read
    expect(seen).toEqual([1]) // commit 2 was not yet visible to the reader
    expect(committed).toBe(2) // and it went on at once after, with its own fsync
    expect(sync.calls).toHaveLength(1)
    await sync.finish()
    wal.close()
  })

  it('a grouped unit commits at once and resolves durable after the real fsync; a failing one changes nothing', async () => {
    const db = openSqliteStore({ path: join(tempDir('wal-db-'), 'relay.sqlite'), durability: 'full' })
    try {
      const insert = db.sqlite.prepare("INSERT INTO counters (name, value) VALUES (?, 1)")
      const { value, durable } = await db.unitGrouped(async () => insert.run('a').changes)
      expect(value).toBe(1)
      await durable
      await db.whenDurable()
      await expect(
        db.unitGrouped(async () => {
          insert.run('b')
          throw new Error('boom')
        })
      ).rejects.toThrow('boom')
      expect(db.sqlite.prepare('SELECT name FROM counters ORDER BY name').all()).toEqual([{ name: 'a' }])
      // Every other transaction still commits with synchronous=FULL.
      expect(db.sqlite.pragma('synchronous', { simple: true })).toBe(2)
    } finally {
      await db.close()
    }
  })
})

describe('checkpoints', () => {
  it('close() settles when called twice and when the checkpoint thread already died', async () => {
    const db = openSqliteStore({ path: join(tempDir('ckpt-close-'), 'relay.sqlite'), durability: 'full' })
    await Promise.all([db.close(), db.close()])
    await db.close()

    const errors: string[] = []
    // A directory is not a database: the thread dies at start.
    const dead = new Checkpointer(tempDir('not-a-db-'), { onError: (m) => errors.push(m) })
    await vi.waitFor(() => expect(errors).toEqual([expect.stringMatching(/checkpoint thread died.*\(failure 1\)/)]))
    await dead.close()
    await dead.close()
  })

  it('run on their own thread: the database file takes the WAL pages without the writer checkpointing', async () => {
    const path = join(tempDir('ckpt-'), 'relay.sqlite')
    const db = openSqliteStore({ path, durability: 'full' })
    try {
      expect(db.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_PAGES)
      const before = statSync(path).size
      const insert = db.sqlite.prepare('INSERT INTO counters (name, value) VALUES (?, ?)')
      // ~2 MB of rows: far below the writer's backstop, so only the checkpoint thread copies them.
      for (let i = 0; i < 20; i++) {
        const { durable } = await db.unitGrouped(async () => {
          for (let j = 0; j < 100; j++) insert.run(`k${i}-${j}-${'x'.repeat(900)}`, j)
        })
        await durable
      }
      await vi.waitFor(() => expect(statSync(path).size).toBeGreaterThan(before + 1_500_000), { timeout: 5000, interval: 50 })
    } finally {
      await db.close()
    }
  })
})
