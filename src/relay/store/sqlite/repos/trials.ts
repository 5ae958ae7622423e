import type Database from 'better-sqlite3'
import type { TrialRow, TrialsRepo } from '../../ports'

interface TrialColumns {
  account_id: string
  plan_code: TrialRow['planCode']
  record_id: string
  device_id: string
  started_at: number
  decided_at: number
}

export function sqliteTrials(s: Database.Database): TrialsRepo {
  const get = s.prepare<[string, string], TrialColumns>(
    'SELECT account_id, plan_code, record_id, device_id, started_at, decided_at FROM trials WHERE account_id = ? AND plan_code = ?'
  )
  const claim = s.prepare(
    'INSERT INTO trials (account_id, plan_code, record_id, device_id, started_at, decided_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'
  )
  const conversion = s.prepare<[number, number], { planCode: string; trials: number; converted: number }>(
    `SELECT t.plan_code AS planCode, count(*) AS trials,
       sum(EXISTS (SELECT 1 FROM grants g WHERE g.account_id = t.account_id AND g.plan_code = t.plan_code
         AND g.source IN ('order', 'wallet') AND g.status <> 'revoked' AND g.starts_at >= t.decided_at)) AS converted
     FROM trials t WHERE t.decided_at >= ? AND t.decided_at < ? GROUP BY t.plan_code ORDER BY t.plan_code`
  )
  return {
    conversion: (from, to) => conversion.all(from, to),
    get(accountId, planCode) {
      const r = get.get(accountId, planCode)
      return (
        r && {
          accountId: r.account_id,
          planCode: r.plan_code,
          recordId: r.record_id,
          deviceId: r.device_id,
          startedAt: r.started_at,
          decidedAt: r.decided_at
        }
      )
    },
    claim: (t) => claim.run(t.accountId, t.planCode, t.recordId, t.deviceId, t.startedAt, t.decidedAt).changes === 1
  }
}
