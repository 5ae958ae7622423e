import type { OperatorPatch, OperatorRow, OperatorSessionRow, OperatorsRepo } from '../../ports'
import { ms, msOrNull, ts, tsOrNull, type Sql } from '../sql'

interface OperatorColumns {
  id: string
  email: string
  role: OperatorRow['role']
  password_hash: string
  totp_secret: string | null
  totp_pending: string | null
  totp_last_step: number | null
  failed_logins: number
  locked_until: Date | null
  disabled_at: Date | null
  created_at: Date
}

interface SessionColumns {
  token_hash: string
  operator_id: string
  csrf_hash: string
  created_at: Date
  last_seen_at: Date
  expires_at: Date
  address: string | null
  user_agent: string | null
}

const OPERATOR = 'id, email, role, password_hash, totp_secret, totp_pending, totp_last_step, failed_logins, locked_until, disabled_at, created_at'
const SESSION = 'token_hash, operator_id, csrf_hash, created_at, last_seen_at, expires_at, address, user_agent'
/** The patchable fields, their columns, and whether the column is an instant. */
const PATCH: Record<keyof OperatorPatch, [string, boolean]> = {
  role: ['role', false],
  passwordHash: ['password_hash', false],
  totpSecret: ['totp_secret', false],
  totpPending: ['totp_pending', false],
  totpLastStep: ['totp_last_step', false],
  failedLogins: ['failed_logins', false],
  lockedUntil: ['locked_until', true],
  disabledAt: ['disabled_at', true]
}

const toOperator = (r: OperatorColumns): OperatorRow => ({
  id: r.id,
  email: r.email,
  role: r.role,
  passwordHash: r.password_hash,
  totpSecret: r.totp_secret,
  totpPending: r.totp_pending,
  totpLastStep: r.totp_last_step === null ? null : Number(r.totp_last_step),
  failedLogins: r.failed_logins,
  lockedUntil: msOrNull(r.locked_until),
  disabledAt: msOrNull(r.disabled_at),
  createdAt: ms(r.created_at)
})

const toSession = (r: SessionColumns): OperatorSessionRow => ({
  tokenHash: r.token_hash,
  operatorId: r.operator_id,
  csrfHash: r.csrf_hash,
  createdAt: ms(r.created_at),
  lastSeenAt: ms(r.last_seen_at),
  expiresAt: ms(r.expires_at),
  address: r.address,
  userAgent: r.user_agent
})

export function pgOperators(q: Sql): OperatorsRepo {
  return {
    insert: async (o) =>
      (await q.run(`INSERT INTO operators (${OPERATOR}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (email) DO NOTHING`, [
        o.id,
        o.email,
        o.role,
        o.passwordHash,
        o.totpSecret,
        o.totpPending,
        o.totpLastStep,
        o.failedLogins,
        tsOrNull(o.lockedUntil),
        tsOrNull(o.disabledAt),
        ts(o.createdAt)
      ])) === 1,
    byEmail: async (email) => {
      const r = await q.get<OperatorColumns>(`SELECT ${OPERATOR} FROM operators WHERE email = $1`, [email])
      return r && toOperator(r)
    },
    byId: async (id) => {
      const r = await q.get<OperatorColumns>(`SELECT ${OPERATOR} FROM operators WHERE id = $1`, [id])
      return r && toOperator(r)
    },
    list: async () => (await q.all<OperatorColumns>(`SELECT ${OPERATOR} FROM operators ORDER BY created_at, id`)).map(toOperator),
    async update(id, patch) {
      const keys = Object.keys(patch) as (keyof OperatorPatch)[]
      if (keys.length === 0) return
      const sets = keys.map((k, i) => `${PATCH[k][0]} = $${i + 1}`).join(', ')
      const values = keys.map((k) => {
        const v = patch[k] ?? null
        return PATCH[k][1] ? tsOrNull(v as number | null) : v
      })
      await q.run(`UPDATE operators SET ${sets} WHERE id = $${keys.length + 1}`, [...values, id])
    },
    insertSession: async (r) => {
      await q.run(`INSERT INTO operator_sessions (${SESSION}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
        r.tokenHash,
        r.operatorId,
        r.csrfHash,
        ts(r.createdAt),
        ts(r.lastSeenAt),
        ts(r.expiresAt),
        r.address,
        r.userAgent
      ])
    },
    session: async (tokenHash) => {
      const r = await q.get<SessionColumns>(`SELECT ${SESSION} FROM operator_sessions WHERE token_hash = $1`, [tokenHash])
      return r && toSession(r)
    },
    touchSession: async (tokenHash, at) => {
      await q.run('UPDATE operator_sessions SET last_seen_at = $1 WHERE token_hash = $2', [ts(at), tokenHash])
    },
    deleteSession: async (tokenHash) => (await q.run('DELETE FROM operator_sessions WHERE token_hash = $1', [tokenHash])) === 1,
    deleteSessionsOf: (operatorId) => q.run('DELETE FROM operator_sessions WHERE operator_id = $1', [operatorId]),
    deleteExpiredSessions: (now, idleBefore) => q.run('DELETE FROM operator_sessions WHERE expires_at <= $1 OR last_seen_at < $2', [ts(now), ts(idleBefore)])
  }
}
