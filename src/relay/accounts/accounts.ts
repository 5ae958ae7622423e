import { createHash, randomBytes } from 'node:crypto'
import type { Clock } from '../../node/clock'
import type { IdSource } from '../../node/ids'
import { BillingError, NotFound } from '../../shared/errors'
import type { RelayDb } from '../db/open'

// Accounts and devices. An operator (admin token) issues a one-time enrolment code for a new
// or existing account; a device exchanges it for a random bearer token, shown once and stored
// only as its sha256. Every device request is authenticated by that hash and scoped to the
// device's own account. Revocation is immediate: the next request is refused.

export interface DeviceContext {
  accountId: string
  deviceId: string
}

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex')

export class Unauthorized extends BillingError {
  constructor(message = 'missing, unknown or revoked device token') {
    super('UNAUTHORIZED', message)
  }
}
export class Forbidden extends BillingError {
  constructor(message: string) {
    super('FORBIDDEN', message)
  }
}

const CODE_TTL_MS = 24 * 3600_000

export class Accounts {
  private readonly byToken
  private readonly insertAccount
  private readonly getAccount
  private readonly insertCode
  private readonly getCode
  private readonly useCode
  private readonly insertDevice
  private readonly listDevices
  private readonly getDevice
  private readonly revokeDevice

  constructor(
    private readonly db: RelayDb,
    private readonly clock: Clock,
    private readonly ids: IdSource
  ) {
    const s = db.sqlite
    this.byToken = s.prepare('SELECT id, account_id, revoked_at FROM devices WHERE token_hash = ?')
    this.insertAccount = s.prepare('INSERT INTO accounts (id, label, created_at) VALUES (?, ?, ?)')
    this.getAccount = s.prepare('SELECT id FROM accounts WHERE id = ?')
    this.insertCode = s.prepare(
      'INSERT INTO enrolment_codes (code_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)'
    )
    this.getCode = s.prepare('SELECT account_id, expires_at, used_at FROM enrolment_codes WHERE code_hash = ?')
    this.useCode = s.prepare('UPDATE enrolment_codes SET used_at = ?, used_by_device = ? WHERE code_hash = ?')
    this.insertDevice = s.prepare(
      'INSERT INTO devices (id, account_id, name, token_hash, enrolled_at) VALUES (?, ?, ?, ?, ?)'
    )
    this.listDevices = s.prepare(
      'SELECT id, name, enrolled_at, revoked_at FROM devices WHERE account_id = ? ORDER BY enrolled_at, id'
    )
    this.getDevice = s.prepare('SELECT id, account_id, revoked_at FROM devices WHERE id = ?')
    this.revokeDevice = s.prepare('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
  }

  /** Admin: a one-time code enrolling a device into `accountId` (created when absent or omitted). */
  createEnrolment(accountId: string | undefined, label: string | undefined): { accountId: string; code: string; expiresAt: number } {
    return this.db.tx(() => {
      const now = this.clock.now()
      const id = accountId ?? `acc_${this.ids.next()}`
      if (!this.getAccount.get(id)) this.insertAccount.run(id, label ?? null, now)
      const code = randomBytes(18).toString('base64url')
      const expiresAt = now + CODE_TTL_MS
      this.insertCode.run(sha256Hex(code), id, now, expiresAt)
      return { accountId: id, code, expiresAt }
    })
  }

  /** Exchanges a code for a device token, once. */
  enrol(code: string, deviceName: string): { accountId: string; deviceId: string; deviceToken: string } {
    return this.db.tx(() => {
      const now = this.clock.now()
      const hash = sha256Hex(code)
      const row = this.getCode.get(hash) as { account_id: string; expires_at: number; used_at: number | null } | undefined
      if (!row || row.used_at !== null || row.expires_at <= now) {
        throw new Unauthorized('enrolment code unknown, used or expired')
      }
      const deviceId = `dev_${this.ids.next()}`
      const deviceToken = `rdt_${randomBytes(32).toString('base64url')}`
      this.insertDevice.run(deviceId, row.account_id, deviceName, sha256Hex(deviceToken), now)
      this.useCode.run(now, deviceId, hash)
      return { accountId: row.account_id, deviceId, deviceToken }
    })
  }

  authenticate(token: string | undefined): DeviceContext {
    if (!token) throw new Unauthorized()
    const row = this.byToken.get(sha256Hex(token)) as
      | { id: string; account_id: string; revoked_at: number | null }
      | undefined
    if (!row || row.revoked_at !== null) throw new Unauthorized()
    return { accountId: row.account_id, deviceId: row.id }
  }

  /** Revokes a device; `scopeAccountId` limits a device-initiated revocation to its own account. */
  revoke(deviceId: string, scopeAccountId?: string): { deviceId: string; revokedAt: number } {
    return this.db.tx(() => {
      const row = this.getDevice.get(deviceId) as { account_id: string; revoked_at: number | null } | undefined
      // Another account's device is reported as not found: no probing of ids.
      if (!row || (scopeAccountId !== undefined && row.account_id !== scopeAccountId)) {
        throw new NotFound('device', deviceId)
      }
      if (row.revoked_at !== null) return { deviceId, revokedAt: row.revoked_at }
      const now = this.clock.now()
      this.revokeDevice.run(now, deviceId)
      return { deviceId, revokedAt: now }
    })
  }

  devices(accountId: string): { deviceId: string; name: string; enrolledAt: number; revokedAt: number | null }[] {
    return (
      this.listDevices.all(accountId) as { id: string; name: string; enrolled_at: number; revoked_at: number | null }[]
    ).map((d) => ({ deviceId: d.id, name: d.name, enrolledAt: d.enrolled_at, revokedAt: d.revoked_at }))
  }
}
