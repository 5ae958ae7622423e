import type { OrderRow, OrdersRepo } from '../../ports'
import { ms, ts, type Sql } from '../sql'

type OrderColumns = Omit<OrderRow, 'expires_at' | 'created_at' | 'updated_at'> & { expires_at: Date; created_at: Date; updated_at: Date }

const row = (r: OrderColumns): OrderRow => ({ ...r, expires_at: ms(r.expires_at), created_at: ms(r.created_at), updated_at: ms(r.updated_at) })
const one = (r: OrderColumns | undefined): OrderRow | undefined => r && row(r)

/** Memo keys (sql.ts) of what the order's read tells ahead: it has no coupon redemption, no invoice. */
export const noRedemptionKey = (orderId: string) => `no_redemption:${orderId}`
export const noInvoiceKey = (kind: string, sourceId: string) => `no_invoice:${kind}:${sourceId}`

export type WithAhead = OrderColumns & { has_redemption: boolean; has_invoice: boolean }
export const BY_NO = `SELECT o.*, EXISTS (SELECT 1 FROM coupon_redemptions c WHERE c.order_id = o.id) AS has_redemption,
    EXISTS (SELECT 1 FROM invoices i WHERE i.source_kind = 'order' AND i.source_id = o.order_no) AS has_invoice
  FROM orders o`
/** Memo keys of an order read ahead (ahead.ts): the row (null: no such order), and its number by id. */
const byNoKey = (orderNo: string) => `order_by_no:${orderNo}`
const noOfKey = (orderId: string) => `order_no_of:${orderId}`

/** An order as read with BY_NO; what it tells ahead is kept for the unit. */
function keep(q: Sql, r: WithAhead | undefined): OrderRow | undefined {
  if (!r) return undefined
  const { has_redemption, has_invoice, ...order } = r
  if (!has_redemption) q.memo.set(noRedemptionKey(order.id), true)
  if (!has_invoice) q.memo.set(noInvoiceKey('order', order.order_no), true)
  return row(order)
}

/** A batch's orders read ahead (ahead.ts), kept for the unit (byNo) until the unit writes one. */
export function keepOrdersAhead(q: Sql, asked: readonly string[], rows: WithAhead[]): OrderRow[] {
  for (const no of asked) q.memo.set(byNoKey(no), null)
  return rows.map((r) => {
    const order = keep(q, r)!
    q.memo.set(byNoKey(order.order_no), order)
    q.memo.set(noOfKey(order.id), order.order_no)
    return order
  })
}

export function pgOrders(q: Sql): OrdersRepo {
  /** The unit writes the order: a row read ahead is no longer what the database holds. */
  const changed = (id: string) => {
    const no = q.memo.get(noOfKey(id)) as string | undefined
    if (no !== undefined) void (q.memo.delete(byNoKey(no)), q.memo.delete(noOfKey(id)))
  }
  return {
    // Read ahead: a payment's unit asks next whether the order has a coupon redemption and an
    // invoice (coupons.onPaid, invoices.issueForOrder); the same statement answers both, and an
    // answer of "none" is kept for the unit (the repositories that insert either row forget it), so
    // those two questions cost no round trip.
    async byNo(orderNo) {
      if (q.memo.has(byNoKey(orderNo))) {
        const kept = q.memo.get(byNoKey(orderNo)) as OrderRow | null
        return kept ? { ...kept } : undefined
      }
      return keep(q, await q.get<WithAhead>(`${BY_NO} WHERE o.order_no = $1`, [orderNo]))
    },
    byKey: async (accountId, key) => one(await q.get<OrderColumns>('SELECT * FROM orders WHERE account_id = $1 AND client_key = $2', [accountId, key])),
    byId: async (id) => one(await q.get<OrderColumns>('SELECT * FROM orders WHERE id = $1', [id])),
    // A sequence, not a counter row: instances creating orders at once never wait on each other.
    nextSeq: async () => (await q.get<{ value: number }>("SELECT nextval('order_no_seq') AS value"))!.value,
    insert: async (o) =>
      void (q.memo.delete(byNoKey(o.order_no)),
      await q.later(
        `INSERT INTO orders (id, order_no, account_id, device_id, client_key, request_fingerprint, provider, item_json,
          subject, amount, currency, refunded_amount, state, discount_amount, bonus_amount, catalog_version, expires_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, 'created', $12, $13, $14, $15, $16, $16)`,
        [
          o.id,
          o.order_no,
          o.account_id,
          o.device_id,
          o.client_key,
          o.request_fingerprint,
          o.provider,
          o.item_json,
          o.subject,
          o.amount,
          o.currency,
          o.discount_amount ?? 0,
          o.bonus_amount ?? 0,
          o.catalog_version ?? null,
          ts(o.expires_at),
          ts(o.created_at)
        ]
      )),
    setState: async (id, state, now) => void (changed(id), await q.later('UPDATE orders SET state = $1, updated_at = $2 WHERE id = $3', [state, ts(now), id])),
    setCheckout: async (id, json, ref, now) =>
      void (changed(id), await q.later('UPDATE orders SET checkout_json = $1, provider_ref = COALESCE(provider_ref, $2), updated_at = $3 WHERE id = $4', [json, ref, ts(now), id])),
    setPaid: async (id, paymentId, now) =>
      void (changed(id), await q.later("UPDATE orders SET state = 'paid', provider_payment_id = $1, updated_at = $2 WHERE id = $3", [paymentId, ts(now), id])),
    setRefunded: async (id, state, total, now) =>
      void (changed(id), await q.later('UPDATE orders SET state = $1, refunded_amount = $2, updated_at = $3 WHERE id = $4', [state, total, ts(now), id])),
    logTransition: async (id, from, to, cause, at) =>
      void (await q.later('INSERT INTO order_transitions (order_id, from_state, to_state, cause, at) VALUES ($1, $2, $3, $4, $5)', [id, from, to, cause, ts(at)])),
    dueToExpire: async (now, limit) =>
      (await q.all<OrderColumns>(`SELECT * FROM orders WHERE state IN ('created', 'pending') AND expires_at <= $1 ORDER BY expires_at LIMIT $2`, [ts(now), limit])).map(
        row
      ),
    // Guarded by state; under REPEATABLE READ an order another instance moved meanwhile fails the
    // unit (it runs again and skips the order), so the order is expired once.
    expireIfOpen: async (id, now) =>
      (changed(id), await q.run(`UPDATE orders SET state = 'expired', updated_at = $1 WHERE id = $2 AND state IN ('created', 'pending')`, [ts(now), id])) === 1
  }
}
