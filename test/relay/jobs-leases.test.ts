import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/node/clock'
import { sequentialIds } from '../../src/node/ids'
import { JobRunner } from '../../src/relay/jobs/runner'
import { openSqliteStore } from '../../src/relay/store/sqlite/open'
import { tempDir } from '../support/db'

// A batch is claimed at once and run one job after another: a job whose lease ran out while the
// jobs before it ran may be taken by another round (of this process or another). It must then
// run there only, once.

describe('job leases within a batch', () => {
  it('a job taken by a later round while an earlier one was busy runs once, in the later round', async () => {
    const store = openSqliteStore({ path: join(tempDir('jobs-leases-'), 'relay.sqlite'), durability: 'normal' })
    const clock = new ManualClock(Date.UTC(2026, 0, 1))
    const runner = new JobRunner(store, clock, sequentialIds('j'), { owner: 'one-process', leaseMs: 1_000 })
    const ran: string[] = []
    let nested: Promise<unknown> | undefined
    runner.register('slow', {
      handler: {
        async idempotent(job) {
          ran.push(job.key)
          // Each job takes 0.6 s of a 1 s lease: the third's lease (from the claim) runs out
          // while the second runs, and the next tick's round starts then.
          clock.advance(600)
          if (job.key === 'second' && !nested) {
            nested = runner.runDue()
            await nested
          }
        }
      }
    })
    await store.unit(async (tx) => {
      await runner.enqueue(tx, 'slow', 'first', null)
      await runner.enqueue(tx, 'slow', 'second', null)
      await runner.enqueue(tx, 'slow', 'third', null)
    })
    const outer = await runner.runDue()
    expect(await nested).toEqual({ done: 1, retried: 0, dead: 0 })
    expect(outer).toEqual({ done: 2, retried: 1, dead: 0 })
    expect(ran).toEqual(['first', 'second', 'third'])
    expect(await store.read(async (tx) => ['first', 'second', 'third'].map((k) => tx.jobs.byKey('slow', k)))).toEqual([
      expect.objectContaining({ state: 'done', attempts: 1 }),
      expect.objectContaining({ state: 'done', attempts: 1 }),
      expect.objectContaining({ state: 'done', attempts: 2 })
    ])
    await store.close()
  })
})
