import { expect, it } from 'vitest'
import { forEachStore } from './support/pg'
import { publicKeyFromBase64, verifyRecord } from '../../src/node/feed'
import type { FeedPayload, OutboxRecord } from '../../src/shared/relay-contract'
import { checkout, notify, paid } from './support/flows'
import { createTestProvider } from './support/hmac-provider'
import { enrolDevice, feedPath, startTestRelay, type TestRelay } from './support/relay'

const cny = (amount: number) => ({ amount, currency: 'CNY' as const })

async function feedOf(t: TestRelay, token: string): Promise<FeedPayload[]> {
  const key = publicKeyFromBase64((await t.api('GET', '/health')).body.publicKey)
  const { accountId } = (await t.api('GET', '/v1/account', { token })).body
  const r = await t.api('GET', feedPath({ limit: 500 }), { token })
  return r.body.records.map((e: any) => verifyRecord(e, key, accountId))
}

forEachStore('outbox', () => {
  it('accepts a batch idempotently by record id; a reused id with other content is refused', async () => {
    const t = await startTestRelay()
    const dev = await enrolDevice(t.api)
    const records: OutboxRecord[] = [
      { id: 'usage-0001', kind: 'usage', feature: 'ai_request', quantity: 3, occurredAt: 1 },
      { id: 'debit-0001', kind: 'wallet_debit', amount: cny(500), feature: 'ai_request', occurredAt: 2 }
    ]
    const first = await t.api('POST', '/v1/outbox', { token: dev.token, body: { records } })
    expect(first.body).toEqual({ accepted: ['usage-0001', 'debit-0001'], rejected: [] })
    const resend = await t.api('POST', '/v1/outbox', { token: dev.token, body: { records } })
    expect(resend.body).toEqual(first.body)
    const changed = await t.api('POST', '/v1/outbox', {
      token: dev.token,
      body: { records: [{ ...records[1], amount: cny(1) }, { id: 'usage-0002', kind: 'usage', feature: 'export', quantity: 1, occurredAt: 3 }] }
    })
    expect(changed.body.accepted).toEqual(['usage-0002'])
    expect(changed.body.rejected).toEqual([{ id: 'debit-0001', code: 'IDEMPOTENCY_CONFLICT', message: expect.any(String) }])
    const account = (await t.api('GET', '/v1/account', { token: dev.token })).body
    // One debit of 500 with an empty wallet: balance −500, all of it debt.
    expect(account.wallet).toEqual({ balance: cny(-500), debt: cny(500), bonus: cny(0) })
    const feed = await feedOf(t, dev.token)
    expect(feed.map((p) => `${p.type}${p.notice ? `+${p.notice.kind}` : ''}`)).toEqual(['wallet_debit', 'debt+debt_created'])
    // Malformed batches change nothing.
    expect((await t.api('POST', '/v1/outbox', { token: dev.token, body: { records: [{ id: 'x', kind: 'usage' }] } })).status).toBe(400)
    expect(
      (await t.api('POST', '/v1/outbox', { token: dev.token, body: { records: [{ ...records[1], id: 'debit-0002', amount: { amount: 5, currency: 'USD' } }] } })).body.rejected[0].code
    ).toBe('CURRENCY_MISMATCH')
    expect((await feedOf(t, dev.token)).length).toBe(2)
  })

  it('first-free is decided once per account: one claim wins, the others become charges and debt', async () => {
    const provider = createTestProvider('stripe')
    const t = await startTestRelay({ providers: [provider] })
    const a1 = await enrolDevice(t.api, undefined, 'pc')
    const a2 = await enrolDevice(t.api, a1.accountId, 'laptop')
    const b = await enrolDevice(t.api)
    // The account has ¥3 in its wallet.
    const { order } = await checkout(t.api, a1.token, { provider: 'stripe', item: { kind: 'recharge', amount: cny(300) } })
    await notify(t, provider, [paid(order.orderNo, 300)])

    const claim = (id: string): OutboxRecord => ({ id, kind: 'first_free_claim', feature: 'ai_request', price: cny(500), occurredAt: 1 })
    const [r1, r2] = await Promise.all([
      t.api('POST', '/v1/outbox', { token: a1.token, body: { records: [claim('claim-pc-001')] } }),
      t.api('POST', '/v1/outbox', { token: a2.token, body: { records: [claim('claim-laptop-1')] } })
    ])
    expect(r1.body.accepted).toEqual(['claim-pc-001'])
    expect(r2.body.accepted).toEqual(['claim-laptop-1'])
    // Resending either changes nothing.
    await t.api('POST', '/v1/outbox', { token: a2.token, body: { records: [claim('claim-laptop-1')] } })
    await t.api('POST', '/v1/outbox', { token: a1.token, body: { records: [claim('claim-pc-001')] } })

    const feed = await feedOf(t, a1.token)
    const decisions = feed.filter((p) => p.type === 'first_free')
    const charges = feed.filter((p) => p.type === 'wallet_debit')
    expect(decisions).toHaveLength(1)
    expect(charges).toHaveLength(1)
    const winner = decisions[0]!.type === 'first_free' ? decisions[0]!.data.winningClaimId : ''
    const charged = charges[0]!.type === 'wallet_debit' ? charges[0]!.data : undefined
    expect(charged?.reason).toBe('first_free_lost')
    expect([winner, charged?.sourceId].sort()).toEqual(['claim-laptop-1', 'claim-pc-001'])
    // ¥3 − ¥5 → ¥2 of debt, recorded once.
    const debts = feed.filter((p) => p.type === 'debt')
    expect(debts).toHaveLength(1)
    expect(debts[0]!.type === 'debt' && debts[0]!.data).toMatchObject({ reason: 'first_free_lost', outstanding: cny(200) })
    expect((await t.api('GET', '/v1/account', { token: a2.token })).body).toMatchObject({ firstFreeUsed: true, wallet: { debt: cny(200) } })
    const lease = verifyRecord((await t.api('POST', '/v1/lease', { token: a2.token })).body.lease, publicKeyFromBase64((await t.api('GET', '/health')).body.publicKey), a2.accountId)
    expect(lease.type === 'entitlement_lease' && lease.data.debt).toEqual(cny(200))

    // Another account still has its own first-free.
    const rb = await t.api('POST', '/v1/outbox', { token: b.token, body: { records: [claim('claim-b-00001')] } })
    expect(rb.body.accepted).toEqual(['claim-b-00001'])
    expect((await feedOf(t, b.token)).map((p) => p.type)).toEqual(['first_free'])

    // A recharge settles the debt.
    const { order: o2 } = await checkout(t.api, a1.token, { provider: 'stripe', item: { kind: 'recharge', amount: cny(1000) } })
    await notify(t, provider, [paid(o2.orderNo, 1000)])
    const last = (await feedOf(t, a1.token)).filter((p) => p.type === 'debt').at(-1)!
    expect(last.type === 'debt' && last.data).toMatchObject({ reason: 'settled', change: cny(-200), outstanding: cny(0) })
  })

  it('refuses a debit or a first-free price of zero (or less) per record: no feed record, no claim, the rest of the batch goes on', async () => {
    const t = await startTestRelay()
    const dev = await enrolDevice(t.api)
    const records: OutboxRecord[] = [
      { id: 'debit-zero-01', kind: 'wallet_debit', amount: cny(0), feature: 'ai_request', occurredAt: 1 },
      { id: 'claim-zero-01', kind: 'first_free_claim', feature: 'ai_request', price: cny(0), occurredAt: 2 },
      { id: 'debit-neg-001', kind: 'wallet_debit', amount: cny(-5), feature: 'ai_request', occurredAt: 3 },
      { id: 'usage-ok-0001', kind: 'usage', feature: 'ai_request', quantity: 1, occurredAt: 4 },
      { id: 'debit-ok-0001', kind: 'wallet_debit', amount: cny(1), feature: 'ai_request', occurredAt: 5 }
    ]
    const r = await t.api('POST', '/v1/outbox', { token: dev.token, body: { records } })
    expect(r.status).toBe(200)
    expect(r.body.accepted).toEqual(['usage-ok-0001', 'debit-ok-0001'])
    expect(r.body.rejected).toEqual(
      ['debit-zero-01', 'claim-zero-01', 'debit-neg-001'].map((id) => ({ id, code: 'INVALID_AMOUNT', message: expect.any(String) }))
    )
    // Only the 1-fen debit reached the feed (and its debt); the zero claim did not take first-free.
    const feed = await feedOf(t, dev.token)
    expect(feed.map((p) => `${p.type}${p.notice ? `+${p.notice.kind}` : ''}`)).toEqual(['wallet_debit', 'debt+debt_created'])
    expect(feed.every((p) => p.type !== 'wallet_debit' || p.data.amount.amount > 0)).toBe(true)
    expect((await t.api('GET', '/v1/account', { token: dev.token })).body).toMatchObject({ firstFreeUsed: false, wallet: { balance: cny(-1) } })
    // Refused for good: a resend is refused again, nothing more is written.
    const again = await t.api('POST', '/v1/outbox', { token: dev.token, body: { records: records.slice(0, 1) } })
    expect(again.body).toEqual({ accepted: [], rejected: [{ id: 'debit-zero-01', code: 'INVALID_AMOUNT', message: expect.any(String) }] })
    expect(await feedOf(t, dev.token)).toHaveLength(2)
  })
})
