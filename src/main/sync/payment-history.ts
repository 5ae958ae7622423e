import type { BillingDb } from '../db/open'
import type { ProviderName } from '../../shared/catalog'
import type { Currency } from '../../shared/money'
import { InvalidInput } from '../../shared/errors'
import { paymentsHistoryInput, type Input, type Output } from '../../shared/ipc/contract'
import type { PaymentRow } from './store'

export type PaymentsHistory = Output<'payments.history'>
type PaymentItem = PaymentsHistory['items'][number]
type Kind = PaymentItem['kind']

/** A payments-history row: a payment joined to its order's local id, typed as the tables hold it. */
type HistoryRow = Omit<PaymentRow, 'order_no' | 'method' | 'currency' | 'status'> & {
  order_id: string
  method: ProviderName
  currency: Currency
  status: PaymentItem['status']
}

interface Bounds {
  from: number
  to: number
  /** The keyset: rows strictly before (at, id) in newest-first order. */
  at: number
  id: string
  n: number
}

// Newest first by (created_at, id); the cursor is the last row's pair, so a page costs the same
// at the thousandth payment as at the first and rows added meanwhile never shift a page. Each
// source below reads at most `n` rows from its own index (migration 0006), then they are merged.
const KEYSET = '(created_at < @at OR (created_at = @at AND id < @id)) AND created_at >= @from AND created_at < @to'

const paymentsOfKind = (kind: Kind): string =>
  `SELECT p.id, COALESCE(o.id, p.order_no) AS order_id, p.kind, p.method, p.amount, p.currency, p.purpose,
          ${kind === 'payment' ? REFUNDED_STATUS : 'p.status'} AS status, p.created_at
     FROM (SELECT * FROM sync_payments WHERE kind = '${kind}' AND ${KEYSET} ORDER BY created_at DESC, id DESC LIMIT @n) p
     LEFT JOIN sync_orders o ON o.order_no = p.order_no
    ORDER BY p.created_at DESC, p.id DESC`

// A succeeded payment whose order was refunded shows it: its refunds' sum against its amount.
const REFUNDED_STATUS = `CASE WHEN p.status = 'succeeded' THEN
    (SELECT CASE WHEN SUM(r.amount) >= p.amount THEN 'refunded' WHEN SUM(r.amount) > 0 THEN 'partially_refunded' ELSE p.status END
       FROM sync_payments r WHERE r.order_no = p.order_no AND r.kind = 'refund' AND r.status = 'succeeded')
  ELSE p.status END`

// This device's orders not paid (yet). The condition is the partial index's, word for word.
// A checkout the relay refused never reached a provider (failed, no order number): no payment was tried.
const OPEN_ORDERS = `SELECT 'order:' || id AS id, id AS order_id, 'payment' AS kind, method, amount, currency, kind AS purpose,
        CASE status WHEN 'creating' THEN 'pending' ELSE status END AS status, created_at
   FROM (SELECT * FROM sync_orders
          WHERE status NOT IN ('paid', 'partially_refunded', 'refunded') AND NOT (status = 'failed' AND order_no IS NULL)
            AND ('order:' || id < @id OR created_at < @at) AND created_at <= @at AND created_at >= @from AND created_at < @to
          ORDER BY created_at DESC, id DESC LIMIT @n)`

/** Every statement a page runs (its query plans are tested). */
export const PAYMENT_HISTORY_SQL = { payment: paymentsOfKind('payment'), refund: paymentsOfKind('refund'), openOrders: OPEN_ORDERS }

const CURSOR = /^(\d{1,16})~(.{1,400})$/
const END = '\u{10FFFF}'

/**
 * Payments and refunds the feed reported, plus this device's orders not paid (yet), newest
 * first, one bounded page per call (cold path, but on the main thread).
 */
export function paymentsHistory(db: BillingDb, raw: Input<'payments.history'>): PaymentsHistory {
  const parsed = paymentsHistoryInput.safeParse(raw)
  if (!parsed.success) throw new InvalidInput('invalid history query')
  const query = parsed.data
  const bounds: Bounds = { from: query.from ?? 0, to: query.to ?? Number.MAX_SAFE_INTEGER, at: Number.MAX_SAFE_INTEGER, id: END, n: query.limit + 1 }
  if (query.cursor) {
    const m = CURSOR.exec(query.cursor)
    if (!m) throw new InvalidInput('not a payments history cursor; start again from the first page', { cursor: query.cursor })
    bounds.at = Number(m[1])
    bounds.id = m[2]!
  }
  const kinds = new Set<Kind>(query.kinds ?? ['payment', 'refund'])
  const rows: HistoryRow[] = []
  const read = (sql: string): void => void rows.push(...db.sqlite.prepare<[Bounds], HistoryRow>(sql).all(bounds))
  for (const kind of kinds) read(PAYMENT_HISTORY_SQL[kind])
  if (kinds.has('payment')) read(OPEN_ORDERS)
  rows.sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
  const page = rows.slice(0, query.limit)
  const last = page.at(-1)
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
    nextCursor: rows.length > query.limit && last ? `${last.created_at}~${last.id}` : null
  }
}
