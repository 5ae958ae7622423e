import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { BillingDb } from '../../src/main/db/open'
import { PAYMENT_HISTORY_SQL, paymentsHistory } from '../../src/main/sync/payment-history'
import { BillingError } from '../../src/shared/errors'
import { tempDb } from '../support/db'

// payments.history pages newest first by (time, id) with a keyset cursor, each source read from
// its own index: the pages together are exactly what the whole table says, in order.

interface Pay {
  id: string
  order_no: string
  kind: 'payment' | 'refund'
  amount: number
  status: 'succeeded' | 'failed' | 'pending'
  created_at: number
}
interface Order {
  id: string
  order_no: string | null
  status: 'creating' | 'pending' | 'paid' | 'partially_refunded' | 'refunded' | 'failed' | 'expired' | 'cancelled'
  created_at: number
}

const time = fc.integer({ min: 1, max: 8 }) // few distinct times: ties on created_at are the hard case
const pays = fc.uniqueArray(
  fc.record({
    id: fc.stringMatching(/^p[0-9a-f]{1,4}$/),
    order_no: fc.constantFrom('N1', 'N2', 'N3', 'N4'),
    kind: fc.constantFrom('payment' as const, 'refund' as const),
    amount: fc.integer({ min: 1, max: 500 }),
    status: fc.constantFrom('succeeded' as const, 'failed' as const, 'pending' as const),
    created_at: time
  }),
  { selector: (p) => p.id, maxLength: 40 }
)
const orders = fc.uniqueArray(
  fc.record({
    id: fc.stringMatching(/^o[0-9a-f]{1,4}$/),
    order_no: fc.boolean(), // numbered below: order numbers are unique
    status: fc.constantFrom('creating', 'pending', 'paid', 'partially_refunded', 'refunded', 'failed', 'expired', 'cancelled' as const),
    created_at: time
  }),
  { selector: (o) => o.id, maxLength: 25 }
).map((list): Order[] => list.map((o, i) => ({ ...o, order_no: o.order_no ? `M${i}` : null })))

function fill(db: BillingDb, p: Pay[], o: Order[]): void {
  const insPay = db.sqlite.prepare(
    `INSERT INTO sync_payments (id, order_no, kind, method, amount, currency, purpose, status, created_at)
     VALUES (@id, @order_no, @kind, 'alipay', @amount, 'CNY', 'recharge', @status, @created_at)`
  )
  const insOrder = db.sqlite.prepare(
    `INSERT INTO sync_orders (id, relay_key, request_key, fingerprint, method, kind, amount, currency, status, order_no, expires_at, created_at, updated_at)
     VALUES (@id, 'rk-' || @id, 'q-' || @id, 'f', 'wechat', 'recharge', 100, 'CNY', @status, @order_no, 0, @created_at, @created_at)`
  )
  db.sqlite.transaction(() => {
    db.sqlite.exec('DELETE FROM sync_payments; DELETE FROM sync_orders')
    for (const row of p) insPay.run(row)
    for (const row of o) insOrder.run(row)
  })()
}

/** What the history means, computed from every row at once. */
function oracle(p: Pay[], o: Order[], kinds: ('payment' | 'refund')[], from: number, to: number) {
  const refunded = (orderNo: string) =>
    p.filter((r) => r.order_no === orderNo && r.kind === 'refund' && r.status === 'succeeded').reduce((s, r) => s + r.amount, 0)
  const rows = [
    ...p.map((r) => {
      const sum = refunded(r.order_no)
      const status =
        r.kind === 'payment' && r.status === 'succeeded' ? (sum >= r.amount ? 'refunded' : sum > 0 ? 'partially_refunded' : r.status) : r.status
      return { id: r.id, kind: r.kind, status, createdAt: r.created_at }
    }),
    ...o
      .filter((r) => !['paid', 'partially_refunded', 'refunded'].includes(r.status) && !(r.status === 'failed' && r.order_no === null))
      .map((r) => ({ id: `order:${r.id}`, kind: 'payment' as const, status: r.status === 'creating' ? 'pending' : r.status, createdAt: r.created_at }))
  ]
  return rows
    .filter((r) => kinds.includes(r.kind) && r.createdAt >= from && r.createdAt < to)
    .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
}

describe('payments history pages', () => {
  it('together equal the whole history, newest first, for any rows, filter and page size', () => {
    const db = tempDb()
    fc.assert(
      fc.property(
        pays,
        orders,
        fc.subarray(['payment', 'refund'] as ('payment' | 'refund')[], { minLength: 1 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 7 }),
        (p, o, kinds, from, span, limit) => {
          fill(db, p, o)
          const to = from + span
          const seen: { id: string; kind: string; status: string; createdAt: number }[] = []
          let cursor: string | null = null
          let pages = 0
          do {
            const page = paymentsHistory(db, { kinds, from, to, limit, cursor })
            expect(page.items.length).toBeLessThanOrEqual(limit)
            if (page.nextCursor !== null) expect(page.items).toHaveLength(limit)
            seen.push(...page.items.map((i) => ({ id: i.id, kind: i.kind, status: i.status, createdAt: i.createdAt })))
            cursor = page.nextCursor
            pages++
          } while (cursor !== null && pages < 100)
          expect(seen).toEqual(oracle(p, o, kinds, from, to))
        }
      ),
      { numRuns: 200 }
    )
  })

  it('a cursor that is not one of its own is refused with INVALID_INPUT', () => {
    const db = tempDb()
    for (const cursor of ['12', 'abc', '~p1', '12~']) {
      let caught: unknown
      try {
        paymentsHistory(db, { limit: 5, cursor })
      } catch (err) {
        caught = err
      }
      expect(caught, cursor).toBeInstanceOf(BillingError)
      expect((caught as BillingError).code).toBe('INVALID_INPUT')
    }
  })

  it('every statement reads from an index: no scan of a whole table, no sort of one', () => {
    const db = tempDb()
    const bounds = { from: 0, to: 10, at: 5, id: 'x', n: 11 }
    for (const [name, sql] of Object.entries(PAYMENT_HISTORY_SQL)) {
      const plan = (db.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(bounds) as { detail: string }[]).map((r) => r.detail).join(' | ')
      expect(plan, name).not.toMatch(/SCAN (sync_payments|sync_orders)(?! USING)/)
      expect(plan, name).toMatch(name === 'openOrders' ? /sync_orders_open_time_idx/ : /sync_payments_kind_time_idx/)
      if (name === 'payment') expect(plan, name).toMatch(/sync_payments_order_idx/)
    }
  })
})
