import { QuotaExceeded } from '../../shared/errors'
import type { GateOutcome } from '../../shared/ipc/types'
import type { Billing } from '../billing'
import { priceOf, type PaidFeature, type PriceList } from './prices'

// The gate a paid use passes: the plan's quota first (a live session needs a free live
// room), then the wallet rule (balance → first free use → recharge with the shortfall).
// Order matters: nothing is charged for a session the quota would refuse, and the room is
// taken only after the charge was decided. All calls are synchronous, so nothing can slip
// between the quota check and the lease.

export interface GateRequest {
  /** The caller's idempotency key: a retry returns the first decision and the same lease. */
  key: string
  feature: PaidFeature
}

export interface GateOptions {
  /** The prices in force when the gate runs (the catalog's, read per call). */
  prices: () => PriceList
  /** Live-room lease TTL; the host app heartbeats it while streaming. Default: the quotas default. */
  liveRoomTtlMs?: number | null
}

export const liveRoomLeaseKey = (key: string): string => `gate:${key}:live_room`

export function runGate(billing: Billing, req: GateRequest, opts: GateOptions): GateOutcome {
  const { wallet, quotas } = billing
  const price = priceOf(opts.prices(), req.feature, wallet.currency)
  const live = req.feature === 'live_session'
  const leaseKey = liveRoomLeaseKey(req.key)
  if (live && !quotas.leases('live_room').some((l) => l.key === leaseKey)) {
    const check = quotas.check('live_room')
    if (!check.allowed) {
      const limit = check.limit ?? 0
      const used = quotas.usage().features.find((f) => f.feature === 'live_room')?.used ?? limit
      throw new QuotaExceeded({ feature: 'live_room', limit, used, requested: 1 })
    }
  }
  const charged = wallet.chargeOrFree({ key: req.key, price, feature: req.feature, reason: `gate:${req.feature}` })
  if (charged.outcome === 'needs_recharge') {
    return {
      outcome: 'needs_recharge',
      feature: req.feature,
      price: charged.price,
      balance: charged.balance,
      shortfall: charged.shortfall
    }
  }
  if (live) {
    quotas.acquire({
      key: leaseKey,
      feature: 'live_room',
      holder: `live:${req.key}`,
      ...(opts.liveRoomTtlMs !== undefined ? { ttlMs: opts.liveRoomTtlMs } : {})
    })
  }
  return charged.outcome === 'paid'
    ? { outcome: 'paid', feature: req.feature, price: charged.price, balanceAfter: charged.balance }
    : { outcome: 'first_free', feature: req.feature, price: charged.price }
}
