import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runVerify } from '../../src/relay/cli/verify'
import { verifyLedger } from '../../src/relay/ledger/verify'
import type { ProviderEvent } from '../../src/relay/providers/types'
import type { OutboxRecord } from '../../src/shared/relay-contract'
import { createTestProvider } from './support/hmac-provider'
import { catalogPlan } from '../../src/shared/catalog'
import { startTestRelay } from './support/relay'

// Random sequences of relay operations (payments, wrong amounts, replays, refunds partial and
// full, device debits, first-free claims from two devices, wallet-paid plan purchases and
// switches with right and wrong prices, resends, debt and its repayment) on the
// real relay core: the books always hold (relay:verify agrees), no id counts twice, and the wallet
// equals what a model of the rules computes from the same operations.

type Op =
  | { op: 'pay'; order: number; wrongAmount: boolean }
  | { op: 'replay' }
  | { op: 'refund'; order: number; amount: number; refund: number }
  | { op: 'debit'; amount: number; id: number; device: 0 | 1 }
  | { op: 'claim'; price: number; id: number; device: 0 | 1 }
  | { op: 'purchase'; plan: 'BASIC' | 'PREMIUM'; id: number; device: 0 | 1; wrongPrice: boolean }

const ORDERS = 6
const ops = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('pay' as const), order: fc.nat(ORDERS - 1), wrongAmount: fc.boolean() }),
    fc.record({ op: fc.constant('replay' as const) }),
    fc.record({ op: fc.constant('refund' as const), order: fc.nat(ORDERS - 1), amount: fc.integer({ min: 1, max: 4000 }), refund: fc.nat(5) }),
    fc.record({ op: fc.constant('debit' as const), amount: fc.integer({ min: 1, max: 3000 }), id: fc.nat(8), device: fc.constantFrom(0 as const, 1 as const) }),
    fc.record({ op: fc.constant('claim' as const), price: fc.integer({ min: 1, max: 900 }), id: fc.nat(3), device: fc.constantFrom(0 as const, 1 as const) }),
    // Plans bought from the wallet: a different plan than the running one is a switch.
    fc.record({ op: fc.constant('purchase' as const), plan: fc.constantFrom('BASIC' as const, 'PREMIUM' as const), id: fc.nat(5), device: fc.constantFrom(0 as const, 1 as const), wrongPrice: fc.boolean() })
  ),
  { minLength: 1, maxLength: 40 }
)

async function world() {
  const provider = createTestProvider('stripe')
  const t = await startTestRelay({ providers: [provider] })
  const { core } = t.relay
  const { accountId, code } = await core.accounts.createEnrolment(undefined, 'prop')
  const a = await core.accounts.enrol(code, 'a')
  const b = await core.accounts.enrol((await core.accounts.createEnrolment(accountId, 'prop')).code, 'b')
  const devices = [a, b].map((d) => ({ accountId, deviceId: d.deviceId }))
  // Recharges of 1,000 to 3,500 and two plans, each its own order.
  const orders = []
  for (let i = 0; i < ORDERS; i++) {
    const item = i < 4 ? { kind: 'recharge' as const, amount: { amount: 1000 + 500 * i, currency: 'CNY' as const } } : { kind: 'plan' as const, planCode: 'BASIC' as const, period: 'monthly' as const }
    orders.push((await core.checkouts.create(devices[0]!, `prop-order-${i}`, { provider: 'stripe', item })).order)
  }
  return { t, core, accountId, devices, orders }
}

describe('relay ledger, random operations', () => {
  it('transfers balance, caches equal transfers, nothing counts twice, the wallet follows the rules', async () => {
    await fc.assert(
      fc.asyncProperty(ops, async (sequence: Op[]) => {
        const { t, core, accountId, devices, orders } = await world()
        const apply = (event: ProviderEvent) => t.relay.db.unit((tx) => core.applier.apply(tx, 'stripe', event))
        // The model: what the relay's rules say should have happened.
        const model = { wallet: 0, paid: new Set<number>(), refunded: new Map<number, number>(), refunds: new Set<string>(), records: new Set<string>(), firstFree: false, purchases: 0 }
        const sent: ProviderEvent[] = []
        let n = 0
        for (const o of sequence) {
          if (o.op === 'pay') {
            const order = orders[o.order]!
            const amount = order.amount.amount + (o.wrongAmount ? 1 : 0)
            const event: ProviderEvent = { type: 'payment.succeeded', eventId: `evt_${n++}`, orderNo: order.orderNo, providerPaymentId: `pi_${o.order}`, amount: { amount, currency: 'CNY' }, occurredAt: 0 }
            sent.push(event)
            const outcome = await apply(event)
            const applies = !o.wrongAmount && !model.paid.has(o.order)
            expect(outcome.kind).toBe(applies ? 'applied' : o.wrongAmount ? 'rejected' : 'duplicate')
            if (applies) {
              model.paid.add(o.order)
              if (order.item.kind === 'recharge') model.wallet += order.amount.amount
            }
          } else if (o.op === 'replay') {
            const again = sent.at(-1)
            if (again) expect((await apply(again)).kind).not.toBe('applied')
          } else if (o.op === 'refund') {
            const order = orders[o.order]!
            const refundId = `re_${o.order}_${o.refund}`
            const event: ProviderEvent = { type: 'refund.succeeded', eventId: `evt_${n++}`, orderNo: order.orderNo, refundId, amount: { amount: o.amount, currency: 'CNY' }, occurredAt: 0 }
            sent.push(event)
            const outcome = await apply(event)
            const before = model.refunded.get(o.order) ?? 0
            const applies = model.paid.has(o.order) && !model.refunds.has(refundId) && before + o.amount <= order.amount.amount
            expect(outcome.kind === 'applied').toBe(applies)
            if (applies) {
              model.refunds.add(refundId)
              model.refunded.set(o.order, before + o.amount)
              if (order.item.kind === 'recharge') model.wallet -= o.amount
            }
          } else if (o.op === 'purchase') {
            const id = `pur-${String(o.id).padStart(6, '0')}`
            const price = catalogPlan(o.plan, 'monthly')!.price + (o.wrongPrice ? 1 : 0)
            const record: OutboxRecord = {
              id,
              kind: 'subscription_purchase',
              planCode: o.plan,
              period: 'monthly',
              price: { amount: price, currency: 'CNY' },
              catalogVersion: 1,
              action: 'subscribe',
              periodStart: 1,
              periodEnd: null,
              occurredAt: t.clock.now()
            }
            const ack = await core.outbox.accept(devices[o.device]!, [record])
            if (o.wrongPrice && !model.records.has(id)) {
              expect(ack.rejected).toEqual([expect.objectContaining({ id, code: 'PRICE_MISMATCH' })])
            } else if (!model.records.has(id)) {
              expect(ack.accepted).toEqual([id])
              model.records.add(id)
              model.records.add(`${id}:${JSON.stringify(record)}`)
              model.wallet -= price
              model.purchases++
            } else {
              expect(ack.accepted.length + ack.rejected.length).toBe(1)
            }
            t.clock.advance(86_400_000)
          } else {
            const id = o.op === 'debit' ? `dbt-${String(o.id).padStart(6, '0')}` : `ffc-${String(o.id).padStart(6, '0')}`
            const record: OutboxRecord =
              o.op === 'debit'
                ? { id, kind: 'wallet_debit', amount: { amount: o.amount, currency: 'CNY' }, feature: 'ai_request', occurredAt: 1 }
                : { id, kind: 'first_free_claim', price: { amount: o.price, currency: 'CNY' }, feature: 'stream', occurredAt: 1 }
            const ack = await core.outbox.accept(devices[o.device]!, [record])
            if (!model.records.has(id)) {
              // New: applied. (Ids are per account; the same id again with other content is refused.)
              expect(ack.accepted).toEqual([id])
              model.records.add(id)
              model.records.add(`${id}:${JSON.stringify(record)}`)
              if (o.op === 'debit') model.wallet -= o.amount
              else if (model.firstFree) model.wallet -= o.price
              else model.firstFree = true
            } else {
              expect(ack.accepted.length + ack.rejected.length).toBe(1)
              if (ack.accepted.length) expect(model.records.has(`${id}:${JSON.stringify(record)}`)).toBe(true)
            }
          }
        }
        const books = await t.relay.db.read(async (tx) => tx.ledger.snapshot())
        const report = verifyLedger(books)
        expect(report.breaks).toEqual([])
        expect(new Set(books.transfers.map((x) => x.id)).size).toBe(books.transfers.length)
        expect(books.transfers.filter((x) => x.kind === 'payment')).toHaveLength(model.paid.size)
        expect(books.transfers.filter((x) => x.kind === 'subscription_purchase')).toHaveLength(model.purchases)
        // One grant per purchase; at most one plan's grant active at any instant after the switches.
        expect(books.purchases).toHaveLength(model.purchases)
        const running = await t.relay.db.read(async (tx) => tx.grants.active(accountId, t.clock.now()))
        expect(new Set(running.map((g) => g.plan_code)).size).toBeLessThanOrEqual(1)
        const wallet = await t.relay.db.read((tx) => core.wallet.state(tx, accountId))
        expect(wallet.balance.amount).toBe(model.wallet)
        expect(wallet.debt.amount).toBe(Math.max(0, -model.wallet))
        // relay:verify on the file says the same.
        expect(await runVerify({ RELAY_DB_PATH: t.config.dbPath }, () => undefined)).toBe(0)
        await t.relay.stop()
      }),
      { numRuns: 25 }
    )
  })
})
