import { closeSync, fsync, open } from 'node:fs'

// Group commit with the fsync off the event loop.
//
// With synchronous=FULL every commit fsyncs the WAL on the main thread, during which no
// request is parsed or verified (figures: docs/performance.md). Instead, a notification batch commits with
// synchronous=NORMAL (the WAL frames are written, not synced), and this class fsyncs the WAL
// file on libuv's thread pool; the batch's replies wait for an fsync that STARTED after the
// batch committed. fsync covers every write to the file made before it began, whichever file
// descriptor made it, so an acknowledged effect is on disk exactly as with FULL. The disk
// wait overlaps the verification and commit of the next batches.
// A commit starts its own fsync at once unless `maxInFlight` are running; then the next one
// to start covers every commit made meanwhile.
//
// A caller that can wait to commit (the notification pipeline) asks whenSlotFree() first: while
// the fsync is running, a commit made now would only wait for the next fsync anyway, so the
// work verified meanwhile is gathered and committed as one batch the moment a slot frees. Fewer,
// larger commits cost less per notification (a commit has a fixed cost) and no reply
// waits longer: its fsync starts at the same moment it would have.
//
// Readers that hand out what a commit wrote (the feed, order state) call whenDurable() first
// and read synchronously in its continuation, so nothing is served that a power cut could
// still take back: the commits waiting for the slot run only after those continuations.

export class WalSync {
  private fd: number | undefined
  private opening: ((fd: number | undefined, err: Error | null) => void)[] | undefined
  /** Commits made so far (sequence numbers). */
  private committed = 0
  /** Every commit up to this one is on disk. */
  private durable = 0
  /** The newest commit an fsync already started will cover. */
  private started = 0
  private inFlight = 0
  private waiters: { seq: number; resolve: () => void; reject: (err: Error) => void }[] = []
  /** Callers waiting for an fsync slot before they commit (whenSlotFree). */
  private slotWaiters: (() => void)[] = []
  private closed = false
  /** After a failed fsync nothing can be promised any more (the kernel may have dropped the pages). */
  private failure: Error | undefined

  constructor(
    private readonly walPath: string,
    /** fs.fsync; tests pass one they complete by hand to check which commits it covers. */
    private readonly syncFile: (fd: number, cb: (err: Error | null) => void) => void = fsync,
    /**
     * fsyncs running at once. One by default: the commits made while it runs are gathered
     * into one batch (whenSlotFree) whose fsync starts the moment it ends. Two gave smaller
     * batches and more CPU per notification with no better p99 (docs/performance.md).
     */
    private readonly maxInFlight = 1
  ) {}

  /** Call right after a commit made with synchronous=NORMAL; resolves once it is on disk. */
  afterCommit(): Promise<void> {
    return this.waitFor(++this.committed)
  }

  /** Resolves once every commit made so far through afterCommit() is on disk. */
  whenDurable(): Promise<void> {
    return this.waitFor(this.committed)
  }

  /** Whether every commit made so far through afterCommit() is on disk. */
  allDurable(): boolean {
    return this.durable >= this.committed
  }

  /**
   * Runs `commit` at once when an fsync could start for it now, else as soon as a running fsync
   * ends (before the next one starts, so that one covers it). With `fail`ed syncs it runs at
   * once: the commit's afterCommit() then reports the failure.
   */
  whenSlotFree(commit: () => void): void {
    if (this.failure || this.closed || this.inFlight < this.maxInFlight) commit()
    else this.slotWaiters.push(commit)
  }

  /** Releases the file descriptor; await whenDurable() first so no fsync is in flight. */
  close(): void {
    this.closed = true
    this.runSlotWaiters()
    this.releaseIfIdle()
  }

  /** Runs every waiting committer; one that throws neither stops the others nor the next fsync. */
  private runSlotWaiters(): void {
    for (const commit of this.slotWaiters.splice(0)) {
      try {
        commit()
      } catch (err) {
        // A committer reports its own failures (the pipeline rejects its batch); this is a bug
        // in one that did not: surface it without stranding the rest.
        queueMicrotask(() => {
          throw err
        })
      }
    }
  }

  private waitFor(seq: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure)
    if (seq <= this.durable) return Promise.resolve()
    return new Promise((resolve, reject) => {
      this.waiters.push({ seq, resolve, reject })
      this.kick()
    })
  }

  private kick(): void {
    if (this.failure || this.started >= this.committed || this.inFlight >= this.maxInFlight) return
    if (this.closed) {
      this.fail(new Error('database closed before the commit was synced'))
      return
    }
    const target = this.committed
    this.started = target
    this.inFlight++
    this.syncOnce((err) => {
      this.inFlight--
      if (err) this.fail(err)
      else this.advance(target)
      // The readers advance() woke read in their promise continuations, which run before the
      // next macrotask. The waiting batches commit only then: committed now, a batch would be
      // visible to those readers before its own fsync (served, then lost in a power cut).
      setImmediate(() => {
        this.runSlotWaiters()
        this.releaseIfIdle()
        this.kick()
      })
    })
  }

  /** fsyncs may end out of order: each covers everything committed before it started. */
  private advance(target: number): void {
    if (target <= this.durable) return
    this.durable = target
    const done = this.waiters.filter((w) => w.seq <= target)
    this.waiters = this.waiters.filter((w) => w.seq > target)
    for (const w of done) w.resolve()
  }

  private fail(err: Error): void {
    // Fail closed, as PostgreSQL does: a retried fsync may "succeed" without the lost writes,
    // so every waiting and later commit is refused until the relay restarts and SQLite
    // recovers from what is really on disk. Providers redeliver meanwhile.
    this.failure ??= new Error(`WAL fsync failed (${err.message}); restart the relay`)
    for (const w of this.waiters.splice(0)) w.reject(this.failure)
  }

  private releaseIfIdle(): void {
    if (this.closed && this.inFlight === 0 && this.fd !== undefined) {
      closeSync(this.fd)
      this.fd = undefined
    }
  }

  /**
   * fsync of the WAL. The descriptor is opened once and kept: while the relay's connection is
   * open in WAL mode SQLite reuses the -wal file (rewinds it after a checkpoint) and never
   * unlinks it, so the inode stays the one SQLite writes to.
   */
  private syncOnce(cb: (err: Error | null) => void): void {
    if (this.fd !== undefined) return this.syncFile(this.fd, cb)
    const then = (fd: number | undefined, err: Error | null) => (err || fd === undefined ? cb(err) : this.syncFile(fd, cb))
    if (this.opening) {
      this.opening.push(then)
      return
    }
    this.opening = [then]
    open(this.walPath, 'r', (err, fd) => {
      const waiting = this.opening ?? []
      this.opening = undefined
      if (!err) this.fd = fd
      for (const w of waiting) w(err ? undefined : fd, err)
    })
  }
}
