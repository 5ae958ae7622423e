import type { IdentityKind, SignInCodeRow, SignInRepo, SignInTargetRow } from '../../ports'
import { ms, msOrNull, ts, type Sql } from '../sql'

interface CodeColumns {
  id: string
  target_key: string
  code_hash: string
  created_at: Date
  expires_at: Date
  attempts: number
  used_at: Date | null
}

const code = (r: CodeColumns | undefined): SignInCodeRow | undefined =>
  r && {
    id: r.id,
    targetKey: r.target_key,
    codeHash: r.code_hash,
    createdAt: ms(r.created_at),
    expiresAt: ms(r.expires_at),
    attempts: r.attempts,
    usedAt: msOrNull(r.used_at)
  }

const DAY = 86_400_000

type Identity = { kind: IdentityKind; subject: string }
const IDENTITIES = 'SELECT kind, subject FROM account_identities'
/** Memo key (sql.ts) of an account's identities, in their order (created_at, kind, subject). */
export const identitiesKey = (accountId: string) => `identities:${accountId}`

export function pgSignIn(q: Sql): SignInRepo {
  return {
    accountOf: async (kind, subject) =>
      (await q.get<{ account_id: string }>('SELECT account_id FROM account_identities WHERE kind = $1 AND subject = $2', [kind, subject]))?.account_id,
    insertIdentity: async (kind, subject, accountId, now) =>
      void (q.memo.delete(identitiesKey(accountId)),
      await q.later('INSERT INTO account_identities (kind, subject, account_id, created_at) VALUES ($1, $2, $3, $4)', [kind, subject, accountId, ts(now)])),
    // Kept for the unit (sql.ts memo; read ahead for a notification batch, ahead.ts): each notice's email asks.
    async identities(accountId) {
      const key = identitiesKey(accountId)
      if (!q.memo.has(key)) q.memo.set(key, await q.all<Identity>(`${IDENTITIES} WHERE account_id = $1 ORDER BY created_at, kind, subject`, [accountId]))
      return (q.memo.get(key) as Identity[]).map((i) => ({ ...i }))
    },
    insertCode: async (r) =>
      void (await q.later('INSERT INTO sign_in_codes (id, target_key, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
        r.id,
        r.targetKey,
        r.codeHash,
        ts(r.createdAt),
        ts(r.expiresAt)
      ])),
    liveCode: async (targetKey, now) =>
      code(
        await q.get<CodeColumns>(
          'SELECT * FROM sign_in_codes WHERE target_key = $1 AND used_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, id DESC LIMIT 1',
          [targetKey, ts(now)]
        )
      ),
    countAttempt: async (id) => void (await q.later('UPDATE sign_in_codes SET attempts = attempts + 1 WHERE id = $1', [id])),
    useCode: async (id, now) => (await q.run('UPDATE sign_in_codes SET used_at = $1 WHERE id = $2 AND used_at IS NULL', [ts(now), id])) === 1,
    // A retired code keeps its row (the audit of what was sent) but can never be used.
    retireCodes: async (targetKey, now) =>
      void (await q.later('UPDATE sign_in_codes SET expires_at = $1 WHERE target_key = $2 AND used_at IS NULL AND expires_at > $1', [ts(now), targetKey])),
    async target(targetKey): Promise<SignInTargetRow | undefined> {
      const r = await q.get<{ target_key: string; window_start: Date; sends: number; failures: number; locked_until: Date }>(
        'SELECT * FROM sign_in_targets WHERE target_key = $1',
        [targetKey]
      )
      return r && { targetKey: r.target_key, windowStart: ms(r.window_start), sends: r.sends, failures: r.failures, lockedUntil: ms(r.locked_until) }
    },
    putTarget: async (r) =>
      void (await q.later(
        `INSERT INTO sign_in_targets (target_key, window_start, sends, failures, locked_until) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (target_key) DO UPDATE SET window_start = excluded.window_start, sends = excluded.sends,
           failures = excluded.failures, locked_until = excluded.locked_until`,
        [r.targetKey, ts(r.windowStart), r.sends, r.failures, ts(r.lockedUntil)]
      )),
    rememberHostToken: async (issuer, jti, expiresAt, now) =>
      (await q.run('INSERT INTO host_token_ids (issuer, jti, expires_at, used_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
        issuer,
        jti,
        ts(expiresAt),
        ts(now)
      ])) === 1,
    async sweep(now) {
      await q.run('DELETE FROM host_token_ids WHERE expires_at < $1', [ts(now)])
      // Codes and counters a day past their end: nothing they hold can matter any more.
      await q.run('DELETE FROM sign_in_codes WHERE expires_at < $1', [ts(now - DAY)])
      await q.run('DELETE FROM sign_in_targets WHERE locked_until < $1 AND window_start < $2', [ts(now), ts(now - DAY)])
    }
  }
}
