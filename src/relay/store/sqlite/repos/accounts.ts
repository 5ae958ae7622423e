import type Database from 'better-sqlite3'
import type { AccountRow, AccountsRepo, DeviceRow } from '../../ports'

interface DeviceColumns {
  id: string
  account_id: string
  name: string
  enrolled_at: number
  revoked_at: number | null
}

const device = (r: DeviceColumns | undefined): DeviceRow | undefined =>
  r && { id: r.id, accountId: r.account_id, name: r.name, enrolledAt: r.enrolled_at, revokedAt: r.revoked_at }

export function sqliteAccounts(s: Database.Database): AccountsRepo {
  const get = s.prepare<[string], { id: string; wallet_currency: AccountRow['walletCurrency']; first_free_claim_id: string | null }>(
    'SELECT id, wallet_currency, first_free_claim_id FROM accounts WHERE id = ?'
  )
  const insert = s.prepare('INSERT INTO accounts (id, label, created_at) VALUES (?, ?, ?)')
  const claim = s.prepare(
    'UPDATE accounts SET first_free_claim_id = ?, first_free_device_id = ? WHERE id = ? AND first_free_claim_id IS NULL'
  )
  const insertCode = s.prepare('INSERT INTO enrolment_codes (code_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
  const code = s.prepare<[string], { account_id: string; expires_at: number; used_at: number | null }>(
    'SELECT account_id, expires_at, used_at FROM enrolment_codes WHERE code_hash = ?'
  )
  const useCode = s.prepare('UPDATE enrolment_codes SET used_at = ?, used_by_device = ? WHERE code_hash = ?')
  const insertDevice = s.prepare('INSERT INTO devices (id, account_id, name, token_hash, enrolled_at) VALUES (?, ?, ?, ?, ?)')
  const columns = 'id, account_id, name, enrolled_at, revoked_at'
  const byToken = s.prepare<[string], DeviceColumns>(`SELECT ${columns} FROM devices WHERE token_hash = ?`)
  const byId = s.prepare<[string], DeviceColumns>(`SELECT ${columns} FROM devices WHERE id = ?`)
  const list = s.prepare<[string], DeviceColumns>(`SELECT ${columns} FROM devices WHERE account_id = ? ORDER BY enrolled_at, id`)
  const revoke = s.prepare('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
  return {
    get(accountId) {
      const r = get.get(accountId)
      return r && { id: r.id, walletCurrency: r.wallet_currency, firstFreeClaimId: r.first_free_claim_id }
    },
    insert: (accountId, label, now) => void insert.run(accountId, label, now),
    claimFirstFree: (accountId, claimId, deviceId) => claim.run(claimId, deviceId, accountId).changes === 1,
    insertCode: (hash, accountId, now, expiresAt) => void insertCode.run(hash, accountId, now, expiresAt),
    code(hash) {
      const r = code.get(hash)
      return r && { accountId: r.account_id, expiresAt: r.expires_at, usedAt: r.used_at }
    },
    useCode: (hash, now, deviceId) => void useCode.run(now, deviceId, hash),
    insertDevice: (d) => void insertDevice.run(d.id, d.accountId, d.name, d.tokenHash, d.enrolledAt),
    deviceByToken: (hash) => device(byToken.get(hash)),
    device: (deviceId) => device(byId.get(deviceId)),
    revokeDevice: (deviceId, now) => void revoke.run(now, deviceId),
    devices: (accountId) => list.all(accountId).map((r) => device(r)!)
  }
}
