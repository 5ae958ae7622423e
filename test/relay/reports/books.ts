import { expect } from 'vitest'
import { publishCatalog } from '../../../src/relay/catalog/catalog'
import type { ProviderEvent } from '../../../src/relay/providers/types'
import { BUILT_IN_CATALOG } from '../../../src/shared/catalog/document'
import type { CheckoutItem } from '../../../src/shared/contract-base'
import type { OutboxRecord } from '../../../src/shared/relay-contract'
import { createTestProvider } from '../support/hmac-provider'
import { startTestRelay, type TestRelay } from '../support/relay'

// A relay's books seeded through the real paths (checkouts, the notification applier, the
// outbox, catalog publishing), for the statement and tax tests; accounts a–d, one plan each.
// Times in Asia/Shanghai (UTC+8):
//   2028-01-20  a: BASIC monthly 29.00 CNY (VAT 6 %: 1.64)
//   2028-02-15  b: BASIC monthly 9.99 USD (VAT 0.57): an order row in USD, since the catalog
//               sells CNY only; paid through the applier as any other
//   2028-02-29 23:59  c: BASIC lifetime 899.00 CNY (VAT 50.89): the leap day
//   2028-03-01 00:30  c: a 50.00 CNY recharge (its invoice prints VAT 2.83, the ledger books none)
//   2028-03-05  c: a 10.00 paid use and a 3.00 first-free use
//   2028-03-10  catalog v2: taxRate 0.13;  2028-03-15  d: BASIC quarterly 79.00 CNY (VAT 9.09)
//   2028-04-02  a: 10.00 CNY of January's monthly refunded (credit note VAT 0.57, in April)
//   2028-05-10  b: the USD order refunded in full (credit note VAT 0.57, in May)
//   now: 2028-06-10

export const at = (iso: string): number => Date.parse(iso)

export async function seededRelay(): Promise<TestRelay> {
  const provider = createTestProvider('stripe')
  const t = await startTestRelay({ providers: [provider] })
  const { core } = t.relay
  // One account per plan, so no purchase switches another's plan.
  const customer = async (name: string) => {
    const { accountId, code } = await core.accounts.createEnrolment(undefined, name)
    return { accountId, deviceId: (await core.accounts.enrol(code, name)).deviceId }
  }
  const [a, b, c, d] = [await customer('a'), await customer('b'), await customer('c'), await customer('d')]
  let n = 0
  const apply = async (event: ProviderEvent) => {
    const outcome = await core.store.unit((tx) => core.applier.apply(tx, 'stripe', event))
    expect(outcome.kind).toBe('applied')
  }
  const buy = async (device: { accountId: string; deviceId: string }, item: CheckoutItem) => {
    const { order } = await core.checkouts.create(device, `books-${++n}`, { provider: 'stripe', item })
    await apply({ type: 'payment.succeeded', eventId: `evt_pay_${n}`, orderNo: order.orderNo, providerPaymentId: `pi_${n}`, amount: order.amount, occurredAt: 0 })
    return order
  }
  const refund = (orderNo: string, amount: { amount: number; currency: 'CNY' | 'USD' }, id: string) =>
    apply({ type: 'refund.succeeded', eventId: `evt_${id}`, orderNo, refundId: id, amount, occurredAt: 0 })

  t.clock.set(at('2028-01-20T02:00:00Z'))
  const monthly = await buy(a, { kind: 'plan', planCode: 'BASIC', period: 'monthly' })
  expect(monthly.amount).toEqual({ amount: 2900, currency: 'CNY' })

  t.clock.set(at('2028-02-15T02:00:00Z'))
  const usd = { id: 'ord_usd_1', orderNo: 'R2028021500000USD1' }
  await core.store.unit(async (tx) =>
    tx.orders.insert({
      id: usd.id,
      order_no: usd.orderNo,
      account_id: b.accountId,
      device_id: b.deviceId,
      client_key: 'books-usd',
      request_fingerprint: 'books-usd',
      provider: 'stripe',
      item_json: JSON.stringify({ kind: 'plan', planCode: 'BASIC', period: 'monthly' }),
      subject: 'BASIC monthly',
      amount: 999,
      currency: 'USD',
      expires_at: t.clock.now() + 1_800_000,
      created_at: t.clock.now()
    })
  )
  await apply({ type: 'payment.succeeded', eventId: 'evt_pay_usd', orderNo: usd.orderNo, providerPaymentId: 'pi_usd', amount: { amount: 999, currency: 'USD' }, occurredAt: 0 })

  t.clock.set(at('2028-02-29T15:59:00Z'))
  await buy(c, { kind: 'plan', planCode: 'BASIC', period: 'lifetime' })

  t.clock.set(at('2028-02-29T16:30:00Z'))
  await buy(c, { kind: 'recharge', amount: { amount: 5000, currency: 'CNY' } })

  t.clock.set(at('2028-03-05T02:00:00Z'))
  const records: OutboxRecord[] = [
    { id: 'dbt-000001', kind: 'wallet_debit', amount: { amount: 1000, currency: 'CNY' }, feature: 'ai_request', occurredAt: t.clock.now() },
    { id: 'ffc-000001', kind: 'first_free_claim', price: { amount: 300, currency: 'CNY' }, feature: 'stream', occurredAt: t.clock.now() }
  ]
  const accepted = await core.outbox.accept(c, records)
  expect(accepted.accepted).toEqual(['dbt-000001', 'ffc-000001'])

  t.clock.set(at('2028-03-10T00:00:00Z'))
  await publishCatalog(core.store, t.clock.now(), { ...BUILT_IN_CATALOG, version: 2, effectiveFrom: t.clock.now(), taxRate: '0.13' })
  t.clock.set(at('2028-03-15T02:00:00Z'))
  await buy(d, { kind: 'plan', planCode: 'BASIC', period: 'quarterly' })

  t.clock.set(at('2028-04-02T02:00:00Z'))
  await refund(monthly.orderNo, { amount: 1000, currency: 'CNY' }, 're_cny_1')
  t.clock.set(at('2028-05-10T02:00:00Z'))
  await refund(usd.orderNo, { amount: 999, currency: 'USD' }, 're_usd_1')

  t.clock.set(at('2028-06-10T02:00:00Z'))
  return t
}
