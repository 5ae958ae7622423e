import type { ReconciliationDifferenceRow, ReconciliationRepo, ReconciliationRunRow } from '../../ports'
import { ms, msOrNull, ts, tsOrNull, type Sql } from '../sql'

const PAID = "('paid', 'partially_refunded', 'refunded')"
const RUN = 'id, provider, period_from, period_to, lines, differences, imported_at, imported_by'
const DIFF = 'id, run_id, provider, kind, order_no, refund_id, bill_amount, relay_amount, line, resolved_at, resolved_by, resolution'

interface RunColumns {
  id: string
  provider: string
  period_from: Date
  period_to: Date
  lines: number
  differences: number
  imported_at: Date
  imported_by: string
}

interface DiffColumns {
  id: string
  run_id: string
  provider: string
  kind: string
  order_no: string
  refund_id: string | null
  bill_amount: string | number | null
  relay_amount: string | number | null
  line: number | null
  resolved_at: Date | null
  resolved_by: string | null
  resolution: string | null
}

const num = (v: string | number | null): number | null => (v === null ? null : Number(v))
const toRun = (r: RunColumns): ReconciliationRunRow => ({
  id: r.id,
  provider: r.provider,
  periodFrom: ms(r.period_from),
  periodTo: ms(r.period_to),
  lines: r.lines,
  differences: r.differences,
  importedAt: ms(r.imported_at),
  importedBy: r.imported_by
})
const toDiff = (r: DiffColumns): ReconciliationDifferenceRow => ({
  id: r.id,
  runId: r.run_id,
  provider: r.provider,
  kind: r.kind,
  orderNo: r.order_no,
  refundId: r.refund_id,
  billAmount: num(r.bill_amount),
  relayAmount: num(r.relay_amount),
  line: r.line,
  resolvedAt: msOrNull(r.resolved_at),
  resolvedBy: r.resolved_by,
  resolution: r.resolution
})

export function pgReconciliation(q: Sql): ReconciliationRepo {
  return {
    paidOrders: async (provider, orderNos, from, to) =>
      (
        await q.all<{ order_no: string; amount: string | number; in_period: boolean }>(
          `SELECT o.order_no, o.amount,
             EXISTS (SELECT 1 FROM order_transitions t WHERE t.order_id = o.id AND t.to_state = 'paid' AND t.at >= $3 AND t.at < $4) AS in_period
           FROM orders o WHERE o.provider = $1 AND o.state IN ${PAID}
             AND (o.order_no = ANY($2::text[])
               OR EXISTS (SELECT 1 FROM order_transitions t WHERE t.order_id = o.id AND t.to_state = 'paid' AND t.at >= $3 AND t.at < $4))`,
          [provider, orderNos, ts(from), ts(to)]
        )
      ).map((r) => ({ orderNo: r.order_no, amount: Number(r.amount), inPeriod: r.in_period })),
    refunds: async (provider, ids, from, to) =>
      (
        await q.all<{ refund_id: string; order_no: string; amount: string | number; in_period: boolean }>(
          `SELECT r.refund_id, o.order_no, r.amount, (r.at >= $3 AND r.at < $4) AS in_period
           FROM refunds r JOIN orders o ON o.id = r.order_id
           WHERE r.provider = $1 AND (r.refund_id = ANY($2::text[]) OR (r.at >= $3 AND r.at < $4))`,
          [provider, ids, ts(from), ts(to)]
        )
      ).map((r) => ({ refundId: r.refund_id, orderNo: r.order_no, amount: Number(r.amount), inPeriod: r.in_period })),
    insertRun: async (r) => {
      await q.run(`INSERT INTO reconciliation_runs (${RUN}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
        r.id,
        r.provider,
        ts(r.periodFrom),
        ts(r.periodTo),
        r.lines,
        r.differences,
        ts(r.importedAt),
        r.importedBy
      ])
    },
    insertDifference: async (d) => {
      await q.run(`INSERT INTO reconciliation_differences (${DIFF}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, [
        d.id,
        d.runId,
        d.provider,
        d.kind,
        d.orderNo,
        d.refundId,
        d.billAmount,
        d.relayAmount,
        d.line,
        tsOrNull(d.resolvedAt),
        d.resolvedBy,
        d.resolution
      ])
    },
    runs: async (limit) => (await q.all<RunColumns>(`SELECT ${RUN} FROM reconciliation_runs ORDER BY imported_at DESC, id DESC LIMIT $1`, [limit])).map(toRun),
    differences: async (runId) => (await q.all<DiffColumns>(`SELECT ${DIFF} FROM reconciliation_differences WHERE run_id = $1 ORDER BY id`, [runId])).map(toDiff),
    difference: async (id) => {
      const r = await q.get<DiffColumns>(`SELECT ${DIFF} FROM reconciliation_differences WHERE id = $1`, [id])
      return r && toDiff(r)
    },
    resolve: async (id, by, resolution, at) =>
      (await q.run('UPDATE reconciliation_differences SET resolved_at = $1, resolved_by = $2, resolution = $3 WHERE id = $4 AND resolved_at IS NULL', [
        ts(at),
        by,
        resolution,
        id
      ])) === 1
  }
}
