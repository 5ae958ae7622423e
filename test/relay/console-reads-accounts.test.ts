import { expect, it } from 'vitest'
import type { ConsoleAccountDetail, ConsoleAccountPage } from '../../src/shared/console/api'
import { addOperator, signIn } from './console/support'
import { checkout, notify, paid } from './support/flows'
import { createTestProvider } from './support/hmac-provider'
import { forEachStore } from './support/pg'
import { ADMIN_TOKEN, enrolDevice, startTestRelay } from './support/relay'

// The console's account screens over HTTP on both stores: the search by account id prefix or an
// identity (an email or mobile number as it signs in), newest account first in keyset pages, and
// one account's identities, devices, grants, ledger balances, latest transfers and orders.

const cny = (amount: number) => ({ amount, currency: 'CNY' })

async function fixture() {
  const provider = createTestProvider('stripe')
  const t = await startTestRelay({ providers: [provider], config: { sweepIntervalMs: 0 } })
  const a = await enrolDevice(t.api)
  t.clock.advance(60_000)
  const b = await enrolDevice(t.api)
  t.clock.advance(60_000)
  const c = await enrolDevice(t.api)
  // a: a second device, then the first revoked; a paid recharge; an operator's BASIC month.
  const a2 = await enrolDevice(t.api, a.accountId, 'laptop')
  expect((await t.api('POST', `/v1/admin/devices/${a.deviceId}/revoke`, { token: ADMIN_TOKEN })).status).toBe(200)
  const { order } = await checkout(t.api, a2.token, { provider: 'stripe', item: { kind: 'recharge', amount: cny(5000) } })
  expect((await notify(t, provider, [paid(order.orderNo, 5000)])).status).toBe(200)
  const grant = await t.api('POST', `/v1/admin/accounts/${a.accountId}/grants`, { token: ADMIN_TOKEN, body: { planCode: 'BASIC', period: 'monthly', reason: 'goodwill for an outage' } })
  expect(grant.status, grant.text).toBe(200)
  // b signed in by email and by SMS once (the identities sign-in records).
  await t.relay.core.store.unit(async (tx) => {
    await tx.signIn.insertIdentity('email', 'alice@example.com', b.accountId, t.clock.now())
    await tx.signIn.insertIdentity('sms', '+8613800138000', b.accountId, t.clock.now())
  })
  await addOperator(t, 'viewer@example.com', 'viewer')
  return { t, a, b, c, orderNo: order.orderNo, grant: grant.body, viewer: await signIn(t, 'viewer@example.com') }
}

const ids = (page: ConsoleAccountPage) => page.accounts.map((x) => x.accountId)

forEachStore('console account reads', () => {
  it('lists accounts newest first in keyset pages, with devices and the plan in force', async () => {
    const { t, a, b, c, grant, viewer } = await fixture()
    const all = await viewer.call('GET', '/v1/console/accounts')
    expect(all.status, all.text).toBe(200)
    expect(ids(all.body)).toEqual([c.accountId, b.accountId, a.accountId])
    expect(all.body.accounts[2]).toEqual({ accountId: a.accountId, walletCurrency: 'CNY', devices: 1, plan: { planCode: 'BASIC', period: 'monthly', endsAt: grant.endsAt }, createdAt: expect.any(Number) })
    expect(all.body.accounts[1]).toMatchObject({ accountId: b.accountId, devices: 1, plan: null })

    const first = (await viewer.call('GET', '/v1/console/accounts?limit=2')).body as ConsoleAccountPage
    expect(ids(first)).toEqual([c.accountId, b.accountId])
    const second = (await viewer.call('GET', `/v1/console/accounts?limit=2&before=${encodeURIComponent(first.next!)}`)).body as ConsoleAccountPage
    expect(ids(second)).toEqual([a.accountId])
    expect(second.next).toBeNull()

    // After the grant's month, no plan is in force (a new session: the old one ended meanwhile).
    t.clock.advance(40 * 86_400_000)
    const later = await signIn(t, 'viewer@example.com')
    expect((await later.call('GET', '/v1/console/accounts')).body.accounts[2].plan).toBeNull()
  })

  it('pages 50 by default and at most 200', async () => {
    const { t, viewer } = await fixture()
    for (let i = 0; i < 50; i++) await enrolDevice(t.api)
    const first = (await viewer.call('GET', '/v1/console/accounts')).body as ConsoleAccountPage
    expect(first.accounts).toHaveLength(50)
    const rest = (await viewer.call('GET', `/v1/console/accounts?before=${encodeURIComponent(first.next!)}`)).body as ConsoleAccountPage
    expect(rest.accounts).toHaveLength(3)
    expect(rest.next).toBeNull()
    expect(new Set([...ids(first), ...ids(rest)]).size).toBe(53)
    expect(ids((await viewer.call('GET', '/v1/console/accounts?limit=200')).body)).toHaveLength(53)
    expect((await viewer.call('GET', '/v1/console/accounts?limit=201')).status).toBe(400)
  })

  it('finds accounts by id prefix or by an email or mobile number exactly as they sign in', async () => {
    const { a, b, c, viewer } = await fixture()
    const q = async (text: string) => ids((await viewer.call('GET', `/v1/console/accounts?q=${encodeURIComponent(text)}`)).body)
    expect(await q(a.accountId)).toEqual([a.accountId])
    expect(await q('acc_')).toEqual([c.accountId, b.accountId, a.accountId])
    expect(await q('Alice@Example.com')).toEqual([b.accountId])
    expect(await q('138 0013 8000')).toEqual([b.accountId])
    expect(await q('alice@example')).toEqual([])
    expect(await q('bob@example.com')).toEqual([])
  })

  it('shows one account’s identities, devices, grants, balances, transfers and orders; unknown is 404, a bad query 400', async () => {
    const { a, b, orderNo, grant, viewer } = await fixture()
    const r = await viewer.call('GET', `/v1/console/accounts/${a.accountId}`)
    expect(r.status, r.text).toBe(200)
    const d = r.body as ConsoleAccountDetail
    expect(d.account).toMatchObject({ accountId: a.accountId, devices: 1, plan: { planCode: 'BASIC' } })
    expect(d.identities).toEqual([])
    expect(d.devices.map((x) => ({ name: x.name, revoked: x.revokedAt !== null }))).toEqual([
      { name: 'studio-pc', revoked: true },
      { name: 'laptop', revoked: false }
    ])
    expect(d.grants).toEqual([{ grantId: grant.grantId, source: 'operator', planCode: 'BASIC', period: 'monthly', startsAt: grant.startsAt, endsAt: grant.endsAt, status: 'active' }])
    expect(d.balances).toEqual([{ kind: 'customer_wallet', balance: cny(5000) }])
    expect(d.transfers).toEqual([expect.objectContaining({ kind: 'payment', amount: cny(5000) })])
    expect(d.orders.map((o) => [o.orderNo, o.state])).toEqual([[orderNo, 'paid']])

    const other = (await viewer.call('GET', `/v1/console/accounts/${b.accountId}`)).body as ConsoleAccountDetail
    expect(other.identities).toEqual([
      { kind: 'email', subject: 'alice@example.com' },
      { kind: 'sms', subject: '+8613800138000' }
    ].sort((x, y) => x.kind.localeCompare(y.kind)))
    expect(other).toMatchObject({ grants: [], balances: [], transfers: [], orders: [] })

    const missing = await viewer.call('GET', '/v1/console/accounts/acc_nosuch')
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('NOT_FOUND')
    for (const query of ['limit=0', 'limit=500', 'before=12', 'q=', 'unknown=1']) {
      const bad = await viewer.call('GET', `/v1/console/accounts?${query}`)
      expect(bad.status, query).toBe(400)
      expect(bad.body.error.code, query).toBe('INVALID_INPUT')
    }
  })
})
