import { join } from 'node:path'
import type { FastifyBaseLogger } from 'fastify'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { systemClock } from '../../src/node/clock'
import { openSqliteStore, type SqliteStore } from '../../src/relay/store/sqlite/open'
import type { EventApplier } from '../../src/relay/notify/apply'
import { NotificationPipeline } from '../../src/relay/notify/pipeline'
import type { PaymentProvider, ProviderEvent } from '../../src/relay/providers/types'
import { tempDir } from '../support/db'

// Group commit: the notifications of one batch share a transaction without savepoints; when
// one of them throws, the batch runs again with a savepoint each, so only that one is lost.

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as FastifyBaseLogger

const provider: PaymentProvider = {
  name: 'stripe',
  createCheckout: async () => {
    throw new Error('not used')
  },
  verifyNotification: async ({ rawBody }) => [
    {
      type: 'payment.succeeded',
      eventId: rawBody.toString(),
      orderNo: 'o',
      providerPaymentId: 'p',
      amount: { amount: 1, currency: 'CNY' },
      occurredAt: 0
    } as ProviderEvent
  ],
  accepted: () => ({ status: 200, body: 'ok', contentType: 'text/plain' }),
  rejected: (reason, status = 400) => ({ status, body: reason, contentType: 'text/plain' })
}

let db: SqliteStore | undefined
afterEach(async () => {
  await db?.close()
  db = undefined
})

describe('notification batch', () => {
  it('a notification that throws rolls back only itself; the rest of its batch commits once', async () => {
    db = openSqliteStore({ path: join(tempDir('batch-'), 'relay.sqlite'), durability: 'full' })
    const insert = db.sqlite.prepare('INSERT INTO counters (name, value) VALUES (?, 1)')
    const applied: string[] = []
    const applier = {
      beforeCapture: async () => ({ replay: false, order: undefined }),
      audit: () => undefined,
      apply: async (_tx: unknown, _p: string, event: ProviderEvent) => {
        applied.push(event.eventId)
        insert.run(event.eventId)
        if (event.eventId === 'boom') throw new Error('fault while applying')
        return { kind: 'applied' }
      }
    } as unknown as EventApplier
    const pipeline = new NotificationPipeline(db, systemClock, applier, silent)

    // Started in the same turn: one batch.
    const results = await Promise.allSettled(
      ['a', 'boom', 'c'].map((id) => pipeline.handle(provider, Buffer.from(id), {}, '127.0.0.1'))
    )
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((results[0] as PromiseFulfilledResult<{ reply: { status: number } }>).value.reply.status).toBe(200)
    expect(applied).toEqual(['a', 'boom', 'a', 'boom', 'c']) // one try as a batch, then one by one
    const rows = db.sqlite.prepare('SELECT name, value FROM counters ORDER BY name').all()
    expect(rows).toEqual([
      { name: 'a', value: 1 },
      { name: 'c', value: 1 }
    ])

    // A long queue commits in several transactions of at most 256, each notification once.
    applied.length = 0
    const groups = vi.spyOn(db, 'unitGrouped')
    const many = Array.from({ length: 600 }, (_, i) => `m${i}`)
    const replies = await Promise.all(many.map((id) => pipeline.handle(provider, Buffer.from(id), {}, '127.0.0.1')))
    expect(replies.every((r) => r.reply.status === 200)).toBe(true)
    expect(applied).toEqual(many)
    expect(groups.mock.calls.length).toBeGreaterThanOrEqual(3)
    expect(db.sqlite.prepare("SELECT COUNT(*) AS n FROM counters WHERE name LIKE 'm%'").get()).toEqual({ n: 600 })
    groups.mockRestore()

    // A batch with no fault commits in one go, each applied once.
    applied.length = 0
    await Promise.all(['d', 'e'].map((id) => pipeline.handle(provider, Buffer.from(id), {}, '127.0.0.1')))
    expect(applied).toEqual(['d', 'e'])
    expect(db.sqlite.prepare('SELECT COUNT(*) AS n FROM counters').get()).toEqual({ n: 604 })
  })
})
