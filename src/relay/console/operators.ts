import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Clock } from '../../node/clock'
import type { IdSource } from '../../node/ids'
import { BillingError, InvalidInput, NotFound } from '../../shared/errors'
import { isOperatorRole, type OperatorRole } from '../../shared/console/roles'
import { sha256Hex, Unauthorized } from '../accounts/accounts'
import type { OperatorRow, OperatorSessionRow, RelayStore } from '../store/ports'
import { audit, type Actor } from './audit'
import { assertPasswordPolicy, hashPassword, verifyPassword } from './passwords'
import { acceptTotp, newTotpSecret, otpauthUri } from './totp'

// Operators of the console: accounts with a role, a scrypt password, an optional TOTP second
// factor, a lockout after repeated failures, and sessions kept only as hashes with an idle and an
// absolute end. The HTTP side (cookies, the CSRF header, the guard) is src/relay/http/console.ts.

export interface OperatorPolicy {
  /** Failed logins in a row that lock the operator out. */
  maxFailures: number
  lockMs: number
  idleMs: number
  absoluteMs: number
}

export const DEFAULT_OPERATOR_POLICY: OperatorPolicy = {
  maxFailures: 5,
  lockMs: 15 * 60_000,
  idleMs: 30 * 60_000,
  absoluteMs: 12 * 3600_000
}

/** A session's last-seen time is written at most this often (not on every request). */
const TOUCH_EVERY_MS = 60_000
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** What an operator may see of their own or another's record: never a hash or a secret. */
export interface OperatorView {
  id: string
  email: string
  role: OperatorRole
  totp: boolean
  locked: boolean
  disabled: boolean
  createdAt: number
}

export interface LoginInput {
  email: string
  password: string
  totp?: string
  address: string | null
  userAgent: string | null
}

export interface LoginResult {
  /** The cookie's value. */
  token: string
  /** Sent back by the console in the x-csrf-token header of every request that changes something. */
  csrfToken: string
  expiresAt: number
  operator: OperatorView
}

export interface Authenticated {
  operator: OperatorRow
  session: OperatorSessionRow
  actor: Actor
}

/** A failed login, committed with its count before it is thrown. */
interface Refusal {
  refused: 'totp_invalid' | 'bad_credentials'
  lockedUntil: number | null
}

export class LoginRefused extends BillingError {
  constructor(reason: 'bad_credentials' | 'locked' | 'totp_required' | 'totp_invalid', message: string, details: Record<string, unknown> = {}) {
    super('UNAUTHORIZED', message, { ...details, reason })
  }
}

export function normaliseEmail(email: unknown): string {
  const e = typeof email === 'string' ? email.trim().toLowerCase() : ''
  if (!EMAIL.test(e) || e.length > 254) throw new InvalidInput('enter the operator’s email address, such as ops@example.com', { field: 'email' })
  return e
}

export const viewOf = (o: OperatorRow, now: number): OperatorView => ({
  id: o.id,
  email: o.email,
  role: o.role,
  totp: o.totpSecret !== null,
  locked: o.lockedUntil !== null && o.lockedUntil > now,
  disabled: o.disabledAt !== null,
  createdAt: o.createdAt
})

/**
 * The CSRF token of a session: derived from its cookie token, so the console can be told it again
 * (GET /v1/console/me) and a page of another origin, which cannot read the cookie, cannot make it.
 */
export const csrfTokenOf = (sessionToken: string): string => createHash('sha256').update(`csrf:${sessionToken}`).digest('base64url')

const hashEqual = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

export class OperatorAuth {
  /** Verified against when the email is unknown, so an unknown email takes as long as a wrong password. */
  private decoy: Promise<string> | null = null

  constructor(
    private readonly store: RelayStore,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    readonly policy: OperatorPolicy = DEFAULT_OPERATOR_POLICY,
    readonly issuer = 'Livestream Billing'
  ) {}

  private get deps() {
    return { ids: this.ids, now: () => this.clock.now() }
  }

  async add(input: { email: string; role: string; password: string }, actor: Actor): Promise<OperatorView> {
    const email = normaliseEmail(input.email)
    if (!isOperatorRole(input.role)) throw new InvalidInput('role is one of viewer, support, finance, admin', { field: 'role' })
    assertPasswordPolicy(input.password)
    const passwordHash = await hashPassword(input.password)
    const role = input.role
    return this.store.unit(async (tx) => {
      const now = this.clock.now()
      const row: OperatorRow = {
        id: `op_${this.ids.next()}`,
        email,
        role,
        passwordHash,
        totpSecret: null,
        totpPending: null,
        totpLastStep: null,
        failedLogins: 0,
        lockedUntil: null,
        disabledAt: null,
        createdAt: now
      }
      if (!(await tx.operators.insert(row))) throw new InvalidInput(`an operator with the email ${email} exists already`, { field: 'email' })
      await audit(tx, this.deps, actor, 'operator.add', row.id, { after: { email, role } })
      return viewOf(row, now)
    })
  }

  async list(): Promise<OperatorView[]> {
    const now = this.clock.now()
    return (await this.store.read((tx) => Promise.resolve(tx.operators.list()))).map((o) => viewOf(o, now))
  }

  async setRole(id: string, role: string, actor: Actor): Promise<OperatorView> {
    if (!isOperatorRole(role)) throw new InvalidInput('role is one of viewer, support, finance, admin', { field: 'role' })
    return this.store.unit(async (tx) => {
      const o = await tx.operators.byId(id)
      if (!o) throw new NotFound('operator', id)
      await tx.operators.update(id, { role })
      await audit(tx, this.deps, actor, 'operator.role', id, { before: { role: o.role }, after: { role } })
      return viewOf({ ...o, role }, this.clock.now())
    })
  }

  /** Disables the operator and ends their sessions; their audit entries stay. */
  async disable(id: string, actor: Actor): Promise<OperatorView> {
    return this.store.unit(async (tx) => {
      const o = await tx.operators.byId(id)
      if (!o) throw new NotFound('operator', id)
      const now = this.clock.now()
      if (o.disabledAt === null) {
        await tx.operators.update(id, { disabledAt: now })
        await tx.operators.deleteSessionsOf(id)
        await audit(tx, this.deps, actor, 'operator.disable', id, { before: { disabled: false }, after: { disabled: true } })
      }
      return viewOf({ ...o, disabledAt: o.disabledAt ?? now }, now)
    })
  }

  async login(input: LoginInput): Promise<LoginResult> {
    const email = normaliseEmail(input.email)
    const password = typeof input.password === 'string' ? input.password : ''
    const found = await this.store.read((tx) => Promise.resolve(tx.operators.byEmail(email)))
    const now = this.clock.now()
    const actor: Actor = { operatorId: found?.id ?? null, name: email, address: input.address }
    if (!found || found.disabledAt !== null) {
      this.decoy ??= hashPassword('a decoy password nobody has')
      await verifyPassword(password, await this.decoy)
      await this.store.unit((tx) => audit(tx, this.deps, actor, 'login.refused', found?.id ?? null, { after: { reason: found ? 'disabled' : 'unknown_email' } }))
      throw new LoginRefused('bad_credentials', 'the email or the password is wrong; check both and try again')
    }
    // A locked operator is not even checked: no guess counts while the lock lasts.
    if (found.lockedUntil !== null && found.lockedUntil > now) throw this.locked(found.lockedUntil, now)
    const passwordOk = await verifyPassword(password, found.passwordHash)
    const code = typeof input.totp === 'string' ? input.totp.trim() : ''
    if (passwordOk && found.totpSecret !== null && code === '') {
      throw new LoginRefused('totp_required', 'enter the 6-digit code from your authenticator app')
    }
    return this.store.unit(async (tx): Promise<LoginResult | Refusal> => {
      // Re-read inside the unit: concurrent failures each count (PostgreSQL re-runs a unit that raced).
      const o = (await tx.operators.byId(found.id))!
      const at = this.clock.now()
      if (o.lockedUntil !== null && o.lockedUntil > at) throw this.locked(o.lockedUntil, at)
      const step = passwordOk && o.totpSecret !== null ? acceptTotp(o.totpSecret, code, at, o.totpLastStep) : null
      if (!passwordOk || (o.totpSecret !== null && step === null)) {
        const failures = o.failedLogins + 1
        const lock = failures >= this.policy.maxFailures
        await tx.operators.update(o.id, lock ? { failedLogins: 0, lockedUntil: at + this.policy.lockMs } : { failedLogins: failures })
        await audit(tx, this.deps, actor, lock ? 'login.locked' : 'login.refused', o.id, { after: { reason: passwordOk ? 'totp_invalid' : 'bad_password', failures } })
        // The refusal is the answer, committed with its count: returned, then thrown below.
        return { refused: passwordOk ? 'totp_invalid' : 'bad_credentials', lockedUntil: lock ? at + this.policy.lockMs : null }
      }
      const token = randomBytes(32).toString('base64url')
      const csrfToken = csrfTokenOf(token)
      const session: OperatorSessionRow = {
        tokenHash: sha256Hex(token),
        operatorId: o.id,
        csrfHash: sha256Hex(csrfToken),
        createdAt: at,
        lastSeenAt: at,
        expiresAt: at + this.policy.absoluteMs,
        address: input.address,
        userAgent: input.userAgent?.slice(0, 300) ?? null
      }
      await tx.operators.update(o.id, { failedLogins: 0, lockedUntil: null, ...(step !== null ? { totpLastStep: step } : {}) })
      await tx.operators.insertSession(session)
      await audit(tx, this.deps, actor, 'login', o.id)
      return { token, csrfToken, expiresAt: session.expiresAt, operator: viewOf(o, at) }
    }).then((r) => {
      if ('refused' in r) {
        if (r.lockedUntil !== null) throw this.locked(r.lockedUntil, this.clock.now())
        throw r.refused === 'totp_invalid'
          ? new LoginRefused('totp_invalid', 'that code is wrong or already used; wait for the next code and enter it')
          : new LoginRefused('bad_credentials', 'the email or the password is wrong; check both and try again')
      }
      return r
    })
  }

  private locked(until: number, now: number): LoginRefused {
    const minutes = Math.ceil((until - now) / 60_000)
    return new LoginRefused('locked', `too many failed logins: this operator is locked for ${minutes} more minute(s); try again then`, {
      retryAfterSeconds: Math.ceil((until - now) / 1000)
    })
  }

  /**
   * The operator behind a session cookie. `csrf`: the request's x-csrf-token header, required
   * (and compared with the session's) when the request changes something.
   */
  async authenticate(token: string | undefined, opts: { changes: boolean; csrf: string | undefined; address: string | null }): Promise<Authenticated> {
    if (!token) throw new Unauthorized('sign in to the console first', { reason: 'no_session' })
    const tokenHash = sha256Hex(token)
    const found = await this.store.read(async (tx) => {
      const session = await tx.operators.session(tokenHash)
      return session && { session, operator: await tx.operators.byId(session.operatorId) }
    })
    const now = this.clock.now()
    if (!found || !found.operator || found.operator.disabledAt !== null) throw new Unauthorized('the session has ended; sign in again', { reason: 'no_session' })
    const { session, operator } = found
    if (now >= session.expiresAt || now - session.lastSeenAt > this.policy.idleMs) {
      await this.store.unit(async (tx) => {
        await tx.operators.deleteSession(tokenHash)
      })
      throw new Unauthorized('the session has expired; sign in again', { reason: 'session_expired' })
    }
    if (opts.changes && (!opts.csrf || !hashEqual(sha256Hex(opts.csrf), session.csrfHash))) {
      throw new BillingError('FORBIDDEN', 'this request lacks the console’s CSRF token; reload the console and try again', { reason: 'csrf' })
    }
    if (now - session.lastSeenAt >= TOUCH_EVERY_MS) {
      await this.store.unitUnsynced(async (tx) => {
        await tx.operators.touchSession(tokenHash, now)
      })
    }
    return { operator, session, actor: { operatorId: operator.id, name: operator.email, address: opts.address } }
  }

  async logout(token: string, actor: Actor): Promise<void> {
    await this.store.unit(async (tx) => {
      if (await tx.operators.deleteSession(sha256Hex(token))) await audit(tx, this.deps, actor, 'logout', actor.operatorId)
    })
  }

  /** Ends every session of the operator (this one too). */
  async logoutEverywhere(operatorId: string, actor: Actor): Promise<number> {
    return this.store.unit(async (tx) => {
      const n = await tx.operators.deleteSessionsOf(operatorId)
      await audit(tx, this.deps, actor, 'logout.everywhere', operatorId, { after: { sessions: n } })
      return n
    })
  }

  /** A new secret, pending until a code from it confirms it (totpConfirm). */
  async totpSetup(operatorId: string, actor: Actor): Promise<{ secret: string; uri: string }> {
    const secret = newTotpSecret()
    const email = await this.store.unit(async (tx) => {
      const o = await tx.operators.byId(operatorId)
      if (!o) throw new NotFound('operator', operatorId)
      await tx.operators.update(operatorId, { totpPending: secret })
      await audit(tx, this.deps, actor, 'totp.setup', operatorId)
      return o.email
    })
    return { secret, uri: otpauthUri(this.issuer, email, secret) }
  }

  async totpConfirm(operatorId: string, code: string, actor: Actor): Promise<OperatorView> {
    return this.store.unit(async (tx) => {
      const o = await tx.operators.byId(operatorId)
      if (!o) throw new NotFound('operator', operatorId)
      if (o.totpPending === null) throw new InvalidInput('set up the authenticator first, then enter its code', { field: 'code' })
      const now = this.clock.now()
      const step = acceptTotp(o.totpPending, String(code ?? '').trim(), now, null)
      if (step === null) throw new InvalidInput('that code does not match; check the authenticator app’s clock and enter the current code', { field: 'code' })
      await tx.operators.update(operatorId, { totpSecret: o.totpPending, totpPending: null, totpLastStep: step })
      await audit(tx, this.deps, actor, 'totp.enabled', operatorId, { before: { totp: o.totpSecret !== null }, after: { totp: true } })
      return viewOf({ ...o, totpSecret: o.totpPending }, now)
    })
  }

  /** Drops sessions past their idle or absolute end (a job, and before each login is fine too). */
  sweepSessions(): Promise<number> {
    const now = this.clock.now()
    return this.store.unitUnsynced(async (tx) => tx.operators.deleteExpiredSessions(now, now - this.policy.idleMs))
  }
}
