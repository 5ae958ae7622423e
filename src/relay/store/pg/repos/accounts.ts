import type { AccountRow, AccountsRepo, DeviceRow } from '../../ports'
import { ms, msOrNull, ts, type Sql } from '../sql'

interface DeviceColumns {
  id: string
  account_id: string
  name: string
  enrolled_at: Date
  revoked_at: Date | null
}

const device = (r: DeviceColumns | undefined): DeviceRow | undefined =>
  r && { id: r.id, accountId: r.account_id, name: r.name, enrolledAt: ms(r.enrolled_at), revokedAt: msOrNull(r.revoked_at) }

const COLUMNS = 'id, account_id, name, enrolled_at, revoked_at'

export type AccountColumns = { id: string; wallet_currency: AccountRow['walletCurrency']; first_free_claim_id: string | null }
export const ACCOUNT = 'SELECT id, wallet_currency, first_free_claim_id FROM accounts'

/** Kept for the unit (sql.ts memo): the account as read (undefined: none), until the unit writes it. */
export function keepAccount(q: Sql, accountId: string, r: AccountColumns | undefined): AccountRow | undefined {
  const row = r && { id: r.id, walletCurrency: r.wallet_currency, firstFreeClaimId: r.first_free_claim_id }
  q.memo.set(`account:${accountId}`, row && { ...row })
  return row
}

export function pgAccounts(q: Sql): AccountsRepo {
  return {
    // Kept for the unit (sql.ts memo): every payment of a batch reads its account's wallet currency.
    async get(accountId) {
      const key = `account:${accountId}`
      if (q.memo.has(key)) {
        const kept = q.memo.get(key) as AccountRow | undefined
        return kept && { ...kept }
      }
      return keepAccount(q, accountId, await q.get<AccountColumns>(`${ACCOUNT} WHERE id = $1`, [accountId]))
    },
    async insert(accountId, label, now) {
      q.memo.delete(`account:${accountId}`)
      await q.later('INSERT INTO accounts (id, label, created_at) VALUES ($1, $2, $3)', [accountId, label, ts(now)])
    },
    async claimFirstFree(accountId, claimId, deviceId) {
      q.memo.delete(`account:${accountId}`)
      return (await q.run('UPDATE accounts SET first_free_claim_id = $1, first_free_device_id = $2 WHERE id = $3 AND first_free_claim_id IS NULL', [
        claimId,
        deviceId,
        accountId
      ])) === 1
    },
    insertCode: async (hash, accountId, now, expiresAt) =>
      void (await q.later('INSERT INTO enrolment_codes (code_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [hash, accountId, ts(now), ts(expiresAt)])),
    async code(hash) {
      const r = await q.get<{ account_id: string; expires_at: Date; used_at: Date | null }>(
        'SELECT account_id, expires_at, used_at FROM enrolment_codes WHERE code_hash = $1',
        [hash]
      )
      return r && { accountId: r.account_id, expiresAt: ms(r.expires_at), usedAt: msOrNull(r.used_at) }
    },
    useCode: async (hash, now, deviceId) =>
      void (await q.later('UPDATE enrolment_codes SET used_at = $1, used_by_device = $2 WHERE code_hash = $3', [ts(now), deviceId, hash])),
    insertDevice: async (d) =>
      void (await q.later('INSERT INTO devices (id, account_id, name, token_hash, enrolled_at) VALUES ($1, $2, $3, $4, $5)', [
        d.id,
        d.accountId,
        d.name,
        d.tokenHash,
        ts(d.enrolledAt)
      ])),
    deviceByToken: async (hash) => device(await q.get<DeviceColumns>(`SELECT ${COLUMNS} FROM devices WHERE token_hash = $1`, [hash])),
    device: async (id) => device(await q.get<DeviceColumns>(`SELECT ${COLUMNS} FROM devices WHERE id = $1`, [id])),
    revokeDevice: async (id, now) => void (await q.later('UPDATE devices SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [ts(now), id])),
    devices: async (accountId) =>
      (await q.all<DeviceColumns>(`SELECT ${COLUMNS} FROM devices WHERE account_id = $1 ORDER BY enrolled_at, id`, [accountId])).map((r) => device(r)!)
  }
}
