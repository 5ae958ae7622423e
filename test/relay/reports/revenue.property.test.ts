import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { NORMAL_SIDE, type LedgerAccountKind } from '../../../src/relay/ledger/chart'
import { verifyLedger } from '../../../src/relay/ledger/verify'
import type { ProviderEvent } from '../../../src/relay/providers/types'
import { revenueReport } from '../../../src/relay/reports/service'
import type { RevenueLine } from '../../../src/relay/reports/revenue'
import type { OutboxRecord } from '../../../src/shared/relay-contract'
import { createTestProvider } from '../support/hmac-provider'
import { startTestRelay } from '../support/relay'

// The revenue report reconciles with the ledger to the unit: over all time its totals are the
// posted balances of each kind of account (those relay:verify checks), its days add up to its
// totals, two adjacent ranges add up to their union, and the wallet liability is the wallets'
// balance — for random payments, refunds, paid uses and first-free claims spread over weeks.

type Op =
  | { op: 'pay'; order: number }
  | { op: 'refund'; order: number; amount: number; refund: number }
  | { op: 'debit'; amount: number; id: number }
  | { op: 'claim'; price: number; id: number }
  | { op: 'wait'; hours: number }

const ORDERS = 5
const ops = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('pay' as const), order: fc.nat(ORDERS - 1) }),
    fc.record({ op: fc.constant('refund' as const), order: fc.nat(ORDERS - 1), amount: fc.integer({ min: 1, max: 3000 }), refund: fc.nat(3) }),
    fc.record({ op: fc.constant('debit' as const), amount: fc.integer({ min: 1, max: 2000 }), id: fc.nat(6) }),
    fc.record({ op: fc.constant('claim' as const), price: fc.integer({ min: 1, max: 900 }), id: fc.nat(2) }),
    fc.record({ op: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 24 * 20 }) })
  ),
  { minLength: 1, maxLength: 30 }
)

const KINDS: Record<keyof Omit<RevenueLine, 'net'>, LedgerAccountKind[]> = {
  gross: ['revenue_plan', 'revenue_usage'],
  discounts: ['discounts'],
  refunds: ['refunds'],
  promotions: ['promotion'],
  tax: ['tax_payable']
}

describe('the revenue report', () => {
  it('equals the ledger: totals, days, adjacent ranges and the wallet liability', async () => {
    await fc.assert(
      fc.asyncProperty(ops, async (sequence: Op[]) => {
        const provider = createTestProvider('stripe')
        const t = await startTestRelay({ providers: [provider] })
        const { core } = t.relay
        const { accountId, code } = await core.accounts.createEnrolment(undefined, 'report')
        const device = { accountId, deviceId: (await core.accounts.enrol(code, 'a')).deviceId }
        const orders = []
        for (let i = 0; i < ORDERS; i++) {
          const item = i < 3 ? { kind: 'recharge' as const, amount: { amount: 2000 + 1000 * i, currency: 'CNY' as const } } : { kind: 'plan' as const, planCode: 'BASIC' as const, period: 'monthly' as const }
          orders.push((await core.checkouts.create(device, `report-order-${i}`, { provider: 'stripe', item })).order)
        }
        const start = t.clock.now()
        const apply = (event: ProviderEvent) => t.relay.db.unit((tx) => core.applier.apply(tx, 'stripe', event))
        let n = 0
        for (const o of sequence) {
          if (o.op === 'wait') t.clock.advance(o.hours * 3_600_000)
          else if (o.op === 'pay') {
            const order = orders[o.order]!
            await apply({ type: 'payment.succeeded', eventId: `evt_${n++}`, orderNo: order.orderNo, providerPaymentId: `pi_${o.order}`, amount: order.amount, occurredAt: 0 })
          } else if (o.op === 'refund') {
            const order = orders[o.order]!
            await apply({ type: 'refund.succeeded', eventId: `evt_${n++}`, orderNo: order.orderNo, refundId: `re_${o.order}_${o.refund}`, amount: { amount: o.amount, currency: 'CNY' }, occurredAt: 0 })
          } else {
            const id = `${o.op === 'debit' ? 'dbt' : 'ffc'}-${String(o.id).padStart(6, '0')}`
            const record: OutboxRecord =
              o.op === 'debit'
                ? { id, kind: 'wallet_debit', amount: { amount: o.amount, currency: 'CNY' }, feature: 'ai_request', occurredAt: 1 }
                : { id, kind: 'first_free_claim', price: { amount: o.price, currency: 'CNY' }, feature: 'stream', occurredAt: 1 }
            await core.outbox.accept(device, [record])
          }
        }
        const books = await core.store.read(async (tx) => tx.ledger.snapshot())
        expect(verifyLedger(books).ok).toBe(true)
        // The posted balance of each kind, on its normal side.
        const balance = (kinds: LedgerAccountKind[]) =>
          books.accounts
            .filter((a) => kinds.includes(a.kind as LedgerAccountKind))
            .reduce((sum, a) => sum + (NORMAL_SIDE[a.kind as LedgerAccountKind] === 'credit' ? a.creditsPosted - a.debitsPosted : a.debitsPosted - a.creditsPosted), 0)
        const tz = 'Asia/Shanghai'
        const all = await revenueReport(core.store, core.clock, { from: 0, bucket: 'day', timeZone: tz })
        const total = all.totals['CNY'] ?? { gross: 0, discounts: 0, refunds: 0, promotions: 0, net: 0, tax: 0 }
        for (const [field, kinds] of Object.entries(KINDS)) expect(total[field as keyof RevenueLine]).toBe(balance(kinds))
        expect(total.net).toBe(total.gross - total.discounts - total.refunds - total.promotions)
        const days = Object.values(all.periods['CNY'] ?? {})
        for (const field of ['gross', 'refunds', 'promotions', 'net'] as const) expect(days.reduce((s, d) => s + d[field], 0)).toBe(total[field])
        expect(all.walletLiability['CNY']?.wallets ?? 0).toBe(balance(['customer_wallet']))
        expect(Object.values(all.providers['CNY'] ?? {}).reduce((s, v) => s + v, 0)).toBe(balance(['provider_clearing']))
        // Two adjacent ranges make the whole.
        const mid = start + Math.floor((t.clock.now() - start) / 2)
        const end = t.clock.now() + 1
        const a = await revenueReport(core.store, core.clock, { from: 0, to: mid, bucket: 'year', timeZone: tz })
        const b = await revenueReport(core.store, core.clock, { from: mid, to: end, bucket: 'year', timeZone: tz })
        // The liability as of the middle: the wallets' balance from the transfers before it.
        const walletsAtMid = books.transfers
          .filter((x) => x.at < mid)
          .reduce((sum, x) => sum + (x.creditAccountId.startsWith('wallet:') ? x.amount : 0) - (x.debitAccountId.startsWith('wallet:') ? x.amount : 0), 0)
        expect(a.walletLiability['CNY']?.wallets ?? 0).toBe(walletsAtMid)
        for (const field of ['gross', 'refunds', 'promotions', 'net', 'tax'] as const) {
          expect((a.totals['CNY']?.[field] ?? 0) + (b.totals['CNY']?.[field] ?? 0)).toBe(total[field])
        }
      }),
      { numRuns: 15 }
    )
  })
})
