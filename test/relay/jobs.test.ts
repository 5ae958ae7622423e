import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/node/clock'
import { sequentialIds } from '../../src/node/ids'
import { JobRunner } from '../../src/relay/jobs/runner'
import { ORDER_SWEEP, tick } from '../../src/relay/jobs/schedule'
import { openSqliteStore } from '../../src/relay/store/sqlite/open'
import type { StoreTx } from '../../src/relay/store/ports'
import { createTestProvider } from './support/hmac-provider'
import { forEachStore } from './support/pg'
import { startTestRelay } from './support/relay'
import { join } from 'node:path'
import { tempDir } from '../support/db'

// Durable jobs on the relay (src/relay/jobs): enqueued once per key, leased to one runner, run
// at least once with their effect at most once, retried with backoff, dead after their last
// attempt, resumed after a restart. Over a real SQLite file.

const T0 = Date.UTC(2026, 0, 1)

async function world(path = join(tempDir('jobs-'), 'relay.sqlite')) {
  const store = openSqliteStore({ path, durability: 'normal' })
  const clock = new ManualClock(T0)
  // The effect a job makes: a row of its own (a real write in the job's unit).
  store.sqlite.exec('CREATE TABLE IF NOT EXISTS effects (job TEXT NOT NULL)')
  const effects = () => (store.sqlite.prepare('SELECT count(*) AS n FROM effects').get() as { n: number }).n
  const runner = (owner: string, fail: { left: number } = { left: 0 }) => {
    const r = new JobRunner(store, clock, sequentialIds(`${owner}-`), { owner, leaseMs: 60_000, backoffMs: 1_000 })
    r.register('effect', {
      handler: {
        async unit(_tx: StoreTx, job) {
          store.sqlite.prepare('INSERT INTO effects (job) VALUES (?)').run(job.key)
          if (fail.left > 0) {
            fail.left--
            throw new Error('smtp down')
          }
        }
      },
      maxAttempts: 3
    })
    return r
  }
  return { store, clock, effects, runner, path }
}

describe('relay jobs', () => {
  it('enqueue is idempotent by kind and key; a unit job’s effect commits with its completion', async () => {
    const { store, effects, runner } = await world()
    const a = runner('a')
    expect(await store.unit((tx) => a.enqueue(tx, 'effect', 'k1', { n: 1 }))).toBe(true)
    expect(await store.unit((tx) => a.enqueue(tx, 'effect', 'k1', { n: 2 }))).toBe(false)
    await expect(store.unit((tx) => a.enqueue(tx, 'nope', 'k', null))).rejects.toThrow(/no job kind/)
    expect(await a.runDue()).toEqual({ done: 1, retried: 0, dead: 0 })
    expect(effects()).toBe(1)
    expect(await a.runDue()).toEqual({ done: 0, retried: 0, dead: 0 })
    expect(await store.read(async (tx) => tx.jobs.byKey('effect', 'k1'))).toMatchObject({ state: 'done', attempts: 1, payload: '{"n":1}' })
    await store.close()
  })

  it('a failure rolls its effect back and retries with backoff; after the last attempt the job is dead and listed', async () => {
    const { store, clock, effects, runner } = await world()
    const fail = { left: 5 }
    const a = runner('a', fail)
    await store.unit((tx) => a.enqueue(tx, 'effect', 'k1', null))
    expect(await a.runDue()).toEqual({ done: 0, retried: 1, dead: 0 })
    expect(effects()).toBe(0)
    const after1 = (await store.read(async (tx) => tx.jobs.byKey('effect', 'k1')))!
    expect(after1).toMatchObject({ state: 'pending', attempts: 1, runAt: T0 + 1_000, lastError: 'smtp down' })
    expect(await a.runDue()).toEqual({ done: 0, retried: 0, dead: 0 })
    clock.advance(1_000)
    expect(await a.runDue()).toEqual({ done: 0, retried: 1, dead: 0 })
    expect((await store.read(async (tx) => tx.jobs.byKey('effect', 'k1')))!.runAt).toBe(clock.now() + 2_000)
    clock.advance(2_000)
    expect(await a.runDue()).toEqual({ done: 0, retried: 0, dead: 1 })
    expect(await store.read(async (tx) => tx.jobs.dead(10))).toEqual([expect.objectContaining({ key: 'k1', state: 'dead', attempts: 3 })])
    clock.advance(3_600_000)
    expect(await a.runDue()).toEqual({ done: 0, retried: 0, dead: 0 })
    expect(effects()).toBe(0)
    await store.close()
  })

  it('a runner that died leaves a lease that runs out; another takes the job; the dead one’s late finish changes nothing', async () => {
    const { store, clock, effects, runner } = await world()
    const a = runner('a')
    const b = runner('b')
    await store.unit((tx) => a.enqueue(tx, 'effect', 'k1', null))
    // a claims and "dies" before running it.
    const [claimed] = await store.unit(async (tx) => tx.jobs.claim(clock.now(), 'a', clock.now() + 60_000, 10))
    expect(claimed).toMatchObject({ key: 'k1', leaseOwner: 'a' })
    expect(await b.runDue()).toEqual({ done: 0, retried: 0, dead: 0 })
    clock.advance(60_000)
    expect(await b.runDue()).toEqual({ done: 1, retried: 0, dead: 0 })
    expect(effects()).toBe(1)
    expect(await store.unit(async (tx) => tx.jobs.finish(claimed!.id, 'a', clock.now()))).toBe(false)
    expect(await store.read(async (tx) => tx.jobs.byKey('effect', 'k1'))).toMatchObject({ state: 'done', attempts: 2 })
    await store.close()
  })

  it('two runners racing over the same due jobs run each once; pending jobs resume after a restart', async () => {
    const w = await world()
    const a = w.runner('a')
    const b = w.runner('b')
    await w.store.unit(async (tx) => {
      for (let i = 0; i < 30; i++) await a.enqueue(tx, 'effect', `k${i}`, null)
    })
    const [ra, rb] = await Promise.all([a.runDue(), b.runDue()])
    expect(ra.done + rb.done).toBe(30)
    expect(w.effects()).toBe(30)
    await w.store.unit((tx) => a.enqueue(tx, 'effect', 'later', null, T0 + 10_000))
    await w.store.close()

    const again = await world(w.path)
    again.clock.set(T0 + 10_000)
    expect(await again.runner('c').runDue()).toEqual({ done: 1, retried: 0, dead: 0 })
    expect(again.effects()).toBe(31)
    await again.store.close()
  })
})

forEachStore('relay jobs in the relay', () => {
  it('the order sweep runs as a job: once per period, whichever process enqueues it', async () => {
    const t = await startTestRelay({ providers: [createTestProvider('stripe')] })
    const { core } = t.relay
    const { accountId, code } = await core.accounts.createEnrolment(undefined, 'jobs')
    const dev = await core.accounts.enrol(code, 'd')
    const { order } = await core.checkouts.create({ accountId, deviceId: dev.deviceId }, 'jobs-order-1', { provider: 'stripe', item: { kind: 'recharge', amount: { amount: 1000, currency: 'CNY' } } })
    t.clock.advance(3 * 3_600_000)
    await tick(core, 60_000)
    await tick(core, 60_000)
    expect(await t.sql('SELECT state FROM orders WHERE order_no = ?', order.orderNo)).toEqual([{ state: 'expired' }])
    expect(await t.sql('SELECT count(*) AS n, min(state) AS state FROM jobs WHERE kind = ?', ORDER_SWEEP)).toEqual([{ n: 1, state: 'done' }])
    t.clock.advance(60_000)
    await tick(core, 60_000)
    expect(await t.sql('SELECT count(*) AS n FROM jobs WHERE kind = ?', ORDER_SWEEP)).toEqual([{ n: 2 }])
    await t.relay.stop()
  })
})
