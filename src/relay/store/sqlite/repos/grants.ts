import type Database from 'better-sqlite3'
import type { GrantRow, GrantsRepo } from '../../ports'

export function sqliteGrants(s: Database.Database): GrantsRepo {
  const active = s.prepare<[string, number], GrantRow>(
    "SELECT * FROM grants WHERE account_id = ? AND status = 'active' AND (ends_at IS NULL OR ends_at > ?) ORDER BY starts_at"
  )
  const insert = s.prepare(
    `INSERT INTO grants (id, account_id, source, order_id, purchase_id, device_id, plan_code, period, price_minor, currency,
       starts_at, ends_at, carried_ms, carried_from, status)
     VALUES (@id, @account_id, @source, @order_id, @purchase_id, @device_id, @plan_code, @period, @price_minor, @currency,
       @starts_at, @ends_at, @carried_ms, @carried_from, 'active')`
  )
  const byOrder = s.prepare<[string], GrantRow>('SELECT * FROM grants WHERE order_id = ?')
  const update = s.prepare('UPDATE grants SET status = ?, starts_at = ?, ends_at = ?, carried_ms = coalesce(?, carried_ms) WHERE id = ?')
  const ofPlan = s.prepare<[string, string], GrantRow>(
    "SELECT * FROM grants WHERE account_id = ? AND plan_code = ? AND status = 'active' AND ends_at IS NOT NULL ORDER BY starts_at"
  )
  const carriedFrom = s.prepare<[string, string], GrantRow>(
    "SELECT * FROM grants WHERE account_id = ? AND (',' || carried_from || ',') LIKE ('%,' || ? || ',%')"
  )
  const runningAt = s.prepare<[number, number], GrantRow>(
    "SELECT * FROM grants WHERE status <> 'revoked' AND starts_at <= ? AND (ends_at IS NULL OR ends_at > ?) ORDER BY account_id, starts_at"
  )
  return {
    runningAt: (at) => runningAt.all(at, at),
    active: (accountId, now) => active.all(accountId, now),
    insert: (g) => void insert.run(g),
    byOrder: (orderId) => byOrder.get(orderId),
    update: (id, p) => void update.run(p.status, p.startsAt, p.endsAt, p.carriedMs ?? null, id),
    ofPlan: (accountId, planCode) => ofPlan.all(accountId, planCode),
    carriedFrom: (accountId, grantId) => carriedFrom.all(accountId, grantId)
  }
}
