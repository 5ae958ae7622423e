import type { GrantRow, GrantsRepo } from '../../ports'
import { ms, msOrNull, ts, tsOrNull, type Sql } from '../sql'

type GrantColumns = Omit<GrantRow, 'starts_at' | 'ends_at'> & { starts_at: Date; ends_at: Date | null }

const row = (r: GrantColumns): GrantRow => ({ ...r, starts_at: ms(r.starts_at), ends_at: msOrNull(r.ends_at) })

export function pgGrants(q: Sql): GrantsRepo {
  const all = async (text: string, values: unknown[]) => (await q.all<GrantColumns>(text, values)).map(row)
  return {
    runningAt: (at) =>
      all("SELECT * FROM grants WHERE status <> 'revoked' AND starts_at <= $1 AND (ends_at IS NULL OR ends_at > $1) ORDER BY account_id, starts_at", [ts(at)]),
    active: (accountId, now) =>
      all("SELECT * FROM grants WHERE account_id = $1 AND status = 'active' AND (ends_at IS NULL OR ends_at > $2) ORDER BY starts_at", [accountId, ts(now)]),
    insert: async (g) =>
      void (await q.later(
        `INSERT INTO grants (id, account_id, source, order_id, purchase_id, device_id, plan_code, period, price_minor, currency,
           starts_at, ends_at, carried_ms, carried_from, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'active')`,
        [
          g.id,
          g.account_id,
          g.source,
          g.order_id,
          g.purchase_id,
          g.device_id,
          g.plan_code,
          g.period,
          g.price_minor,
          g.currency,
          ts(g.starts_at),
          tsOrNull(g.ends_at),
          g.carried_ms,
          g.carried_from
        ]
      )),
    byOrder: async (orderId) => {
      const r = await q.get<GrantColumns>('SELECT * FROM grants WHERE order_id = $1', [orderId])
      return r && row(r)
    },
    update: async (id, p) =>
      void (await q.later('UPDATE grants SET status = $1, starts_at = $2, ends_at = $3, carried_ms = coalesce($4, carried_ms) WHERE id = $5', [
        p.status,
        ts(p.startsAt),
        tsOrNull(p.endsAt),
        p.carriedMs ?? null,
        id
      ])),
    ofPlan: (accountId, planCode) =>
      all("SELECT * FROM grants WHERE account_id = $1 AND plan_code = $2 AND status = 'active' AND ends_at IS NOT NULL ORDER BY starts_at", [accountId, planCode]),
    carriedFrom: (accountId, grantId) =>
      all("SELECT * FROM grants WHERE account_id = $1 AND (',' || carried_from || ',') LIKE ('%,' || $2 || ',%')", [accountId, grantId])
  }
}
