import type Database from 'better-sqlite3'
import type { OperatorPatch, OperatorRow, OperatorSessionRow, OperatorsRepo } from '../../ports'

interface OperatorColumns {
  id: string
  email: string
  role: OperatorRow['role']
  password_hash: string
  totp_secret: string | null
  totp_pending: string | null
  totp_last_step: number | null
  failed_logins: number
  locked_until: number | null
  disabled_at: number | null
  created_at: number
}

interface SessionColumns {
  token_hash: string
  operator_id: string
  csrf_hash: string
  created_at: number
  last_seen_at: number
  expires_at: number
  address: string | null
  user_agent: string | null
}

const OPERATOR = 'id, email, role, password_hash, totp_secret, totp_pending, totp_last_step, failed_logins, locked_until, disabled_at, created_at'
/** The patchable fields and their columns: the only names an UPDATE is built from. */
export const OPERATOR_PATCH_COLUMNS: Record<keyof OperatorPatch, string> = {
  role: 'role',
  passwordHash: 'password_hash',
  totpSecret: 'totp_secret',
  totpPending: 'totp_pending',
  totpLastStep: 'totp_last_step',
  failedLogins: 'failed_logins',
  lockedUntil: 'locked_until',
  disabledAt: 'disabled_at'
}

const toOperator = (r: OperatorColumns): OperatorRow => ({
  id: r.id,
  email: r.email,
  role: r.role,
  passwordHash: r.password_hash,
  totpSecret: r.totp_secret,
  totpPending: r.totp_pending,
  totpLastStep: r.totp_last_step,
  failedLogins: r.failed_logins,
  lockedUntil: r.locked_until,
  disabledAt: r.disabled_at,
  createdAt: r.created_at
})

const toSession = (r: SessionColumns): OperatorSessionRow => ({
  tokenHash: r.token_hash,
  operatorId: r.operator_id,
  csrfHash: r.csrf_hash,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
  address: r.address,
  userAgent: r.user_agent
})

export function sqliteOperators(s: Database.Database): OperatorsRepo {
  const insert = s.prepare(`INSERT INTO operators (${OPERATOR}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING`)
  const byEmail = s.prepare<[string], OperatorColumns>(`SELECT ${OPERATOR} FROM operators WHERE email = ?`)
  const byId = s.prepare<[string], OperatorColumns>(`SELECT ${OPERATOR} FROM operators WHERE id = ?`)
  const list = s.prepare<[], OperatorColumns>(`SELECT ${OPERATOR} FROM operators ORDER BY created_at, id`)
  const insertSession = s.prepare(
    'INSERT INTO operator_sessions (token_hash, operator_id, csrf_hash, created_at, last_seen_at, expires_at, address, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
  )
  const session = s.prepare<[string], SessionColumns>(
    'SELECT token_hash, operator_id, csrf_hash, created_at, last_seen_at, expires_at, address, user_agent FROM operator_sessions WHERE token_hash = ?'
  )
  const touch = s.prepare('UPDATE operator_sessions SET last_seen_at = ? WHERE token_hash = ?')
  const del = s.prepare('DELETE FROM operator_sessions WHERE token_hash = ?')
  const delOf = s.prepare('DELETE FROM operator_sessions WHERE operator_id = ?')
  const delExpired = s.prepare('DELETE FROM operator_sessions WHERE expires_at <= ? OR last_seen_at < ?')
  return {
    insert: (o) =>
      insert.run(o.id, o.email, o.role, o.passwordHash, o.totpSecret, o.totpPending, o.totpLastStep, o.failedLogins, o.lockedUntil, o.disabledAt, o.createdAt)
        .changes === 1,
    byEmail: (email) => {
      const r = byEmail.get(email)
      return r && toOperator(r)
    },
    byId: (id) => {
      const r = byId.get(id)
      return r && toOperator(r)
    },
    list: () => list.all().map(toOperator),
    update(id, patch) {
      const keys = Object.keys(patch) as (keyof OperatorPatch)[]
      if (keys.length === 0) return
      const sets = keys.map((k) => `${OPERATOR_PATCH_COLUMNS[k]} = ?`).join(', ')
      s.prepare(`UPDATE operators SET ${sets} WHERE id = ?`).run(...keys.map((k) => patch[k] ?? null), id)
    },
    insertSession: (r) => {
      insertSession.run(r.tokenHash, r.operatorId, r.csrfHash, r.createdAt, r.lastSeenAt, r.expiresAt, r.address, r.userAgent)
    },
    session: (tokenHash) => {
      const r = session.get(tokenHash)
      return r && toSession(r)
    },
    touchSession: (tokenHash, at) => {
      touch.run(at, tokenHash)
    },
    deleteSession: (tokenHash) => del.run(tokenHash).changes === 1,
    deleteSessionsOf: (operatorId) => delOf.run(operatorId).changes,
    deleteExpiredSessions: (now, idleBefore) => delExpired.run(now, idleBefore).changes
  }
}
