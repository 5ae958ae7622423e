import { describe, expect, it } from 'vitest'
import { publicKeyFromBase64, verifyRecord } from '../../src/node/feed'
import type { FeedPayload, OutboxRecord } from '../../src/shared/relay-contract'
import { enrolDevice, feedPath, startTestRelay, type TestRelay } from './support/relay'

// The outbox's trial_start: once per account and plan code, decided by the relay. The first
// trial committed for (account, plan) is confirmed, every later one refused, each with a
// trial_decision feed record in the same unit of work; a resend is acknowledged, not decided again.

const DAY = 86_400_000

async function feedOf(t: TestRelay, token: string): Promise<FeedPayload[]> {
  const key = publicKeyFromBase64((await t.api('GET', '/health')).body.publicKey)
  const { accountId } = (await t.api('GET', '/v1/account', { token })).body
  const r = await t.api('GET', feedPath({ limit: 500 }), { token })
  return r.body.records.map((e: any) => verifyRecord(e, key, accountId))
}

const trial = (id: string, planCode: 'BASIC' | 'PREMIUM' | 'FREE' = 'BASIC', startedAt = 1_000): OutboxRecord => ({
  id,
  kind: 'trial_start',
  planCode,
  period: 'monthly',
  startedAt,
  endsAt: startedAt + 7 * DAY
})

describe('outbox trials', () => {
  it('the first trial of a plan per account is confirmed; later ones from any device refused; other plans and accounts apart', async () => {
    const t = await startTestRelay()
    const a = await enrolDevice(t.api)
    const b = await enrolDevice(t.api, a.accountId, 'laptop')
    const other = await enrolDevice(t.api)
    const post = (token: string, records: OutboxRecord[]) => t.api('POST', '/v1/outbox', { token, body: { records } })

    // In one batch: the first BASIC trial wins, the second (same device, another install's id) loses.
    expect((await post(a.token, [trial('trl-a-000001'), trial('trl-a-000002')])).body).toEqual({
      accepted: ['trl-a-000001', 'trl-a-000002'],
      rejected: []
    })
    expect((await post(b.token, [trial('trl-b-000001'), trial('trl-b-000002', 'PREMIUM')])).body.rejected).toEqual([])
    expect((await post(other.token, [trial('trl-o-000001')])).body.rejected).toEqual([])

    const s = t.relay.db.sqlite
    expect(s.prepare("SELECT id, device_id, outcome FROM outbox_records WHERE kind = 'trial_start' ORDER BY id").all()).toEqual([
      { id: 'trl-a-000001', device_id: a.deviceId, outcome: 'confirmed' },
      { id: 'trl-a-000002', device_id: a.deviceId, outcome: 'refused' },
      { id: 'trl-b-000001', device_id: b.deviceId, outcome: 'refused' },
      { id: 'trl-b-000002', device_id: b.deviceId, outcome: 'confirmed' },
      { id: 'trl-o-000001', device_id: other.deviceId, outcome: 'confirmed' }
    ])
    expect(s.prepare('SELECT account_id, plan_code, record_id, device_id, started_at FROM trials ORDER BY account_id, plan_code').all()).toEqual(
      [
        { account_id: a.accountId, plan_code: 'BASIC', record_id: 'trl-a-000001', device_id: a.deviceId, started_at: 1_000 },
        { account_id: a.accountId, plan_code: 'PREMIUM', record_id: 'trl-b-000002', device_id: b.deviceId, started_at: 1_000 },
        { account_id: other.accountId, plan_code: 'BASIC', record_id: 'trl-o-000001', device_id: other.deviceId, started_at: 1_000 }
      ].sort((x, y) => (x.account_id + x.plan_code < y.account_id + y.plan_code ? -1 : 1))
    )

    // Every device of the account reads every decision, in commit order.
    const decisions = (await feedOf(t, b.token)).filter((p) => p.type === 'trial_decision').map((p) => p.data)
    expect(decisions).toEqual([
      { recordId: 'trl-a-000001', planCode: 'BASIC', deviceId: a.deviceId, outcome: 'confirmed', decidedAt: expect.any(Number) },
      { recordId: 'trl-a-000002', planCode: 'BASIC', deviceId: a.deviceId, outcome: 'refused', decidedAt: expect.any(Number) },
      { recordId: 'trl-b-000001', planCode: 'BASIC', deviceId: b.deviceId, outcome: 'refused', decidedAt: expect.any(Number) },
      { recordId: 'trl-b-000002', planCode: 'PREMIUM', deviceId: b.deviceId, outcome: 'confirmed', decidedAt: expect.any(Number) }
    ])
    expect((await feedOf(t, other.token)).filter((p) => p.type === 'trial_decision')).toHaveLength(1)
  })

  it('a resend is acknowledged without a second decision; the same id with other content is IDEMPOTENCY_CONFLICT', async () => {
    const t = await startTestRelay()
    const a = await enrolDevice(t.api)
    const post = (records: OutboxRecord[]) => t.api('POST', '/v1/outbox', { token: a.token, body: { records } })
    const first = trial('trl-resend-01')
    expect((await post([first])).body).toEqual({ accepted: ['trl-resend-01'], rejected: [] })
    // Resent alone, twice in a batch, and with its keys in another order: the same record.
    const reordered = { endsAt: first.kind === 'trial_start' ? first.endsAt : 0, ...first }
    expect((await post([first, reordered])).body).toEqual({ accepted: ['trl-resend-01', 'trl-resend-01'], rejected: [] })
    const conflict = await post([{ ...first, endsAt: 2_000 + 14 * DAY } as OutboxRecord, { ...first, planCode: 'PREMIUM' } as OutboxRecord])
    expect(conflict.body.accepted).toEqual([])
    expect(conflict.body.rejected).toEqual([
      { id: 'trl-resend-01', code: 'IDEMPOTENCY_CONFLICT', message: expect.any(String) },
      { id: 'trl-resend-01', code: 'IDEMPOTENCY_CONFLICT', message: expect.any(String) }
    ])
    const s = t.relay.db.sqlite
    expect((s.prepare("SELECT count(*) AS n FROM feed WHERE type = 'trial_decision'").get() as { n: number }).n).toBe(1)
    // The PREMIUM attempt under a used id decided nothing: PREMIUM's trial is still free.
    expect(s.prepare('SELECT plan_code, record_id FROM trials').all()).toEqual([{ plan_code: 'BASIC', record_id: 'trl-resend-01' }])
    expect((await post([trial('trl-premium-1', 'PREMIUM')])).body.accepted).toEqual(['trl-premium-1'])
    expect(s.prepare("SELECT outcome FROM outbox_records WHERE id = 'trl-premium-1'").get()).toEqual({ outcome: 'confirmed' })
  })

  it('refuses a FREE trial or one that ends before it starts (INVALID_INPUT), with no decision; strict fields at the route', async () => {
    const t = await startTestRelay()
    const a = await enrolDevice(t.api)
    const r = await t.api('POST', '/v1/outbox', {
      token: a.token,
      body: { records: [trial('trl-free-0001', 'FREE'), { ...trial('trl-back-0001'), endsAt: 1_000 }, trial('trl-good-0001')] }
    })
    expect(r.body.accepted).toEqual(['trl-good-0001'])
    expect(r.body.rejected.map((x: { id: string; code: string }) => [x.id, x.code])).toEqual([
      ['trl-free-0001', 'INVALID_INPUT'],
      ['trl-back-0001', 'INVALID_INPUT']
    ])
    expect((await feedOf(t, a.token)).filter((p) => p.type === 'trial_decision')).toHaveLength(1)
    const extra = await t.api('POST', '/v1/outbox', { token: a.token, body: { records: [{ ...trial('trl-extra-001'), price: { amount: 0, currency: 'CNY' } }] } })
    expect(extra.status).toBe(400)
  })
})
