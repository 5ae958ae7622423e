import { parentPort, workerData } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { checkFile } from './file-check'
import type { WorkerAnswer, WorkerInput } from './full-check'

// The worker thread's entry (full-check.ts starts it; the build emits it as
// out/main/integrity-worker.js). Its own connection is read-only and takes no file lock: the
// app's connection holds that lock (db/open.ts), and a reader beside it is what the lock allows.

const input = workerData as WorkerInput
let answer: WorkerAnswer
try {
  const sqlite = new Database(input.path, { readonly: true, fileMustExist: true, ...(input.nativeBinding ? { nativeBinding: input.nativeBinding } : {}) })
  try {
    answer = { ok: true, report: checkFile({ sqlite, tx: (fn) => fn(), close: () => sqlite.close() }, { outbox: input.outbox }) }
  } finally {
    sqlite.close()
  }
} catch (err) {
  answer = { ok: false, error: err instanceof Error ? err.message : String(err) }
}
parentPort?.postMessage(answer)
