import type Database from 'better-sqlite3'
import type { RefundRequestRow, RefundRequestsRepo } from '../../ports'

interface Columns {
  refund_key: string
  order_id: string
  amount: number
  currency: RefundRequestRow['currency']
  reason: string
  requested_by: string
  state: RefundRequestRow['state']
  provider_refund_id: string | null
  error: string | null
  created_at: number
  updated_at: number
}

const COLUMNS = 'refund_key, order_id, amount, currency, reason, requested_by, state, provider_refund_id, error, created_at, updated_at'

export const toRefundRequest = (r: Columns): RefundRequestRow => ({
  refundKey: r.refund_key,
  orderId: r.order_id,
  amount: Number(r.amount),
  currency: r.currency,
  reason: r.reason,
  requestedBy: r.requested_by,
  state: r.state,
  providerRefundId: r.provider_refund_id,
  error: r.error,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at)
})

export function sqliteRefundRequests(s: Database.Database): RefundRequestsRepo {
  const insert = s.prepare(`INSERT INTO refund_requests (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
  const get = s.prepare<[string], Columns>(`SELECT ${COLUMNS} FROM refund_requests WHERE refund_key = ?`)
  const update = s.prepare('UPDATE refund_requests SET state = ?, provider_refund_id = ?, error = ?, updated_at = ? WHERE refund_key = ?')
  const ofOrder = s.prepare<[string], Columns>(`SELECT ${COLUMNS} FROM refund_requests WHERE order_id = ? ORDER BY created_at, refund_key`)
  return {
    insert: (r) =>
      insert.run(r.refundKey, r.orderId, r.amount, r.currency, r.reason, r.requestedBy, r.state, r.providerRefundId, r.error, r.createdAt, r.updatedAt).changes === 1,
    get: (key) => {
      const r = get.get(key)
      return r && toRefundRequest(r)
    },
    update: (key, p) => {
      update.run(p.state, p.providerRefundId, p.error, p.updatedAt, key)
    },
    ofOrder: (orderId) => ofOrder.all(orderId).map(toRefundRequest)
  }
}
