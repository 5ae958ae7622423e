import type { FastifyBaseLogger } from 'fastify'
import { GRANT_RELEASE_SCAN_JOB } from '../coupons/coupons'
import type { RelayCore } from '../core'

// The relay's own recurring work, as jobs (runner.ts): each tick enqueues the period's job (its
// key is the period, so two relay processes enqueue it once) and runs what is due; the job
// resumes after a restart and runs on one process: the order sweep and the sign-in sweep, and the
// scan that gives coupon grants made before releases existed their release job (coupons.ts).
// Left as in-process loops on purpose: the feed signer (a latency loop over rows the database
// already marks UNSIGNED, so nothing is lost when it stops) and the WAL checkpointer
// (housekeeping of this process's own connection, not a fact of the books).

export const ORDER_SWEEP = 'orders.sweep'
/** Forgets expired sign-in codes and spent host token ids (src/relay/auth). */
export const SIGN_IN_SWEEP = 'auth.sweep'
const KEEP_DONE_MS = 7 * 86_400_000

export function registerRelayJobs(core: RelayCore, log: FastifyBaseLogger): void {
  core.jobs.register(ORDER_SWEEP, {
    handler: {
      // Idempotent by itself: each order is expired once (expireIfOpen).
      async idempotent() {
        const { expired } = await core.sweeper.sweep()
        if (expired.length) log.info({ count: expired.length, orderNos: expired.slice(0, 20) }, 'stale orders expired')
      }
    },
    maxAttempts: 3
  })
  core.jobs.register(SIGN_IN_SWEEP, { handler: { unit: async (tx) => tx.signIn.sweep(core.clock.now()) }, maxAttempts: 3 })
}

/** One tick: this period's sweep enqueued (once, whoever enqueues it), then every due job run. */
export async function tick(core: RelayCore, intervalMs: number): Promise<void> {
  const now = core.clock.now()
  const period = Math.floor(now / intervalMs)
  await core.store.unit(async (tx) => {
    await core.jobs.enqueue(tx, ORDER_SWEEP, String(period), null, period * intervalMs)
    await core.jobs.enqueue(tx, SIGN_IN_SWEEP, String(period), null, period * intervalMs)
    await core.jobs.enqueue(tx, GRANT_RELEASE_SCAN_JOB, 'grants', null, now)
    // Done jobs are kept a week (what ran, when), then forgotten; dead ones stay for operators.
    await tx.jobs.purgeDone(now - KEEP_DONE_MS)
  })
  await core.jobs.runDue()
}
