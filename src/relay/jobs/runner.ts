import type { Clock } from '../../node/clock'
import type { IdSource } from '../../node/ids'
import type { JobRow, RelayStore, StoreTx } from '../store/ports'

// Durable jobs: a job is enqueued in the same unit of work as the fact that causes it
// (idempotent by kind and key), leased to one runner at a time (the claim is one statement, so
// several relay processes on one database never run the same job together), and runs at least
// once: a runner that dies leaves a lease that runs out, and the job is claimed again.
// Its effect happens at most once:
// - a `unit` handler makes its effect inside the unit that also marks the job done: both or
//   neither commit (a lost lease rolls the effect back);
// - an `idempotent` handler (its own writes are keyed, e.g. the order sweeper's expireIfOpen)
//   runs outside, then the job is marked done.
// A failure is retried with exponential backoff; after its last attempt the job is dead,
// listed for operators (JobsRepo.dead).

export type JobHandler =
  | { unit: (tx: StoreTx, job: JobRow) => Promise<void> }
  | { idempotent: (job: JobRow) => Promise<void> }

export interface JobKind {
  handler: JobHandler
  /** Attempts before the job is dead. */
  maxAttempts?: number
}

export interface RunnerOptions {
  /** This runner's name in leases (e.g. host and process id). */
  owner: string
  /** How long a claim holds before another runner may take the job. */
  leaseMs?: number
  /** Jobs claimed per round. */
  batch?: number
  /** First retry delay; doubled per attempt up to maxBackoffMs. */
  backoffMs?: number
  maxBackoffMs?: number
}

export interface RoundResult {
  done: number
  retried: number
  dead: number
}

export class LeaseLost extends Error {
  constructor(id: string) {
    super(`job ${id}: its lease was taken by another runner`)
  }
}

const DEFAULT_ATTEMPTS = 8

export class JobRunner {
  private readonly kinds = new Map<string, JobKind>()
  private readonly leaseMs: number
  private readonly batch: number
  private readonly backoffMs: number
  private readonly maxBackoffMs: number
  private rounds = 0
  private stopping = false

  constructor(
    private readonly store: RelayStore,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly opts: RunnerOptions
  ) {
    this.leaseMs = opts.leaseMs ?? 60_000
    this.batch = opts.batch ?? 50
    this.backoffMs = opts.backoffMs ?? 5_000
    this.maxBackoffMs = opts.maxBackoffMs ?? 3_600_000
  }

  register(kind: string, job: JobKind): void {
    this.kinds.set(kind, job)
  }

  /** Enqueues inside the caller's unit; true when new (the same kind and key again is a no-op). */
  async enqueue(tx: StoreTx, kind: string, key: string, payload: unknown, runAt: number = this.clock.now()): Promise<boolean> {
    if (!this.kinds.has(kind)) throw new Error(`internal: no job kind ${kind}`)
    return tx.jobs.enqueue({ id: `job_${this.ids.next()}`, kind, key, payload: JSON.stringify(payload ?? null), runAt, createdAt: this.clock.now() })
  }

  /** As enqueue, without asking whether the job was new (on PostgreSQL no round trip of its own). */
  async add(tx: StoreTx, kind: string, key: string, payload: unknown, runAt: number = this.clock.now()): Promise<void> {
    if (!this.kinds.has(kind)) throw new Error(`internal: no job kind ${kind}`)
    await tx.jobs.add({ id: `job_${this.ids.next()}`, kind, key, payload: JSON.stringify(payload ?? null), runAt, createdAt: this.clock.now() })
  }

  /**
   * The relay is stopping: no new round claims anything, and a round in flight finishes the job
   * it is running (so an effect made, e.g. a mail sent, is also marked done) and hands the rest
   * of its batch back at once (their leases end now) instead of holding them for a lease.
   */
  stop(): void {
    this.stopping = true
  }

  /** Claims the due jobs and runs them, one after another. */
  async runDue(): Promise<RoundResult> {
    const result: RoundResult = { done: 0, retried: 0, dead: 0 }
    if (this.stopping) return result
    const now = this.clock.now()
    // Each round leases under its own name: a later round of this process that takes a job whose
    // lease ran out makes this round's lease on it lost, as another process's would.
    const owner = `${this.opts.owner}/${++this.rounds}`
    const claimed = await this.store.unit(async (tx) => tx.jobs.claim(now, owner, now + this.leaseMs, this.batch))
    for (const [i, job] of claimed.entries()) {
      if (this.stopping) {
        const rest = claimed.slice(i)
        const at = this.clock.now()
        await this.store.unit(async (tx) => {
          for (const j of rest) await tx.jobs.renew(j.id, owner, at, at)
        })
        result.retried += rest.length
        break
      }
      const outcome = await this.run(job, owner)
      result[outcome]++
    }
    return result
  }

  private async run(job: JobRow, owner: string): Promise<keyof RoundResult> {
    const kind = this.kinds.get(job.kind)
    // A batch runs one job after another: each starts only while its lease still holds, renewed
    // for the whole lease, so a job whose lease ran out while earlier ones ran (and that another
    // runner may have taken) is left to that runner. The lease must outlast one job's effect.
    const start = this.clock.now()
    if (!(await this.store.unit(async (tx) => tx.jobs.renew(job.id, owner, start + this.leaseMs, start)))) return 'retried'
    try {
      if (!kind) throw new Error(`no handler for job kind ${job.kind}`)
      const { handler } = kind
      const finish = async (tx: StoreTx) => {
        if (!(await tx.jobs.finish(job.id, owner, this.clock.now()))) throw new LeaseLost(job.id)
      }
      if ('unit' in handler) {
        await this.store.unit(async (tx) => {
          await handler.unit(tx, job)
          await finish(tx)
        })
      } else {
        await handler.idempotent(job)
        await this.store.unit(finish)
      }
      return 'done'
    } catch (err) {
      // Another runner holds it now: it is theirs to finish or fail.
      if (err instanceof LeaseLost) return 'retried'
      const max = kind?.maxAttempts ?? DEFAULT_ATTEMPTS
      const now = this.clock.now()
      const retryAt = job.attempts >= max ? null : now + Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (job.attempts - 1))
      const message = err instanceof Error ? err.message : String(err)
      await this.store.unit(async (tx) => void (await tx.jobs.fail(job.id, owner, message, retryAt, now)))
      return retryAt === null ? 'dead' : 'retried'
    }
  }
}
