import type Database from 'better-sqlite3'
import type { IdentityKind, SignInCodeRow, SignInRepo, SignInTargetRow } from '../../ports'

interface CodeColumns {
  id: string
  target_key: string
  code_hash: string
  created_at: number
  expires_at: number
  attempts: number
  used_at: number | null
}

const code = (r: CodeColumns | undefined): SignInCodeRow | undefined =>
  r && {
    id: r.id,
    targetKey: r.target_key,
    codeHash: r.code_hash,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    attempts: r.attempts,
    usedAt: r.used_at
  }

export function sqliteSignIn(s: Database.Database): SignInRepo {
  const accountOf = s.prepare<[string, string], { account_id: string }>(
    'SELECT account_id FROM account_identities WHERE kind = ? AND subject = ?'
  )
  const insertIdentity = s.prepare('INSERT INTO account_identities (kind, subject, account_id, created_at) VALUES (?, ?, ?, ?)')
  const identities = s.prepare<[string], { kind: IdentityKind; subject: string }>(
    'SELECT kind, subject FROM account_identities WHERE account_id = ? ORDER BY created_at, kind, subject'
  )
  const insertCode = s.prepare(
    'INSERT INTO sign_in_codes (id, target_key, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'
  )
  const liveCode = s.prepare<[string, number], CodeColumns>(
    'SELECT * FROM sign_in_codes WHERE target_key = ? AND used_at IS NULL AND expires_at > ? ORDER BY created_at DESC, id DESC LIMIT 1'
  )
  const countAttempt = s.prepare('UPDATE sign_in_codes SET attempts = attempts + 1 WHERE id = ?')
  const useCode = s.prepare('UPDATE sign_in_codes SET used_at = ? WHERE id = ? AND used_at IS NULL')
  // A retired code keeps its row (the audit of what was sent) but can never be used.
  const retire = s.prepare('UPDATE sign_in_codes SET expires_at = ? WHERE target_key = ? AND used_at IS NULL AND expires_at > ?')
  const target = s.prepare<[string], { target_key: string; window_start: number; sends: number; failures: number; locked_until: number }>(
    'SELECT * FROM sign_in_targets WHERE target_key = ?'
  )
  const putTarget = s.prepare(
    `INSERT INTO sign_in_targets (target_key, window_start, sends, failures, locked_until) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (target_key) DO UPDATE SET window_start = excluded.window_start, sends = excluded.sends,
       failures = excluded.failures, locked_until = excluded.locked_until`
  )
  const remember = s.prepare('INSERT OR IGNORE INTO host_token_ids (issuer, jti, expires_at, used_at) VALUES (?, ?, ?, ?)')
  const sweepTokens = s.prepare('DELETE FROM host_token_ids WHERE expires_at < ?')
  const sweepCodes = s.prepare('DELETE FROM sign_in_codes WHERE expires_at < ?')
  const sweepTargets = s.prepare('DELETE FROM sign_in_targets WHERE locked_until < ? AND window_start < ?')
  return {
    accountOf: (kind, subject) => accountOf.get(kind, subject)?.account_id,
    insertIdentity: (kind, subject, accountId, now) => void insertIdentity.run(kind, subject, accountId, now),
    identities: (accountId) => identities.all(accountId),
    insertCode: (r) => void insertCode.run(r.id, r.targetKey, r.codeHash, r.createdAt, r.expiresAt),
    liveCode: (targetKey, now) => code(liveCode.get(targetKey, now)),
    countAttempt: (codeId) => void countAttempt.run(codeId),
    useCode: (codeId, now) => useCode.run(now, codeId).changes === 1,
    retireCodes: (targetKey, now) => void retire.run(now, targetKey, now),
    target(targetKey): SignInTargetRow | undefined {
      const r = target.get(targetKey)
      return r && { targetKey: r.target_key, windowStart: r.window_start, sends: r.sends, failures: r.failures, lockedUntil: r.locked_until }
    },
    putTarget: (r) => void putTarget.run(r.targetKey, r.windowStart, r.sends, r.failures, r.lockedUntil),
    rememberHostToken: (issuer, jti, expiresAt, now) => remember.run(issuer, jti, expiresAt, now).changes === 1,
    sweep(now) {
      sweepTokens.run(now)
      // Codes and counters a day past their end: nothing they hold can matter any more.
      sweepCodes.run(now - 86_400_000)
      sweepTargets.run(now, now - 86_400_000)
    }
  }
}
