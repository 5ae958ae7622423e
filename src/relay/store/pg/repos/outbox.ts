import type { OutboxRepo } from '../../ports'
import { ts, type Sql } from '../sql'

/** Usage rows per INSERT statement. */
const USAGE_ROWS = 50

export function pgOutbox(q: Sql): OutboxRepo {
  return {
    fingerprint: async (accountId, id) =>
      (await q.get<{ fingerprint: string }>('SELECT fingerprint FROM outbox_records WHERE account_id = $1 AND id = $2', [accountId, id]))?.fingerprint,
    insert: async (r) =>
      void (await q.later(
        'INSERT INTO outbox_records (account_id, id, device_id, kind, fingerprint, body, outcome, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [r.accountId, r.id, r.deviceId, r.kind, r.fingerprint, r.body, r.outcome, ts(r.receivedAt)]
      )),
    async insertUsage(accountId, deviceId, rows, receivedAt) {
      let inserted = 0
      for (let from = 0; from < rows.length; from += USAGE_ROWS) {
        const chunk = rows.slice(from, from + USAGE_ROWS)
        const params: unknown[] = [accountId, deviceId, ts(receivedAt)]
        const values = chunk.map((r) => {
          params.push(r.id, r.fp, r.body)
          const n = params.length
          return `($1, $${n - 2}, $2, 'usage', $${n - 1}, $${n}, 'recorded', $3)`
        })
        inserted += await q.run(
          `INSERT INTO outbox_records (account_id, id, device_id, kind, fingerprint, body, outcome, received_at) VALUES ${values.join(', ')} ON CONFLICT DO NOTHING`,
          params
        )
      }
      return inserted
    }
  }
}
