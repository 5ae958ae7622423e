import { Worker } from 'node:worker_threads'
import { BillingError } from '../../shared/errors'
import type { FileCheckReport } from './file-check'

// Runs the full check (file-check.ts) on a worker thread, so the 8-second walk of a large file
// never blocks the host app's main process. One worker per check: it opens its connection,
// checks, answers and ends. From the build, the worker is out/main/integrity-worker.js (an
// entry of its own in electron.vite.config.ts); from the TypeScript sources (tests, tsx) it is
// worker.ts, loaded through tsx's loader (src/node/tsx-boot.mjs).

export interface WorkerInput {
  path: string
  nativeBinding?: string
  /** Whether to check the sync outbox too (the synced service's file). */
  outbox: boolean
}

export type WorkerAnswer = { ok: true; report: FileCheckReport } | { ok: false; error: string }

export interface FullCheckOptions extends WorkerInput {
  /** The worker entry; by default the one beside this module (built or source). */
  workerUrl?: URL
}

/** The full check did not run to its end (the worker could not start, open the file, or died). */
export class IntegrityCheckFailed extends BillingError {
  constructor(reason: string) {
    super('INTERNAL', `the full integrity check did not finish: ${reason}`, { reason })
  }
}

const fromSources = import.meta.url.endsWith('.ts')

/** The built worker's file, beside the bundle that holds this module. */
export const builtWorkerUrl = (): URL => new URL('./integrity-worker.js', import.meta.url)

function startWorker(opts: FullCheckOptions): Worker {
  const workerData: WorkerInput = { path: opts.path, outbox: opts.outbox, ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}) }
  if (opts.workerUrl || !fromSources) return new Worker(opts.workerUrl ?? builtWorkerUrl(), { workerData })
  return new Worker(new URL('../../node/tsx-boot.mjs', import.meta.url), { workerData: { ...workerData, entry: new URL('./worker.ts', import.meta.url).href } })
}

/** Resolves with the report, or rejects with IntegrityCheckFailed: never silent. */
export function runFullCheck(opts: FullCheckOptions): Promise<FileCheckReport> {
  return new Promise((resolve, reject) => {
    let worker: Worker
    try {
      worker = startWorker(opts)
    } catch (err) {
      reject(new IntegrityCheckFailed(err instanceof Error ? err.message : String(err)))
      return
    }
    // A check in flight does not keep the host app from quitting.
    worker.unref()
    let settled = false
    const settle = (fn: () => void): void => {
      if (settled) return
      settled = true
      fn()
    }
    worker.once('message', (m: WorkerAnswer) =>
      settle(() => (m.ok ? resolve(m.report) : reject(new IntegrityCheckFailed(m.error))))
    )
    worker.once('error', (err) => settle(() => reject(new IntegrityCheckFailed(err.message))))
    worker.once('exit', (code) => settle(() => reject(new IntegrityCheckFailed(`the worker ended (exit code ${code}) without an answer`))))
  })
}
