import type { Clock } from '../../node/clock'
import type { IdSource } from '../../node/ids'
import type { FeedEnvelope } from '../../shared/relay-contract'
import type { DeviceContext } from '../accounts/accounts'
import type { RelayWallet } from '../accounts/wallet'
import type { RelayDb } from '../db/open'
import { PLAN_LIMITS } from '../pricing/catalog'
import type { Grants } from '../subscriptions/grants'
import { toEnvelope, type Feed } from './feed'

// Entitlement leases: per device, appended to the account's feed signed at once (a lease is
// handed out right away, and a reused one is read back by id, not through page()). The app honours a
// lease offline until validUntil (+ its grace). A fresh lease (less than half its life used,
// same plan and debt) is handed out again instead of growing the feed on every sync.

export class Leases {
  private readonly current
  private readonly upsert
  private readonly feedById

  constructor(
    private readonly db: RelayDb,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly feed: Feed,
    private readonly grants: Grants,
    private readonly wallet: RelayWallet,
    private readonly ttlMs: number
  ) {
    const s = db.sqlite
    this.current = s.prepare('SELECT feed_id, plan_code, debt, issued_at, valid_until FROM leases WHERE device_id = ?')
    this.upsert = s.prepare(
      `INSERT INTO leases (device_id, feed_id, plan_code, debt, issued_at, valid_until) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(device_id) DO UPDATE SET feed_id = excluded.feed_id, plan_code = excluded.plan_code,
         debt = excluded.debt, issued_at = excluded.issued_at, valid_until = excluded.valid_until`
    )
    this.feedById = s.prepare('SELECT seq, id, timestamp, payload, signature, key_id FROM feed WHERE id = ?')
  }

  issue(ctx: DeviceContext): FeedEnvelope {
    return this.db.tx(() => {
      const now = this.clock.now()
      const plan = this.grants.current(ctx.accountId, now)
      const { debt } = this.wallet.state(ctx.accountId)
      const prev = this.current.get(ctx.deviceId) as
        | { feed_id: string; plan_code: string; debt: number; issued_at: number; valid_until: number }
        | undefined
      if (
        prev &&
        prev.plan_code === plan.planCode &&
        prev.debt === debt.amount &&
        now < prev.issued_at + (prev.valid_until - prev.issued_at) / 2
      ) {
        return toEnvelope(this.feedById.get(prev.feed_id) as Parameters<typeof toEnvelope>[0])
      }
      const validUntil = plan.periodEnd === null ? now + this.ttlMs : Math.min(now + this.ttlMs, plan.periodEnd)
      const envelope = this.feed.appendSigned(ctx.accountId, 'entitlement_lease', {
        leaseId: `lease_${this.ids.next()}`,
        accountId: ctx.accountId,
        deviceId: ctx.deviceId,
        planCode: plan.planCode,
        period: plan.period,
        limits: PLAN_LIMITS[plan.planCode],
        periodStart: plan.periodStart,
        periodEnd: plan.periodEnd,
        issuedAt: now,
        validUntil,
        debt
      })
      this.upsert.run(ctx.deviceId, envelope.id, plan.planCode, debt.amount, now, validUntil)
      return envelope
    })
  }
}
