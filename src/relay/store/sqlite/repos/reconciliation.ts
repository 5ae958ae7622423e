import type Database from 'better-sqlite3'
import type { ReconciliationDifferenceRow, ReconciliationRepo, ReconciliationRunRow } from '../../ports'

const PAID = "('paid', 'partially_refunded', 'refunded')"
const RUN = 'id, provider, period_from AS periodFrom, period_to AS periodTo, lines, differences, imported_at AS importedAt, imported_by AS importedBy'
const DIFF = `id, run_id AS runId, provider, kind, order_no AS orderNo, refund_id AS refundId, bill_amount AS billAmount, relay_amount AS relayAmount,
  line, resolved_at AS resolvedAt, resolved_by AS resolvedBy, resolution`

export function sqliteReconciliation(s: Database.Database): ReconciliationRepo {
  // Orders named by the bill, or moved to paid within the period (order_transitions).
  const paid = s.prepare<[number, number, string, string, number, number], { orderNo: string; amount: number; inPeriod: number }>(
    `SELECT o.order_no AS orderNo, o.amount,
       EXISTS (SELECT 1 FROM order_transitions t WHERE t.order_id = o.id AND t.to_state = 'paid' AND t.at >= ? AND t.at < ?) AS inPeriod
     FROM orders o WHERE o.provider = ? AND o.state IN ${PAID}
       AND (o.order_no IN (SELECT value FROM json_each(?))
         OR EXISTS (SELECT 1 FROM order_transitions t WHERE t.order_id = o.id AND t.to_state = 'paid' AND t.at >= ? AND t.at < ?))`
  )
  const refunds = s.prepare<[number, number, string, string, number, number], { refundId: string; orderNo: string; amount: number; inPeriod: number }>(
    `SELECT r.refund_id AS refundId, o.order_no AS orderNo, r.amount, (r.at >= ? AND r.at < ?) AS inPeriod
     FROM refunds r JOIN orders o ON o.id = r.order_id
     WHERE r.provider = ? AND (r.refund_id IN (SELECT value FROM json_each(?)) OR (r.at >= ? AND r.at < ?))`
  )
  const insertRun = s.prepare(
    'INSERT INTO reconciliation_runs (id, provider, period_from, period_to, lines, differences, imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
  )
  const insertDiff = s.prepare(
    `INSERT INTO reconciliation_differences (id, run_id, provider, kind, order_no, refund_id, bill_amount, relay_amount, line, resolved_at, resolved_by, resolution)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  const runs = s.prepare<[number], ReconciliationRunRow>(`SELECT ${RUN} FROM reconciliation_runs ORDER BY imported_at DESC, id DESC LIMIT ?`)
  const diffs = s.prepare<[string], ReconciliationDifferenceRow>(`SELECT ${DIFF} FROM reconciliation_differences WHERE run_id = ? ORDER BY id`)
  const diff = s.prepare<[string], ReconciliationDifferenceRow>(`SELECT ${DIFF} FROM reconciliation_differences WHERE id = ?`)
  const resolve = s.prepare('UPDATE reconciliation_differences SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE id = ? AND resolved_at IS NULL')
  return {
    paidOrders: (provider, orderNos, from, to) =>
      paid.all(from, to, provider, JSON.stringify(orderNos), from, to).map((r) => ({ ...r, inPeriod: r.inPeriod === 1 })),
    refunds: (provider, ids, from, to) => refunds.all(from, to, provider, JSON.stringify(ids), from, to).map((r) => ({ ...r, inPeriod: r.inPeriod === 1 })),
    insertRun: (r) => void insertRun.run(r.id, r.provider, r.periodFrom, r.periodTo, r.lines, r.differences, r.importedAt, r.importedBy),
    insertDifference: (d) =>
      void insertDiff.run(d.id, d.runId, d.provider, d.kind, d.orderNo, d.refundId, d.billAmount, d.relayAmount, d.line, d.resolvedAt, d.resolvedBy, d.resolution),
    runs: (limit) => runs.all(limit),
    differences: (runId) => diffs.all(runId),
    difference: (id) => diff.get(id),
    resolve: (id, by, resolution, at) => resolve.run(at, by, resolution, id).changes === 1
  }
}
