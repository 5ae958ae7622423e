import type { Pool, PoolClient } from 'pg'
import type { StoreTx } from '../ports'
import { describe, isConflict, isUnavailable, isUniqueViolation, StoreUnavailable } from './errors'
import { pgRepos } from './repos'
import { pgReadAhead } from './repos/ahead'
import { sqlOn, type UnitSql } from './sql'
import { pgStats } from './stats'

// Units of work on PostgreSQL. Each unit is one REPEATABLE READ transaction on a pooled
// connection, so units of this instance and of every other instance run at once. What keeps a
// fact applied once is the database, not a single writer: a row two units both write (an order,
// a ledger account, the account's feed head) lets the first committer win and fails the other
// with a serialization error; a key two units both insert (a provider event id, an outbox record
// id) fails the other with a unique violation. Either way the loser is rolled back and run again
// from the start with a fresh snapshot, in which it finds the winner's effect (a duplicate).
// A unit's work may therefore run more than once: only its committed run counts (ports.ts).
// A lost connection is never retried here (a COMMIT may have landed): it is UNAVAILABLE, the
// provider redelivers, and the replay guard answers the redelivery.
// Commits return once on disk (synchronous_commit on), so `durable` is already settled; the
// grouping that remains is the pipeline's batches, gathered while a grouped unit is in flight.
// Grouped units (those batches, checkouts) take a gate first (GROUPED_BEGIN), so they follow one
// another across instances too: one batch at a time holds the rows every payment touches, as one
// batch at a time did per instance, and none is re-run for them. A unit's BEGIN, its writes nobody
// reads the answer of, and its COMMIT ride along with its statements (sql.ts): its cost is its reads.

/** Runs of a unit that lost a race, at most, before it fails (UNAVAILABLE). */
const CONFLICT_ATTEMPTS = 10
/** Runs of a unit that hit a unique key (a concurrent insert, or a real duplicate: then it stays). */
const UNIQUE_ATTEMPTS = 3
/** Grouped units in flight at once; later ones gather into the next batch (whenSlotFree). */
const GROUPED_IN_FLIGHT = 1

/**
 * A grouped unit takes the gate table's lock before anything else. LOCK TABLE takes no snapshot,
 * so the unit's REPEATABLE READ snapshot begins after the wait, when the previous holder (this
 * instance's or another's batch) has committed: it sees that batch's writes to the hot rows (the
 * account's feed head, the invoice counter, the clearing and wallet ledger accounts) and does not
 * fail on them and run again. Two instances measured 135 re-runs in 139 batches without it.
 */
const GROUPED_BEGIN = 'BEGIN ISOLATION LEVEL REPEATABLE READ; LOCK TABLE grouped_unit_gate IN EXCLUSIVE MODE'

export class PgUnits {
  private grouped = 0
  private slotWaiters: (() => void)[] = []
  private readonly running = new Set<Promise<unknown>>()

  constructor(private readonly pool: Pool) {}

  unit<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.transaction(work, 'BEGIN ISOLATION LEVEL REPEATABLE READ', 'unit')
  }

  async unitGrouped<T>(work: (tx: StoreTx) => Promise<T>): Promise<{ value: T; durable: Promise<void> }> {
    this.grouped++
    try {
      return { value: await this.transaction(work, GROUPED_BEGIN, 'grouped'), durable: Promise.resolve() }
    } finally {
      this.grouped--
      for (const commit of this.slotWaiters.splice(0)) commit()
    }
  }

  /** A commit that need not wait for its WAL flush (feed signatures, recomputed identically). */
  unitUnsynced<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.transaction(work, 'BEGIN ISOLATION LEVEL REPEATABLE READ; SET LOCAL synchronous_commit = off', 'unsynced')
  }

  /** One snapshot for the whole read (relay:verify reads several tables that must agree). */
  read<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.transaction(work, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', 'read')
  }

  whenSlotFree(commit: () => void): void {
    if (this.grouped < GROUPED_IN_FLIGHT) commit()
    else this.slotWaiters.push(commit)
  }

  /** Resolves once every unit begun so far has committed or failed (the relay's stop waits for it). */
  settled(): Promise<void> {
    return Promise.allSettled([...this.running]).then(() => undefined)
  }

  private transaction<T>(work: (tx: StoreTx) => Promise<T>, begin: string, kind: string): Promise<T> {
    const done = this.attempts(work, begin, kind)
    this.running.add(done)
    const forget = () => void this.running.delete(done)
    done.then(forget, forget)
    return done
  }

  private async attempts<T>(work: (tx: StoreTx) => Promise<T>, begin: string, kind: string): Promise<T> {
    const stats = pgStats?.kind(kind)
    if (stats) stats.units++
    for (let attempt = 1; ; attempt++) {
      let client: PoolClient
      const asked = stats && performance.now()
      try {
        client = await this.pool.connect()
      } catch (err) {
        throw new StoreUnavailable(describe(err))
      }
      const began = stats && performance.now()
      if (stats) {
        stats.runs++
        stats.poolWaitMs += began! - asked!
      }
      let broken: Error | undefined
      let run: Run | undefined
      // A checked-out client whose connection drops emits 'error': heard here (the query in
      // flight fails as well), else it would be an uncaught exception.
      const onError = (err: Error) => (broken = err)
      client.on('error', onError)
      try {
        run = new Run(client, stats)
        // BEGIN goes with the unit's first statement, COMMIT with its last queued writes (sql.ts).
        run.sql.queue(begin)
        const value = await work(run.view)
        // A nested unit lost a race: the snapshot is stale for everything after it, so all of it runs again.
        if (run.conflict) throw run.conflict
        await run.sql.flush('COMMIT')
        return value
      } catch (err) {
        if (isUnavailable(err)) {
          broken = err as Error
          throw new StoreUnavailable(describe(err))
        }
        try {
          await client.query('ROLLBACK')
        } catch (rollbackErr) {
          broken = rollbackErr as Error
          throw new StoreUnavailable(describe(rollbackErr))
        }
        const again = isConflict(err) ? attempt < CONFLICT_ATTEMPTS : isUniqueViolation(err) && attempt < UNIQUE_ATTEMPTS
        if (stats && again) isConflict(err) ? stats.conflictReruns++ : stats.uniqueReruns++
        if (!again) throw isConflict(err) ? new StoreUnavailable(`still conflicting after ${attempt} runs: ${describe(err)}`) : err
        // Jittered pause, doubling up to a unit's usual length (250 ms cap): the winner commits
        // meanwhile. A pause far shorter than the winner's unit met the same holder again, so
        // a dozen units on one account could lose ten times in a row on a loaded machine.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(250, 2 ** attempt)))
      } finally {
        if (stats) {
          const inside = performance.now() - began!
          stats.insideMs += inside
          stats.maxInsideMs = Math.max(stats.maxInsideMs, inside)
        }
        client.off('error', onError)
        // A connection whose prepared statements are no longer known is closed, not reused (sql.ts).
        client.release(broken ?? (run?.sql.tainted ? new Error('prepared statements of this connection unknown') : undefined))
      }
    }
  }
}

/** One run of a unit: its repositories over the unit's connection, and its savepoints. */
class Run {
  readonly view: StoreTx
  conflict: unknown
  private depth = 0

  readonly sql: UnitSql

  constructor(client: PoolClient, stats?: { statements: number; roundTrips: number }) {
    this.sql = sqlOn(client, stats)
    this.view = { ...pgRepos(this.sql), nested: (work) => this.savepoint(work), readAhead: (hint) => pgReadAhead(this.sql, hint) }
  }

  private async savepoint<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    const name = `unit_${++this.depth}`
    // The writes queued before it go first, so a failure among them is the outer work's, not this one's.
    await this.sql.flush(`SAVEPOINT ${name}`)
    try {
      const value = await work(this.view)
      await this.sql.flush(`RELEASE SAVEPOINT ${name}`)
      return value
    } catch (err) {
      this.sql.discard()
      this.sql.memo.clear()
      if (isUnavailable(err)) throw err
      if (isConflict(err)) this.conflict ??= err
      await this.sql.flush(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`)
      throw err
    } finally {
      this.depth--
    }
  }
}
