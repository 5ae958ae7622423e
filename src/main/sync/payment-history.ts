import type { BillingDb } from '../db/open'
import type { ProviderName } from '../../shared/catalog'
import type { Currency } from '../../shared/money'
import { InvalidInput } from '../../shared/errors'
import { paymentsHistoryInput, type Input, type Output } from '../../shared/ipc/contract'
import type { PaymentRow } from './store'

export type PaymentsHistory = Output<'payments.history'>
type PaymentItem = PaymentsHistory['items'][number]

/** A payments-history row: a payment joined to its order's local id, typed as the tables hold it. */
type HistoryRow = Omit<PaymentRow, 'order_no' | 'method' | 'currency' | 'status'> & {
  order_id: string
  method: ProviderName
  currency: Currency
  status: PaymentItem['status']
}

/**
 * Payments and refunds the feed reported, plus this device's orders not paid (yet). A
 * succeeded payment whose order was refunded shows it: 'partially_refunded' or 'refunded'
 * (its refunds' sum against its amount). Cold path.
 */
export function paymentsHistory(db: BillingDb, raw: Input<'payments.history'>): PaymentsHistory {
  const parsed = paymentsHistoryInput.safeParse(raw)
  if (!parsed.success) throw new InvalidInput('invalid history query')
  const query = parsed.data
  const rows = db.sqlite
    .prepare<[], HistoryRow>(
      `SELECT p.id, COALESCE(o.id, p.order_no) AS order_id, p.kind, p.method, p.amount, p.currency, p.purpose,
              CASE WHEN p.kind = 'payment' AND p.status = 'succeeded' THEN
                CASE WHEN r.refunded >= p.amount THEN 'refunded' WHEN r.refunded > 0 THEN 'partially_refunded' ELSE p.status END
              ELSE p.status END AS status,
              p.created_at
         FROM sync_payments p LEFT JOIN sync_orders o ON o.order_no = p.order_no
         LEFT JOIN (SELECT order_no, SUM(amount) AS refunded FROM sync_payments WHERE kind = 'refund' AND status = 'succeeded' GROUP BY order_no) r
           ON r.order_no = p.order_no AND p.kind = 'payment'
       UNION ALL
       SELECT 'order:' || o.id, o.id, 'payment', o.method, o.amount, o.currency, o.kind,
              CASE o.status WHEN 'creating' THEN 'pending' ELSE o.status END, o.created_at
         FROM sync_orders o WHERE o.status NOT IN ('paid', 'partially_refunded', 'refunded')
           -- A checkout the relay refused never reached a provider: no payment was tried.
           AND NOT (o.status = 'failed' AND o.order_no IS NULL)
       ORDER BY 9 DESC, 1 DESC`
    )
    .all()
  const offset = query.cursor ? Number.parseInt(query.cursor, 10) || 0 : 0
  const filtered = rows.filter(
    (row) =>
      (!query.kinds || query.kinds.includes(row.kind)) &&
      (query.from === undefined || row.created_at >= query.from) &&
      (query.to === undefined || row.created_at < query.to)
  )
  const page = filtered.slice(offset, offset + query.limit)
  return {
    items: page.map((row) => ({
      id: row.id,
      orderId: row.order_id,
      kind: row.kind,
      method: row.method,
      amount: { amount: row.amount, currency: row.currency },
      purpose: row.purpose,
      status: row.status,
      createdAt: row.created_at
    })),
    nextCursor: offset + query.limit < filtered.length ? String(offset + query.limit) : null
  }
}
