import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

// WAL checkpoints on a worker thread with its own connection.
//
// SQLite's automatic checkpoint runs inside the commit that crosses the threshold, on the
// relay's event loop: it copies the changed pages into the database file and fsyncs it, a large share of a
// notification's SQL time under load (docs/performance.md). Here a second connection runs
// PASSIVE checkpoints on a timer: they never block the writer (they backfill only frames no
// reader needs) and SQLite rewinds the WAL at the next write once all of it is backfilled. The
// main connection keeps a high automatic threshold as a backstop should this thread stall.

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path)
db.pragma('busy_timeout = 0')
const step = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)') } catch (err) { parentPort.postMessage(String(err && err.message || err)) }
}
const timer = setInterval(step, workerData.intervalMs)
parentPort.on('message', () => {
  clearInterval(timer)
  step()
  db.close()
  parentPort.close()
})
`

/** Pages the WAL may reach before the writer checkpoints by itself (the backstop). */
export const BACKSTOP_PAGES = 20_000

export class Checkpointer {
  private readonly worker: Worker
  private readonly exited: Promise<void>
  private closing: Promise<void> | undefined
  private failures = 0

  /**
   * `onError` hears a failed checkpoint or a dead thread (the 1st, 10th, 100th … failure, so a
   * persistent one does not flood the log): not fatal, the writer's backstop takes over.
   */
  constructor(path: string, opts: { intervalMs?: number; onError?: (message: string) => void } = {}) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3')
    this.worker = new Worker(WORKER, { eval: true, workerData: { path, driver, intervalMs: opts.intervalMs ?? 100 } })
    const report = (message: string) => {
      this.failures++
      if (Number.isInteger(Math.log10(this.failures))) opts.onError?.(`${message} (failure ${this.failures})`)
    }
    this.worker.on('message', (m: unknown) => report(`WAL checkpoint failed: ${String(m)}`))
    this.worker.on('error', (err) => report(`checkpoint thread died: ${err.message}`))
    this.exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()))
    this.worker.unref()
  }

  /** Runs a last checkpoint and closes the worker's connection; resolves when it has exited. Idempotent. */
  close(): Promise<void> {
    if (!this.closing) {
      // Held until it has exited, so whoever awaits this is not left with an empty event loop.
      this.worker.ref()
      this.worker.postMessage('close')
      this.closing = this.exited
    }
    return this.closing
  }
}
