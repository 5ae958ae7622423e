import type Database from 'better-sqlite3'
import type { GrantRow, GrantsRepo } from '../../ports'

export function sqliteGrants(s: Database.Database): GrantsRepo {
  const active = s.prepare<[string, number], GrantRow>(
    "SELECT * FROM grants WHERE account_id = ? AND status = 'active' AND (ends_at IS NULL OR ends_at > ?) ORDER BY starts_at"
  )
  const insert = s.prepare(
    "INSERT INTO grants (id, account_id, order_id, plan_code, period, starts_at, ends_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'active')"
  )
  const byOrder = s.prepare<[string], GrantRow>('SELECT * FROM grants WHERE order_id = ?')
  const revoke = s.prepare("UPDATE grants SET status = 'revoked', ends_at = ? WHERE id = ?")
  const ofPlan = s.prepare<[string, string], { starts_at: number; ends_at: number }>(
    "SELECT starts_at, ends_at FROM grants WHERE account_id = ? AND plan_code = ? AND status = 'active' AND ends_at IS NOT NULL"
  )
  return {
    active: (accountId, now) => active.all(accountId, now),
    insert: (g) => void insert.run(g.id, g.account_id, g.order_id, g.plan_code, g.period, g.starts_at, g.ends_at),
    byOrder: (orderId) => byOrder.get(orderId),
    revoke: (id, endsAt) => void revoke.run(endsAt, id),
    ofPlan: (accountId, planCode) => ofPlan.all(accountId, planCode)
  }
}
