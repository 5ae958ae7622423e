import type { RefundRequestRow, RefundRequestsRepo } from '../../ports'
import { ms, ts, type Sql } from '../sql'

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
  created_at: Date
  updated_at: Date
}

const COLUMNS = 'refund_key, order_id, amount, currency, reason, requested_by, state, provider_refund_id, error, created_at, updated_at'

const toRow = (r: Columns): RefundRequestRow => ({
  refundKey: r.refund_key,
  orderId: r.order_id,
  amount: Number(r.amount),
  currency: r.currency,
  reason: r.reason,
  requestedBy: r.requested_by,
  state: r.state,
  providerRefundId: r.provider_refund_id,
  error: r.error,
  createdAt: ms(r.created_at),
  updatedAt: ms(r.updated_at)
})

export function pgRefundRequests(q: Sql): RefundRequestsRepo {
  return {
    insert: async (r) =>
      (await q.run(`INSERT INTO refund_requests (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`, [
        r.refundKey,
        r.orderId,
        r.amount,
        r.currency,
        r.reason,
        r.requestedBy,
        r.state,
        r.providerRefundId,
        r.error,
        ts(r.createdAt),
        ts(r.updatedAt)
      ])) === 1,
    get: async (key) => {
      const r = await q.get<Columns>(`SELECT ${COLUMNS} FROM refund_requests WHERE refund_key = $1`, [key])
      return r && toRow(r)
    },
    update: async (key, p) => {
      await q.run('UPDATE refund_requests SET state = $1, provider_refund_id = $2, error = $3, updated_at = $4 WHERE refund_key = $5', [
        p.state,
        p.providerRefundId,
        p.error,
        ts(p.updatedAt),
        key
      ])
    },
    ofOrder: async (orderId) => (await q.all<Columns>(`SELECT ${COLUMNS} FROM refund_requests WHERE order_id = $1 ORDER BY created_at, refund_key`, [orderId])).map(toRow)
  }
}
