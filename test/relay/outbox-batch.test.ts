import { relayNetWallet } from '../support/relay-ledger'
import { describe, expect, it } from 'vitest'
import type { OutboxRecord } from '../../src/shared/relay-contract'
import { enrolDevice, startTestRelay } from './support/relay'

// The outbox's batch path: usage inserted straight away (the stored fingerprint read only on a
// clash), an id repeated inside one batch, a resend mixed with new records, the first-free
// winner decided inside a batch.

const cny = (amount: number) => ({ amount, currency: 'CNY' as const })

describe('outbox batches', () => {
  it('an id twice in one batch: same content acked twice with one effect, other content refused', async () => {
    const t = await startTestRelay()
    const dev = await enrolDevice(t.api)
    const debit: OutboxRecord = { id: 'debit-dup-1', kind: 'wallet_debit', amount: cny(200), feature: 'ai_request', occurredAt: 1 }
    const r = await t.api('POST', '/v1/outbox', {
      token: dev.token,
      body: { records: [debit, { ...debit }, { ...debit, amount: cny(201) }, { id: 'usage-dup-1', kind: 'usage', feature: 'export', quantity: 1, occurredAt: 2 }] }
    })
    expect(r.body.accepted).toEqual(['debit-dup-1', 'debit-dup-1', 'usage-dup-1'])
    expect(r.body.rejected).toEqual([{ id: 'debit-dup-1', code: 'IDEMPOTENCY_CONFLICT', message: expect.any(String) }])
    const s = t.relay.db.sqlite
    expect((s.prepare("SELECT count(*) AS n FROM feed WHERE type = 'wallet_debit'").get() as { n: number }).n).toBe(1)
    expect(relayNetWallet(s, dev.accountId)).toBe(-200)
    // A resend of the whole batch mixed with a new record: old ones acked, nothing applied again.
    const again = await t.api('POST', '/v1/outbox', {
      token: dev.token,
      body: { records: [debit, { id: 'usage-dup-2', kind: 'usage', feature: 'export', quantity: 1, occurredAt: 3 }] }
    })
    expect(again.body).toEqual({ accepted: ['debit-dup-1', 'usage-dup-2'], rejected: [] })
    expect(relayNetWallet(s, dev.accountId)).toBe(-200)
    expect((s.prepare('SELECT count(*) AS n FROM outbox_records').get() as { n: number }).n).toBe(3)
  })

  it('usage ids: a repeat with the same content is acked once stored, other content or another kind under its id refused', async () => {
    const t = await startTestRelay()
    const dev = await enrolDevice(t.api)
    const use = (id: string, quantity = 1): OutboxRecord => ({ id, kind: 'usage', feature: 'export', quantity, occurredAt: 5 })
    const debit: OutboxRecord = { id: 'shared-id-01', kind: 'wallet_debit', amount: cny(50), feature: 'ai_request', occurredAt: 1 }
    const first = await t.api('POST', '/v1/outbox', {
      token: dev.token,
      body: { records: [use('usage-a-0001'), use('usage-a-0001'), use('usage-a-0001', 2), debit, use('shared-id-01')] }
    })
    expect(first.body.accepted).toEqual(['usage-a-0001', 'usage-a-0001', 'shared-id-01'])
    expect(first.body.rejected).toEqual([
      { id: 'usage-a-0001', code: 'IDEMPOTENCY_CONFLICT', message: expect.any(String) },
      { id: 'shared-id-01', code: 'IDEMPOTENCY_CONFLICT', message: expect.any(String) }
    ])
    // In a later batch: the same, then a debit reusing a usage id (its effect must not run).
    const later = await t.api('POST', '/v1/outbox', {
      token: dev.token,
      body: { records: [use('usage-a-0001'), use('usage-a-0001', 3), { ...debit, id: 'usage-a-0001' }] }
    })
    expect(later.body.accepted).toEqual(['usage-a-0001'])
    expect(later.body.rejected.map((r: { code: string }) => r.code)).toEqual(['IDEMPOTENCY_CONFLICT', 'IDEMPOTENCY_CONFLICT'])
    const s = t.relay.db.sqlite
    expect(s.prepare('SELECT id, kind, outcome FROM outbox_records ORDER BY id').all()).toEqual([
      { id: 'shared-id-01', kind: 'wallet_debit', outcome: 'debited' },
      { id: 'usage-a-0001', kind: 'usage', outcome: 'recorded' }
    ])
    expect(relayNetWallet(s, dev.accountId)).toBe(-50)
  })

  it('a long run of usage (several rows per statement): clashes anywhere in it are judged one by one, in order', async () => {
    const t = await startTestRelay()
    const dev = await enrolDevice(t.api)
    const use = (i: number, quantity = 1): OutboxRecord => ({ id: `use-${String(i).padStart(6, '0')}`, kind: 'usage', feature: 'export', quantity, occurredAt: 9 })
    const first = Array.from({ length: 120 }, (_, i) => use(i))
    expect((await t.api('POST', '/v1/outbox', { token: dev.token, body: { records: first } })).body).toEqual({
      accepted: first.map((r) => r.id),
      rejected: []
    })
    // 130 more: ids 100..229, with 110 changed (a clash in the middle of a statement's rows) and
    // 200 sent twice (the same content).
    const second = Array.from({ length: 130 }, (_, k) => use(100 + k, 100 + k === 110 ? 7 : 1))
    second.splice(101, 0, use(200))
    const r = (await t.api('POST', '/v1/outbox', { token: dev.token, body: { records: second } })).body
    expect(r.rejected).toEqual([{ id: 'use-000110', code: 'IDEMPOTENCY_CONFLICT', message: expect.any(String) }])
    expect(r.accepted).toEqual(second.map((x) => x.id).filter((id) => id !== 'use-000110'))
    const s = t.relay.db.sqlite
    expect((s.prepare('SELECT count(*) AS n FROM outbox_records').get() as { n: number }).n).toBe(230)
    expect((s.prepare("SELECT body FROM outbox_records WHERE id = 'use-000110'").get() as { body: string }).body).toContain('"quantity":1')
  })

  it('two first-free claims in one batch: the first wins, the second is charged', async () => {
    const t = await startTestRelay()
    const dev = await enrolDevice(t.api)
    const claim = (id: string): OutboxRecord => ({ id, kind: 'first_free_claim', feature: 'ai_request', price: cny(300), occurredAt: 1 })
    const r = await t.api('POST', '/v1/outbox', { token: dev.token, body: { records: [claim('claim-one-1'), claim('claim-two-1')] } })
    expect(r.body.accepted).toEqual(['claim-one-1', 'claim-two-1'])
    const s = t.relay.db.sqlite
    expect(s.prepare('SELECT id, outcome FROM outbox_records ORDER BY id').all()).toEqual([
      { id: 'claim-one-1', outcome: 'won' },
      { id: 'claim-two-1', outcome: 'lost' }
    ])
    expect((s.prepare('SELECT first_free_claim_id AS c FROM accounts WHERE id = ?').get(dev.accountId) as { c: string }).c).toBe('claim-one-1')
  })
})
