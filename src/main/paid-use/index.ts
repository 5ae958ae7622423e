import type { Billing } from '../billing'
import type { PriceList } from '../ipc/prices'
import { LiveSessions, type LiveSession } from './live'
import { PaidUses } from './quotes'

// Paid uses in two steps (quotes) and the live sessions they start, wired to each other.

export interface PaidUseOptions {
  billing: Billing
  prices: () => PriceList
  quoteTtlMs?: number
  liveRoomTtlMs?: number | null
  heartbeatMs?: number
  /** After a begin, confirm, cancel or expiry moved money or rooms. */
  onChanged?: () => void
  onLiveChanged?: (sessions: LiveSession[]) => void
  onLiveLost?: (key: string, error: unknown) => void
}

export interface PaidUse {
  readonly paidUses: PaidUses
  readonly live: LiveSessions
}

export function createPaidUse(opts: PaidUseOptions): PaidUse {
  let live: LiveSessions | undefined
  const paidUses = new PaidUses({
    billing: opts.billing,
    prices: opts.prices,
    ...(opts.quoteTtlMs !== undefined ? { quoteTtlMs: opts.quoteTtlMs } : {}),
    ...(opts.liveRoomTtlMs !== undefined ? { liveRoomTtlMs: opts.liveRoomTtlMs } : {}),
    onConfirmed: (c, leaseId) => live?.confirmed(c, leaseId),
    ...(opts.onChanged ? { onChanged: opts.onChanged } : {})
  })
  live = new LiveSessions({
    billing: opts.billing,
    paidUses,
    ...(opts.heartbeatMs !== undefined ? { heartbeatMs: opts.heartbeatMs } : {}),
    ...(opts.onLiveChanged ? { onChanged: opts.onLiveChanged } : {}),
    ...(opts.onLiveLost ? { onLost: opts.onLiveLost } : {})
  })
  return { paidUses, live }
}

export { PaidUses, QuoteExpired, DEFAULT_QUOTE_TTL_MS, type Confirmed, type Quote, type QuoteDecision, type PaidUsesOptions } from './quotes'
export { LiveSessions, type LiveSession, type LiveSessionsOptions } from './live'
