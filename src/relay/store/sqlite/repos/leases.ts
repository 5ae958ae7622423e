import type Database from 'better-sqlite3'
import type { LeasesRepo } from '../../ports'

export function sqliteLeases(s: Database.Database): LeasesRepo {
  const current = s.prepare<[string], { feed_id: string; plan_code: string; debt: number; issued_at: number; valid_until: number }>(
    'SELECT feed_id, plan_code, debt, issued_at, valid_until FROM leases WHERE device_id = ?'
  )
  const upsert = s.prepare(
    `INSERT INTO leases (device_id, feed_id, plan_code, debt, issued_at, valid_until) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(device_id) DO UPDATE SET feed_id = excluded.feed_id, plan_code = excluded.plan_code,
       debt = excluded.debt, issued_at = excluded.issued_at, valid_until = excluded.valid_until`
  )
  return {
    current(deviceId) {
      const r = current.get(deviceId)
      return r && { feedId: r.feed_id, planCode: r.plan_code, debt: r.debt, issuedAt: r.issued_at, validUntil: r.valid_until }
    },
    put: (deviceId, l) => void upsert.run(deviceId, l.feedId, l.planCode, l.debt, l.issuedAt, l.validUntil)
  }
}
