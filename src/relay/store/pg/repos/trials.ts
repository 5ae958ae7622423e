import type { TrialRow, TrialsRepo } from '../../ports'
import { ms, ts, type Sql } from '../sql'

interface TrialColumns {
  account_id: string
  plan_code: TrialRow['planCode']
  record_id: string
  device_id: string
  started_at: number
  decided_at: Date
}

export function pgTrials(q: Sql): TrialsRepo {
  return {
    conversion: async (from, to) =>
      (
        await q.all<{ plan_code: string; trials: string | number; converted: string | number }>(
          `SELECT t.plan_code, count(*) AS trials,
             count(*) FILTER (WHERE EXISTS (SELECT 1 FROM grants g WHERE g.account_id = t.account_id AND g.plan_code = t.plan_code
               AND g.source IN ('order', 'wallet') AND g.status <> 'revoked' AND g.starts_at >= t.decided_at)) AS converted
           FROM trials t WHERE t.decided_at >= $1 AND t.decided_at < $2 GROUP BY t.plan_code ORDER BY t.plan_code`,
          [ts(from), ts(to)]
        )
      ).map((r) => ({ planCode: r.plan_code, trials: Number(r.trials), converted: Number(r.converted) })),
    async get(accountId, planCode) {
      const r = await q.get<TrialColumns>(
        'SELECT account_id, plan_code, record_id, device_id, started_at, decided_at FROM trials WHERE account_id = $1 AND plan_code = $2',
        [accountId, planCode]
      )
      return r && { accountId: r.account_id, planCode: r.plan_code, recordId: r.record_id, deviceId: r.device_id, startedAt: r.started_at, decidedAt: ms(r.decided_at) }
    },
    claim: async (t) =>
      (await q.run(
        'INSERT INTO trials (account_id, plan_code, record_id, device_id, started_at, decided_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
        [t.accountId, t.planCode, t.recordId, t.deviceId, t.startedAt, ts(t.decidedAt)]
      )) === 1
  }
}
