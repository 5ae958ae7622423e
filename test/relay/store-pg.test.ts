import { readFileSync } from 'node:fs'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/node/clock'
import { sequentialIds } from '../../src/node/ids'
import { DatabaseFromFuture } from '../../src/shared/errors'
import { JobRunner } from '../../src/relay/jobs/runner'
import { StoreUnavailable } from '../../src/relay/store/pg/errors'
import { openPgStore, type PgStore } from '../../src/relay/store/pg/open'
import { emptyDatabase, freshDatabase, pgAvailable } from './support/pg'

// The relay's unit of work on PostgreSQL: units run at once (in this instance and in others),
// so what keeps each fact applied once is the database: the loser of a race is rolled back and
// run again, and finds the winner's effect. A nested unit rolls back only itself; a read is one
// snapshot; a database that is not there is UNAVAILABLE, and the pool comes back by itself.

const stores: PgStore[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
})

async function open(url?: string, opts: { poolMax?: number; statementTimeoutMs?: number } = {}): Promise<PgStore> {
  const s = await openPgStore({ url: url ?? (await freshDatabase()), ...opts })
  stores.push(s)
  return s
}

const count = async (s: PgStore, table: string) => (await s.pool.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n

describe.runIf(pgAvailable())('relay store units of work [pg]', () => {
  it('two units racing on one row: both commit, one after running again on the other’s result', async () => {
    const s = await open()
    await s.unit(async (tx) => tx.accounts.insert('a1', null, 0))
    let runs = 0
    // Both first runs read before either writes (a barrier), so they race for certain.
    let arrived = 0
    let release = () => {}
    const bothRead = new Promise<void>((resolve) => (release = resolve))
    // Each claims the first-free use unless claimed: exactly one claim wins.
    const claim = (id: string) =>
      s.unit(async (tx) => {
        const run = ++runs
        const before = await tx.accounts.get('a1')
        if (run <= 2) {
          if (++arrived === 2) release()
          await bothRead
        }
        if (before?.firstFreeClaimId) return 'taken'
        return (await tx.accounts.claimFirstFree('a1', id, 'd')) ? 'won' : 'lost'
      })
    const results = await Promise.all([claim('c1'), claim('c2')])
    expect(results.sort()).toEqual(['taken', 'won'])
    expect(runs).toBe(3)
  })

  it('a unique key inserted by a concurrent unit: the loser runs again and sees it', async () => {
    const s = await open()
    const remember = () =>
      s.unit(async (tx) => {
        if (await tx.notifications.seen('stripe', 'evt_1')) return 'duplicate'
        await new Promise((resolve) => setTimeout(resolve, 20))
        await tx.notifications.remember('stripe', 'evt_1', null, 'payment.succeeded', 1000)
        return 'applied'
      })
    expect((await Promise.all([remember(), remember()])).sort()).toEqual(['applied', 'duplicate'])
    expect(await count(s, 'provider_events')).toBe(1)
  })

  it('two instances’ job runners racing over the same due jobs run each once (FOR UPDATE SKIP LOCKED)', async () => {
    const url = await freshDatabase()
    const [one, two] = [await open(url), await open(url)]
    const clock = new ManualClock(Date.UTC(2026, 0, 1))
    const runner = (store: PgStore, owner: string) => {
      const r = new JobRunner(store, clock, sequentialIds(`${owner}-`), { owner, batch: 7 })
      // The job's effect is a row keyed by the job: a second run of it would fail its unit.
      r.register('effect', { handler: { unit: async (tx, job) => tx.accounts.insert(`effect-${job.key}`, owner, clock.now()) } })
      return r
    }
    const [a, b] = [runner(one, 'a'), runner(two, 'b')]
    await one.unit(async (tx) => {
      for (let i = 0; i < 30; i++) await a.enqueue(tx, 'effect', `k${i}`, null)
    })
    const rounds = { a: 0, b: 0 }
    const drain = async (r: JobRunner, name: 'a' | 'b') => {
      for (;;) {
        const round = await r.runDue()
        rounds[name] += round.done
        if (round.done + round.retried === 0) return
      }
    }
    await Promise.all([drain(a, 'a'), drain(b, 'b')])
    expect(rounds.a + rounds.b).toBe(30)
    expect(await count(one, 'accounts')).toBe(30)
    expect((await one.pool.query("SELECT count(*) AS n FROM jobs WHERE state = 'done' AND attempts = 1")).rows[0]).toEqual({ n: 30 })
  })

  it('a nested unit that throws undoes only its own writes', async () => {
    const s = await open()
    await s.unit(async (tx) => {
      await tx.accounts.insert('outer-1', null, 0)
      await expect(
        tx.nested(async (inner) => {
          await inner.accounts.insert('inner', null, 0)
          throw new Error('inner fails')
        })
      ).rejects.toThrow('inner fails')
      await tx.nested(async (inner) => inner.accounts.insert('inner-ok', null, 0))
    })
    expect((await s.pool.query('SELECT id FROM accounts ORDER BY id')).rows).toEqual([{ id: 'inner-ok' }, { id: 'outer-1' }])
  })

  it('feed numbers of one account increase in commit order across units running at once', async () => {
    const s = await open()
    await s.unit(async (tx) => tx.accounts.insert('acc', null, 0))
    const committed: number[] = []
    const append = (i: number) =>
      s
        .unit(async (tx) => {
          const r = await tx.feed.append({ id: `r${i}`, accountId: 'acc', type: 'order_closed', timestamp: 1, keyId: 'k' }, (seq) => ({
            payload: JSON.stringify({ seq }),
            signature: ''
          }))
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10))
          return r.seq
        })
        .then((seq) => committed.push(seq))
    await Promise.all(Array.from({ length: 12 }, (_, i) => append(i)))
    expect(committed).toHaveLength(12)
    expect([...committed].sort((a, b) => a - b)).toEqual(committed)
    const rows = await s.read(async (tx) => tx.feed.since('acc', 0, 100))
    expect(rows.map((r) => r.seq)).toEqual(committed)
    expect(rows.every((r) => (JSON.parse(r.payload) as { seq: number }).seq === r.seq)).toBe(true)
  })

  it('money and times cross as bigint and timestamptz and come back as the same numbers', async () => {
    const s = await open()
    const at = Date.UTC(2025, 0, 15, 4, 0, 0, 123)
    await s.unit(async (tx) => {
      await tx.accounts.insert('acc', null, at)
      await tx.ledger.post(
        { id: 't1', kind: 'payment', debitAccountId: 'a', creditAccountId: 'b', amount: 10_000_000_000, currency: 'CNY', customerAccountId: 'acc', sourceId: 's', at },
        {
          debit: { id: 'a', kind: 'provider_clearing', customerAccountId: null, currency: 'CNY' },
          credit: { id: 'b', kind: 'customer_wallet', customerAccountId: 'acc', currency: 'CNY' }
        }
      )
    })
    const snap = await s.read(async (tx) => tx.ledger.snapshot())
    expect(snap.transfers).toEqual([expect.objectContaining({ amount: 10_000_000_000, at })])
    expect(snap.accounts.find((a) => a.id === 'b')).toMatchObject({ creditsPosted: 10_000_000_000, debitsPosted: 0 })
    const types = (await s.pool.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'ledger_transfers' AND column_name IN ('amount', 'at') ORDER BY column_name")).rows
    expect(types).toEqual([{ data_type: 'bigint' }, { data_type: 'timestamp with time zone' }])
    // A value no amount or time can reach is refused, not rounded.
    await expect(s.pool.query('SELECT 9007199254740993::int8 AS n')).rejects.toThrow(/beyond what the relay stores/)
  })

  it('ledger transfers and catalog versions are immutable; version 1 is seeded', async () => {
    const s = await open()
    expect(await s.read(async (tx) => (await tx.catalog.latest())?.version)).toBe(1)
    await expect(s.pool.query("UPDATE catalog_versions SET document = '{}'")).rejects.toThrow(/immutable/)
    await s.unit(async (tx) =>
      tx.ledger.post(
        { id: 't1', kind: 'payment', debitAccountId: 'a', creditAccountId: 'b', amount: 5, currency: 'CNY', customerAccountId: null, sourceId: 's', at: 0 },
        {
          debit: { id: 'a', kind: 'provider_clearing', customerAccountId: null, currency: 'CNY' },
          credit: { id: 'b', kind: 'opening_balance', customerAccountId: null, currency: 'CNY' }
        }
      )
    )
    await expect(s.pool.query('DELETE FROM ledger_transfers')).rejects.toThrow(/immutable/)
    await expect(s.pool.query('UPDATE ledger_transfers SET amount = 6')).rejects.toThrow(/immutable/)
  })

  it('instances starting at once migrate once (advisory lock); a database from a newer build is refused', async () => {
    const url = await emptyDatabase()
    await Promise.all([open(url), open(url), open(url)])
    // Each migration of the journal once, however many instances ran them.
    const journal = JSON.parse(readFileSync(new URL('../../migrations/relay-pg/meta/_journal.json', import.meta.url), 'utf8')) as { entries: unknown[] }
    expect(await count(stores[0]!, 'drizzle.__drizzle_migrations')).toBe(journal.entries.length)
    await stores[0]!.pool.query("INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('future', 99999999999999)")
    await expect(openPgStore({ url })).rejects.toBeInstanceOf(DatabaseFromFuture)
  })

  it('a database that is not there is UNAVAILABLE; the pool reconnects once it is back', async () => {
    const s = await open(undefined, { poolMax: 2 })
    await s.unit(async (tx) => tx.accounts.insert('acc', null, 0))
    // Every connection of this store is cut, as a server restart would.
    const db = (await s.pool.query<{ d: string }>('SELECT current_database() AS d')).rows[0]!.d
    const killer = new pg.Client({ connectionString: s.pool.options.connectionString })
    await killer.connect()
    const cut = s.unit(async (tx) => {
      await tx.accounts.insert('b', null, 0)
      await killer.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [db])
      await tx.accounts.insert('c', null, 0)
    })
    await expect(cut).rejects.toBeInstanceOf(StoreUnavailable)
    await killer.end()
    expect(await s.read(async (tx) => [await tx.accounts.get('b'), (await tx.accounts.get('acc'))?.id])).toEqual([undefined, 'acc'])
  })

  it('a statement past statement_timeout (here: waiting on a row lock held elsewhere) is UNAVAILABLE; nothing of its unit stays', async () => {
    const s = await open(undefined, { statementTimeoutMs: 200 })
    await s.unit(async (tx) => tx.accounts.insert('acc', null, 0))
    const holder = new pg.Client({ connectionString: s.pool.options.connectionString })
    await holder.connect()
    await holder.query("BEGIN; UPDATE accounts SET label = 'held' WHERE id = 'acc'")
    const slow = s.unit(async (tx) => {
      await tx.accounts.insert('other', null, 0)
      await tx.accounts.claimFirstFree('acc', 'c1', 'd1')
    })
    await expect(slow).rejects.toBeInstanceOf(StoreUnavailable)
    await holder.query('ROLLBACK')
    await holder.end()
    expect(await count(s, 'accounts')).toBe(1)
    expect(await s.read(async (tx) => (await tx.accounts.get('acc'))?.firstFreeClaimId)).toBeNull()
  })
})
