import type { Clock } from '../../node/clock'
import type { IdSource } from '../../node/ids'
import type { FeedEnvelope } from '../../shared/relay-contract'
import type { DeviceContext } from '../accounts/accounts'
import type { RelayWallet } from '../accounts/wallet'
import type { RelayStore } from '../store/ports'
import { documentLimits, PROVIDERS, type ProviderName } from '../../shared/catalog'
import { catalogInForce } from '../catalog/catalog'
import type { Grants } from '../subscriptions/grants'
import { toEnvelope, type Feed } from './feed'

// Entitlement leases: per device, appended to the account's feed signed at once (a lease is
// handed out right away, and a reused one is read back by id, not through page()). The app honours a
// lease offline until validUntil (+ its grace). A fresh lease (less than half its life used,
// same plan and debt) is handed out again instead of growing the feed on every sync.

export class Leases {
  constructor(
    private readonly store: RelayStore,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly feed: Feed,
    private readonly grants: Grants,
    private readonly wallet: RelayWallet,
    private readonly ttlMs: number,
    /** The providers this relay has switched on. */
    private readonly enabled: readonly ProviderName[] = PROVIDERS
  ) {}

  /** The device's lease; its plan and debt come from what is on disk (a durable read first). */
  async issue(ctx: DeviceContext): Promise<FeedEnvelope> {
    await this.store.whenDurable()
    return this.store.unit(async (tx) => {
      const now = this.clock.now()
      const plan = await this.grants.current(tx, ctx.accountId, now)
      const { debt } = await this.wallet.state(tx, ctx.accountId)
      const { document: catalog } = await catalogInForce(tx, now)
      const prev = await tx.leases.current(ctx.deviceId)
      if (
        prev &&
        prev.planCode === plan.planCode &&
        prev.debt === debt.amount &&
        // Its limits are the catalog's in force: a version that took effect since replaces it.
        prev.issuedAt >= catalog.effectiveFrom &&
        now < prev.issuedAt + (prev.validUntil - prev.issuedAt) / 2
      ) {
        const record = await tx.feed.byId(prev.feedId)
        // Signed by the key in force: after a key switch every device gets a lease it can keep.
        if (record && record.key_id === this.feed.keyId) return toEnvelope(record)
      }
      const validUntil = plan.periodEnd === null ? now + this.ttlMs : Math.min(now + this.ttlMs, plan.periodEnd)
      const envelope = await this.feed.appendSigned(tx, ctx.accountId, 'entitlement_lease', {
        leaseId: `lease_${this.ids.next()}`,
        accountId: ctx.accountId,
        deviceId: ctx.deviceId,
        planCode: plan.planCode,
        period: plan.period,
        limits: documentLimits(catalog, plan.planCode, plan.period),
        periodStart: plan.periodStart,
        periodEnd: plan.periodEnd,
        issuedAt: now,
        validUntil,
        debt,
        paymentMethods: catalog.paymentMethods.filter((m) => this.enabled.includes(m))
      })
      await tx.leases.put(ctx.deviceId, { feedId: envelope.id, planCode: plan.planCode, debt: debt.amount, issuedAt: now, validUntil })
      return envelope
    })
  }
}
