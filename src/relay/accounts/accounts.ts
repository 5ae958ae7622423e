import { createHash, randomBytes } from 'node:crypto'
import type { Clock } from '../../node/clock'
import type { IdSource } from '../../node/ids'
import { BillingError, NotFound } from '../../shared/errors'
import type { Money } from '../../shared/money'
import type { RelayStore, StoreTx } from '../store/ports'
import type { RelayWallet } from './wallet'

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
  constructor(message = 'missing, unknown or revoked device token', details?: Record<string, unknown>) {
    super('UNAUTHORIZED', message, details)
  }
}
export class Forbidden extends BillingError {
  constructor(message: string) {
    super('FORBIDDEN', message)
  }
}

const CODE_TTL_MS = 24 * 3600_000

export class Accounts {
  constructor(
    private readonly store: RelayStore,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly wallet: RelayWallet
  ) {}

  /** Admin: a one-time code enrolling a device into `accountId` (created when absent or omitted). */
  createEnrolment(
    accountId: string | undefined,
    label: string | undefined,
    store: RelayStore = this.store
  ): Promise<{ accountId: string; code: string; expiresAt: number }> {
    return store.unit(async (tx) => {
      const now = this.clock.now()
      const id = accountId ?? `acc_${this.ids.next()}`
      if (!(await tx.accounts.get(id))) await tx.accounts.insert(id, label ?? null, now)
      const code = randomBytes(18).toString('base64url')
      const expiresAt = now + CODE_TTL_MS
      await tx.accounts.insertCode(sha256Hex(code), id, now, expiresAt)
      return { accountId: id, code, expiresAt }
    })
  }

  /** Exchanges a code for a device token, once. */
  enrol(code: string, deviceName: string): Promise<{ accountId: string; deviceId: string; deviceToken: string }> {
    return this.store.unit(async (tx) => {
      const now = this.clock.now()
      const hash = sha256Hex(code)
      const row = await tx.accounts.code(hash)
      if (!row || row.usedAt !== null || row.expiresAt <= now) {
        throw new Unauthorized('enrolment code unknown, used or expired')
      }
      const device = await this.enrolDevice(tx, row.accountId, deviceName)
      await tx.accounts.useCode(hash, now, device.deviceId)
      return device
    })
  }

  /** A new device of `accountId` and its bearer token, inside the caller's unit (enrolment, sign-in). */
  async enrolDevice(tx: StoreTx, accountId: string, deviceName: string): Promise<{ accountId: string; deviceId: string; deviceToken: string }> {
    const deviceId = `dev_${this.ids.next()}`
    const deviceToken = `rdt_${randomBytes(32).toString('base64url')}`
    await tx.accounts.insertDevice({ id: deviceId, accountId, name: deviceName, tokenHash: sha256Hex(deviceToken), enrolledAt: this.clock.now() })
    return { accountId, deviceId, deviceToken }
  }

  /** A new account (sign-in of someone not seen before), inside the caller's unit. */
  async createAccount(tx: StoreTx, label: string | null): Promise<string> {
    const id = `acc_${this.ids.next()}`
    await tx.accounts.insert(id, label, this.clock.now())
    return id
  }

  async authenticate(token: string | undefined): Promise<DeviceContext> {
    if (!token) throw new Unauthorized()
    const row = await this.store.read(async (tx) => tx.accounts.deviceByToken(sha256Hex(token)))
    if (!row || row.revokedAt !== null) throw new Unauthorized()
    return { accountId: row.accountId, deviceId: row.id }
  }

  /** Revokes a device; `scopeAccountId` limits a device-initiated revocation to its own account. */
  revoke(deviceId: string, scopeAccountId?: string, store: RelayStore = this.store): Promise<{ deviceId: string; revokedAt: number }> {
    return store.unit(async (tx) => {
      const row = await tx.accounts.device(deviceId)
      // Another account's device is reported as not found: no probing of ids.
      if (!row || (scopeAccountId !== undefined && row.accountId !== scopeAccountId)) {
        throw new NotFound('device', deviceId)
      }
      if (row.revokedAt !== null) return { deviceId, revokedAt: row.revokedAt }
      const now = this.clock.now()
      await tx.accounts.revokeDevice(deviceId, now)
      return { deviceId, revokedAt: now }
    })
  }

  /** The account as a device sees it: its devices, the first-free state and the wallet. */
  overview(accountId: string): Promise<{
    devices: { deviceId: string; name: string; enrolledAt: number; revokedAt: number | null }[]
    firstFreeUsed: boolean
    wallet: { balance: Money; debt: Money }
  }> {
    return this.store.read(
      async (tx) => {
        const account = await tx.accounts.get(accountId)
        if (!account) throw new NotFound('account', accountId)
        const devices = (await tx.accounts.devices(accountId)).map((d) => ({
          deviceId: d.id,
          name: d.name,
          enrolledAt: d.enrolledAt,
          revokedAt: d.revokedAt
        }))
        return { devices, firstFreeUsed: account.firstFreeClaimId !== null, wallet: await this.wallet.state(tx, accountId) }
      },
      { durable: true }
    )
  }
}
