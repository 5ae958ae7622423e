import type Database from 'better-sqlite3'
import type { StoreTx } from '../ports'
import type { WalSync } from './wal-sync'

// Units of work over the relay's one connection. A unit is one IMMEDIATE transaction; the
// domain awaits inside it, so units run one at a time (a FIFO queue): two units interleaving on
// one connection would share one transaction. The SQLite repositories answer synchronously,
// so a unit still runs to its end without yielding to I/O, as the synchronous code before it did.

export class UnitsOfWork {
  private busy = false
  private readonly waiting: (() => void)[] = []
  private readonly begin
  private readonly beginRead
  private readonly commit
  private readonly rollback
  private readonly syncNormal
  private readonly syncFull
  private depth = 0
  /** The repositories and `nested` (a savepoint), as handed to every unit and read. */
  private readonly view: StoreTx

  constructor(
    private readonly sqlite: Database.Database,
    repos: Omit<StoreTx, 'nested' | 'readAhead'>,
    /** Present with durability 'full': grouped units fsync through it, off the event loop. */
    private readonly wal: WalSync | undefined
  ) {
    // readAhead: SQLite answers each read in microseconds, so the hint is not needed.
    this.view = { ...repos, nested: (work) => this.savepoint(work), readAhead: () => undefined }
    this.begin = sqlite.prepare('BEGIN IMMEDIATE')
    this.beginRead = sqlite.prepare('BEGIN')
    this.commit = sqlite.prepare('COMMIT')
    this.rollback = sqlite.prepare('ROLLBACK')
    this.syncNormal = sqlite.prepare('PRAGMA synchronous = NORMAL')
    this.syncFull = sqlite.prepare('PRAGMA synchronous = FULL')
  }

  unit<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.exclusive(() => this.transaction(work))
  }

  unitGrouped<T>(work: (tx: StoreTx) => Promise<T>): Promise<{ value: T; durable: Promise<void> }> {
    return this.exclusive(async () => {
      if (!this.wal) return { value: await this.transaction(work), durable: Promise.resolve() }
      // Only this commit skips the in-line fsync; every other transaction stays FULL.
      this.syncNormal.run()
      let value: T
      try {
        value = await this.transaction(work)
      } finally {
        this.syncFull.run()
      }
      return { value, durable: this.wal.afterCommit() }
    })
  }

  unitUnsynced<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      if (!this.wal) return this.transaction(work)
      // Written to the WAL without its fsync; the next flush covers it, whoever's it is.
      this.syncNormal.run()
      try {
        return await this.transaction(work)
      } finally {
        this.syncFull.run()
      }
    })
  }

  async read<T>(work: (tx: StoreTx) => Promise<T>, durable: boolean): Promise<T> {
    const wal = this.wal
    if (!durable || !wal) return this.exclusive(() => this.snapshot(work))
    // Checked again once the connection is ours: a unit queued ahead of this read may have
    // committed after the flush it waited for, and what it wrote is not on disk yet.
    for (;;) {
      await wal.whenDurable()
      const read = await this.exclusive(async () => (wal.allDurable() ? { value: await this.snapshot(work) } : undefined))
      if (read) return read.value
    }
  }

  private async transaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    this.begin.run()
    try {
      const value = await work(this.view)
      this.commit.run()
      return value
    } catch (err) {
      if (this.sqlite.inTransaction) this.rollback.run()
      throw err
    }
  }

  /**
   * A read in one (deferred) transaction: its statements see one snapshot of the file, even
   * when another process (a CLI, a second relay on the same file) commits meanwhile.
   */
  private async snapshot<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    this.beginRead.run()
    try {
      return await work(this.view)
    } finally {
      // Nothing to keep: a read writes nothing, and ending it cannot fail the way a COMMIT could.
      if (this.sqlite.inTransaction) this.rollback.run()
    }
  }

  private async savepoint<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    const name = `unit_${++this.depth}`
    this.sqlite.prepare(`SAVEPOINT ${name}`).run()
    try {
      const value = await work(this.view)
      this.sqlite.prepare(`RELEASE ${name}`).run()
      return value
    } catch (err) {
      if (this.sqlite.inTransaction) {
        this.sqlite.prepare(`ROLLBACK TO ${name}`).run()
        this.sqlite.prepare(`RELEASE ${name}`).run()
      }
      throw err
    } finally {
      this.depth--
    }
  }

  /** Runs `fn` when no other unit or read runs; in call order. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy) return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.run(fn))
    this.busy = true
    return this.run(fn)
  }

  /** Plain promises, not async functions: this runs for every unit, so its ticks count. */
  private run<T>(fn: () => Promise<T>): Promise<T> {
    let done: Promise<T>
    try {
      done = fn()
    } catch (err) {
      done = Promise.reject(err)
    }
    done.then(this.release, this.release)
    return done
  }

  /** Hands the connection straight to the next in line (busy stays set), so no newcomer overtakes it. */
  private readonly release = (): void => {
    const next = this.waiting.shift()
    if (next) next()
    else this.busy = false
  }
}
