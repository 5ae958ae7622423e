import { close, closeSync, fstat, fsync, open } from 'node:fs'

// Group commit with the fsync off the event loop.
//
// With synchronous=FULL every commit fsyncs the WAL on the main thread: ~2 ms here during
// which no request is parsed or verified. Instead, a notification batch commits with
// synchronous=NORMAL (the WAL frames are written, not synced), and this class fsyncs the WAL
// file on libuv's thread pool; the batch's replies wait for an fsync that STARTED after the
// batch committed. fsync covers every write to the file made before it began, whichever file
// descriptor made it, so an acknowledged effect is on disk exactly as with FULL. While one
// fsync runs, the next batch is verified and committed: the disk wait overlaps CPU work.
// One fsync at a time; commits made during it are covered by the next one.
//
// Readers that hand out what a commit wrote (the feed, order state) call whenDurable() first,
// so nothing is served that a power cut could still take back.

export class WalSync {
  private fd: number | undefined
  private committed = 0
  private durable = 0
  private running = false
  private waiters: { seq: number; resolve: () => void; reject: (err: Error) => void }[] = []
  private closed = false
  /** After a failed fsync nothing can be promised any more (the kernel may have dropped the pages). */
  private failure: Error | undefined

  constructor(
    private readonly walPath: string,
    /** fs.fsync; tests pass one they complete by hand to check which commits it covers. */
    private readonly syncFile: (fd: number, cb: (err: Error | null) => void) => void = fsync
  ) {}

  /** Call right after a commit made with synchronous=NORMAL; resolves once it is on disk. */
  afterCommit(): Promise<void> {
    return this.waitFor(++this.committed)
  }

  /** Resolves once every commit made so far through afterCommit() is on disk. */
  whenDurable(): Promise<void> {
    return this.waitFor(this.committed)
  }

  /** Releases the file descriptor; await whenDurable() first so no fsync is in flight. */
  close(): void {
    this.closed = true
    if (this.fd !== undefined && !this.running) {
      closeSync(this.fd)
      this.fd = undefined
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
    if (this.running || this.failure || this.durable >= this.committed) return
    if (this.closed) {
      this.settle(this.committed, new Error('database closed before the commit was synced'))
      return
    }
    this.running = true
    const target = this.committed
    this.syncOnce((err) => {
      this.running = false
      if (this.closed && this.fd !== undefined) {
        closeSync(this.fd)
        this.fd = undefined
      }
      this.settle(target, err)
      this.kick()
    })
  }

  private settle(target: number, err: Error | null): void {
    if (err) {
      // Fail closed, as PostgreSQL does: a retried fsync may "succeed" without the lost
      // writes, so every waiting and later commit is refused until the relay restarts and
      // SQLite recovers from what is really on disk. Providers redeliver meanwhile.
      this.failure = new Error(`WAL fsync failed (${err.message}); restart the relay`)
      for (const w of this.waiters.splice(0)) w.reject(this.failure)
      return
    }
    this.durable = target
    const done = this.waiters.filter((w) => w.seq <= target)
    this.waiters = this.waiters.filter((w) => w.seq > target)
    for (const w of done) w.resolve()
  }

  /** fsync of the WAL; reopens it first if SQLite unlinked the file we hold. */
  private syncOnce(cb: (err: Error | null) => void): void {
    const withFd = (fd: number) =>
      fstat(fd, (statErr, st) => {
        if (statErr) return cb(statErr)
        if (st.nlink === 0) {
          // Our descriptor points at a WAL that no longer exists: sync the current one.
          this.fd = undefined
          close(fd, () => this.syncOnce(cb))
          return
        }
        this.syncFile(fd, (err) => cb(err))
      })
    if (this.fd !== undefined) return withFd(this.fd)
    open(this.walPath, 'r', (err, fd) => {
      if (err) return cb(err)
      this.fd = fd
      withFd(fd)
    })
  }
}
