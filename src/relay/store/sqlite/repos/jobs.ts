import type Database from 'better-sqlite3'
import type { JobRow, JobsRepo } from '../../ports'

const COLS = `id, kind, key, payload, run_at AS runAt, attempts, state, lease_owner AS leaseOwner, lease_until AS leaseUntil,
  last_error AS lastError, created_at AS createdAt, updated_at AS updatedAt`

export function sqliteJobs(s: Database.Database): JobsRepo {
  const enqueue = s.prepare(
    `INSERT INTO jobs (id, kind, key, payload, run_at, attempts, state, created_at, updated_at)
     VALUES (@id, @kind, @key, @payload, @runAt, 0, 'pending', @createdAt, @createdAt) ON CONFLICT (kind, key) DO NOTHING`
  )
  // One statement: two runners never lease the same job. Each branch walks jobs_due (state,
  // run_at) in order and stops at its limit, so a backlog of due jobs is never sorted whole
  // (bench/relay/jobs.ts); running jobs are few (the runners' batches).
  const claim = s.prepare<[string, number, number, number, number, number, number, number], JobRow>(
    `UPDATE jobs SET state = 'running', lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
     WHERE id IN (SELECT id FROM (
                    SELECT id, run_at FROM (SELECT id, run_at FROM jobs WHERE state = 'pending' AND run_at <= ? ORDER BY run_at LIMIT ?)
                    UNION ALL
                    SELECT id, run_at FROM (SELECT id, run_at FROM jobs WHERE state = 'running' AND lease_until <= ? ORDER BY run_at LIMIT ?))
                  ORDER BY run_at, id LIMIT ?)
     RETURNING ${COLS}`
  )
  const renew = s.prepare("UPDATE jobs SET lease_until = ?, updated_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ? AND lease_until > ?")
  const finish = s.prepare("UPDATE jobs SET state = 'done', lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ?")
  const fail = s.prepare(
    `UPDATE jobs SET state = CASE WHEN @retryAt IS NULL THEN 'dead' ELSE 'pending' END, run_at = coalesce(@retryAt, run_at),
       last_error = @error, lease_owner = NULL, lease_until = NULL, updated_at = @now
     WHERE id = @id AND state = 'running' AND lease_owner = @owner`
  )
  const byKey = s.prepare<[string, string], JobRow>(`SELECT ${COLS} FROM jobs WHERE kind = ? AND key = ?`)
  const dead = s.prepare<[number], JobRow>(`SELECT ${COLS} FROM jobs WHERE state = 'dead' ORDER BY updated_at DESC LIMIT ?`)
  const purge = s.prepare("DELETE FROM jobs WHERE state = 'done' AND updated_at < ?")
  return {
    purgeDone: (before) => purge.run(before).changes,
    enqueue: (j) => enqueue.run(j).changes === 1,
    add: (j) => void enqueue.run(j),
    claim: (now, owner, leaseUntil, limit) => claim.all(owner, leaseUntil, now, now, limit, now, limit, limit),
    renew: (id, owner, leaseUntil, now) => renew.run(leaseUntil, now, id, owner, now).changes === 1,
    finish: (id, owner, now) => finish.run(now, id, owner).changes === 1,
    fail: (id, owner, error, retryAt, now) => fail.run({ id, owner, error: error.slice(0, 500), retryAt, now }).changes === 1,
    byKey: (kind, key) => byKey.get(kind, key),
    dead: (limit) => dead.all(limit)
  }
}
