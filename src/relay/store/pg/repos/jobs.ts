import type { JobRow, JobsRepo } from '../../ports'
import { ms, msOrNull, ts, type Sql } from '../sql'

type JobColumns = Omit<JobRow, 'runAt' | 'leaseUntil' | 'createdAt' | 'updatedAt'> & {
  runAt: Date
  leaseUntil: Date | null
  createdAt: Date
  updatedAt: Date
}

const COLS = `id, kind, key, payload, run_at AS "runAt", attempts, state, lease_owner AS "leaseOwner", lease_until AS "leaseUntil",
  last_error AS "lastError", created_at AS "createdAt", updated_at AS "updatedAt"`

const job = (r: JobColumns): JobRow => ({
  ...r,
  runAt: ms(r.runAt),
  leaseUntil: msOrNull(r.leaseUntil),
  createdAt: ms(r.createdAt),
  updatedAt: ms(r.updatedAt)
})

const ENQUEUE = `INSERT INTO jobs (id, kind, key, payload, run_at, attempts, state, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, 0, 'pending', $6, $6) ON CONFLICT (kind, key) DO NOTHING`

export function pgJobs(q: Sql): JobsRepo {
  return {
    purgeDone: (before) => q.run("DELETE FROM jobs WHERE state = 'done' AND updated_at < $1", [ts(before)]),
    enqueue: async (j) => (await q.run(ENQUEUE, [j.id, j.kind, j.key, j.payload, ts(j.runAt), ts(j.createdAt)])) === 1,
    add: (j) => q.later(ENQUEUE, [j.id, j.kind, j.key, j.payload, ts(j.runAt), ts(j.createdAt)]),
    // As on SQLite, each branch walks jobs_due (state, run_at) in order and stops at its limit,
    // so a backlog of due jobs is never sorted whole (an OR of the two makes PostgreSQL gather
    // every due row in a bitmap and sort it: bench/relay/jobs.ts prints the plan). SKIP LOCKED
    // in each branch: a job another instance is claiming right now is left to it, not waited
    // for; the row locks hold to the commit, so two instances never lease the same job. A row a
    // branch locked but the outer LIMIT left (at most `limit`, only while leases have lapsed)
    // stays pending, skipped by other claims until this one commits.
    claim: async (now, owner, leaseUntil, limit) =>
      (
        await q.all<JobColumns>(
          `UPDATE jobs SET state = 'running', lease_owner = $1, lease_until = $2, attempts = attempts + 1, updated_at = $3
           WHERE id IN (SELECT id FROM (
                          SELECT * FROM (SELECT id, run_at FROM jobs WHERE state = 'pending' AND run_at <= $3 ORDER BY run_at LIMIT $4 FOR UPDATE SKIP LOCKED) AS pending
                          UNION ALL
                          SELECT * FROM (SELECT id, run_at FROM jobs WHERE state = 'running' AND lease_until <= $3 ORDER BY run_at LIMIT $4 FOR UPDATE SKIP LOCKED) AS lapsed
                        ) AS due
                        ORDER BY run_at, id LIMIT $4)
           RETURNING ${COLS}`,
          [owner, ts(leaseUntil), ts(now), limit]
        )
      )
        .map(job)
        .sort((a, b) => a.runAt - b.runAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    // Only while the lease has not run out: a lapsed one may be another runner's by now.
    renew: async (id, owner, leaseUntil, now) =>
      (await q.run("UPDATE jobs SET lease_until = $1, updated_at = $2 WHERE id = $3 AND state = 'running' AND lease_owner = $4 AND lease_until > $2", [
        ts(leaseUntil),
        ts(now),
        id,
        owner
      ])) === 1,
    finish: async (id, owner, now) =>
      (await q.run(
        "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, updated_at = $1 WHERE id = $2 AND state = 'running' AND lease_owner = $3",
        [ts(now), id, owner]
      )) === 1,
    fail: async (id, owner, error, retryAt, now) =>
      (await q.run(
        `UPDATE jobs SET state = CASE WHEN $1::timestamptz IS NULL THEN 'dead' ELSE 'pending' END, run_at = coalesce($1::timestamptz, run_at),
           last_error = $2, lease_owner = NULL, lease_until = NULL, updated_at = $3
         WHERE id = $4 AND state = 'running' AND lease_owner = $5`,
        [retryAt === null ? null : ts(retryAt), error.slice(0, 500), ts(now), id, owner]
      )) === 1,
    byKey: async (kind, key) => {
      const r = await q.get<JobColumns>(`SELECT ${COLS} FROM jobs WHERE kind = $1 AND key = $2`, [kind, key])
      return r && job(r)
    },
    dead: async (limit) => (await q.all<JobColumns>(`SELECT ${COLS} FROM jobs WHERE state = 'dead' ORDER BY updated_at DESC LIMIT $1`, [limit])).map(job)
  }
}
