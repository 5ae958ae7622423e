import type { Billing } from '../billing'
import { writeCheckpoints } from '../integrity/checkpoint'
import { runFullCheck } from '../integrity/full-check'
import type { IntegrityReport } from './integrity'
import type { Timers } from './scheduler'
import type { SyncState } from './sync-state'
import type { TrustGuard } from './trust'

// The sync service's full checks of the file on a worker thread (src/main/integrity): soon
// after start, then every `everyMs`, and on demand. Problems flag `ledger_tampered`; a whole
// check records the checkpoint the next start-up walks from; a check that could not finish is
// kept for the sync state's `health` (and rejects the caller's promise), never dropped.

export interface FullChecksDeps {
  billing: Billing
  guard: TrustGuard
  timers: Timers
  now: () => number
  nativeBinding?: string | undefined
  workerUrl?: URL | undefined
  /** 0: only on demand after the first. */
  everyMs: number
  /** After each check: the state changed. */
  announce: () => void
}

export class FullChecks {
  private inFlight: Promise<IntegrityReport> | null = null
  private timer: unknown = null
  private closed = false
  private at: number | null = null
  private error: string | null = null

  constructor(private readonly deps: FullChecksDeps) {}

  health(): Pick<SyncState['health'], 'fullCheckAt' | 'fullCheckError'> {
    return { fullCheckAt: this.at, fullCheckError: this.error }
  }

  /** One check now (joins the one in flight). */
  run(): Promise<IntegrityReport> {
    const { billing, guard, now } = this.deps
    this.inFlight ??= runFullCheck({
      path: billing.db.sqlite.name,
      outbox: true,
      ...(this.deps.nativeBinding ? { nativeBinding: this.deps.nativeBinding } : {}),
      ...(this.deps.workerUrl ? { workerUrl: this.deps.workerUrl } : {})
    })
      .then(
        (report) => {
          this.at = now()
          this.error = null
          if (!report.ok) guard.flag('ledger_tampered')
          else if (!this.closed) {
            // Whole: the next start-up walks only what is written after this.
            try {
              writeCheckpoints(billing.db, report.tails, now())
            } catch (err) {
              this.error = `the integrity checkpoint could not be recorded: ${err instanceof Error ? err.message : String(err)}`
            }
          }
          return { ok: report.ok, problems: report.problems }
        },
        (err: unknown) => {
          this.error = err instanceof Error ? err.message : String(err)
          throw err
        }
      )
      .finally(() => {
        this.inFlight = null
        if (!this.closed) this.deps.announce()
      })
    return this.inFlight
  }

  /** The next check in `ms`, then every `everyMs`. */
  schedule(ms: number): void {
    this.stop()
    this.timer = this.deps.timers.setTimeout(() => {
      this.timer = null
      // The outcome is in health() and, when the ledger is not whole, in the warnings.
      this.run().catch(() => undefined)
      if (this.deps.everyMs > 0 && !this.closed) this.schedule(this.deps.everyMs)
    }, ms)
  }

  stop(): void {
    if (this.timer !== null) this.deps.timers.clearTimeout(this.timer)
    this.timer = null
  }

  close(): void {
    this.closed = true
    this.stop()
  }
}
