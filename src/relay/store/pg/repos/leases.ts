import type { LeasesRepo } from '../../ports'
import { ms, ts, type Sql } from '../sql'

export function pgLeases(q: Sql): LeasesRepo {
  return {
    async current(deviceId) {
      const r = await q.get<{ feed_id: string; plan_code: string; debt: number; issued_at: Date; valid_until: Date }>(
        'SELECT feed_id, plan_code, debt, issued_at, valid_until FROM leases WHERE device_id = $1',
        [deviceId]
      )
      return r && { feedId: r.feed_id, planCode: r.plan_code, debt: r.debt, issuedAt: ms(r.issued_at), validUntil: ms(r.valid_until) }
    },
    put: async (deviceId, l) =>
      void (await q.later(
        `INSERT INTO leases (device_id, feed_id, plan_code, debt, issued_at, valid_until) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (device_id) DO UPDATE SET feed_id = excluded.feed_id, plan_code = excluded.plan_code,
           debt = excluded.debt, issued_at = excluded.issued_at, valid_until = excluded.valid_until`,
        [deviceId, l.feedId, l.planCode, l.debt, ts(l.issuedAt), ts(l.validUntil)]
      ))
  }
}
