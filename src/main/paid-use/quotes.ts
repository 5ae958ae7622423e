import { BillingError, IdempotencyConflict, InsufficientFunds, InvalidInput, InvalidTransition, NotFound, QuotaExceeded } from '../../shared/errors'
import { money, type Money } from '../../shared/money'
import { quoteKeySchema } from '../../shared/ipc/schemas/paid-use'
import type { Confirmed, Quote, QuoteDecision } from '../../shared/ipc/types'
import type { Billing } from '../billing'
import { priceOf, type PaidFeature, type PriceList } from '../ipc/prices'
import { OfflineAllowanceExceeded } from '../sync/errors'
import { shortfall } from '../../shared/billing/shortfall'
import { HoldExpired } from '../wallet/errors'

// A paid use in two steps (the wallet's two-phase hold, applied to a whole use):
//   begin   → the wallet rule's decision as a quote; a paid quote holds its price in the
//             wallet and a live session holds its room, so what is quoted is what confirm
//             can take and a second begin cannot take the same last room or money;
//   confirm → settles exactly the quoted charge (or uses the free use); a replay returns it;
//   cancel  → voids the hold and frees the room; nothing was spent.
// Quotes live in memory; what they reserve lives in the file with a TTL, so a crashed
// process's hold and room expire on their own (the sweep, or the next open).

export type { Confirmed, Quote, QuoteDecision }

/** Confirm after a quote's time ran out: what it reserved is released; begin again. */
export class QuoteExpired extends BillingError {
  constructor(key: string, expiresAt: number) {
    // A quote is a hold on a price and a room: it shares the hold's code.
    super('HOLD_EXPIRED', `quote ${key} expired at ${new Date(expiresAt).toISOString()}; begin again`, { key, expiresAt })
  }
}

export interface PaidUsesOptions {
  billing: Billing
  /** The price list in force (a getter: the catalog may change it between uses). */
  prices: () => PriceList
  /** How long a quote (and its hold) waits for confirm. Default 60 s, under the room lease's TTL. */
  quoteTtlMs?: number
  /** The live-room lease TTL; default the quotas default (90 s). */
  liveRoomTtlMs?: number | null
  /** Called after each confirm with what it did (live sessions start here). */
  onConfirmed?: (c: Confirmed, roomLeaseId: string | null) => void
  /** Called after a begin, confirm, cancel or expiry changed the wallet or rooms. */
  onChanged?: () => void
}

interface Entry {
  quote: Quote
  holdId: string | null
  leaseId: string | null
  confirmed: Confirmed | null
  closedAt: number | null
}

export const DEFAULT_QUOTE_TTL_MS = 60_000
/** Closed quotes are kept this long, so a retried confirm or cancel gets its first answer. */
const KEEP_CLOSED_MS = 10 * 60_000

export class PaidUses {
  private readonly entries = new Map<string, Entry>()
  private readonly ttlMs: number

  constructor(private readonly opts: PaidUsesOptions) {
    this.ttlMs = opts.quoteTtlMs ?? DEFAULT_QUOTE_TTL_MS
    if (!Number.isInteger(this.ttlMs) || this.ttlMs < 1_000) throw new InvalidInput('quoteTtlMs must be at least 1000 ms')
  }

  /** The decision for one use of `feature` under `key`; the same key again returns the same quote. */
  begin(feature: PaidFeature, key: string): Quote {
    const k = checkQuoteKey(key)
    const now = this.now()
    this.prune(now)
    const prior = this.entries.get(k)
    if (prior) {
      if (prior.quote.decision.feature !== feature) throw new IdempotencyConflict(k)
      this.expireIfDue(prior, now)
      return { ...prior.quote }
    }
    const { wallet, quotas } = this.opts.billing
    const price = priceOf(this.opts.prices(), feature, wallet.currency)
    const entry: Entry = {
      quote: { key: k, status: 'pending', decision: { outcome: 'included', feature, price }, expiresAt: now + this.ttlMs },
      holdId: null,
      leaseId: null,
      confirmed: null,
      closedAt: null
    }
    if (feature === 'live_session') {
      // The room first: the money is reserved only for a session that has somewhere to run.
      const check = quotas.check('live_room')
      if (!check.allowed) {
        const limit = check.limit ?? 0
        const used = quotas.usage().features.find((f) => f.feature === 'live_room')?.used ?? limit
        return this.store(entry, { outcome: 'no_room', feature, price, limit, used }, now)
      }
      entry.leaseId = quotas.acquire({
        key: `quote:${k}:room`,
        feature: 'live_room',
        holder: `live:${k}`,
        ...(this.opts.liveRoomTtlMs !== undefined ? { ttlMs: this.opts.liveRoomTtlMs } : {})
      }).id
    }
    try {
      return this.store(entry, this.decide(entry, feature, price, k), now)
    } catch (err) {
      this.release(entry)
      throw err
    }
  }

  /** Spends what the quote said. Confirming again returns the first answer and spends nothing. */
  confirm(key: string): Confirmed {
    const entry = this.entry(key)
    if (entry.confirmed) return entry.confirmed
    const { quote } = entry
    const d = quote.decision
    if (quote.status === 'cancelled') throw new InvalidTransition('quote', 'cancelled', 'confirmed')
    if (d.outcome === 'needs_recharge') {
      throw new InsufficientFunds({ balance: d.balance.amount, required: d.price.amount, shortfall: d.shortfall.amount, currency: d.price.currency })
    }
    if (d.outcome === 'no_room') throw new QuotaExceeded({ feature: 'live_room', limit: d.limit, used: d.used, requested: 1 })
    const now = this.now()
    if (this.expireIfDue(entry, now)) throw new QuoteExpired(quote.key, quote.expiresAt)
    const { wallet, quotas } = this.opts.billing
    let balance: Money = wallet.balance()
    try {
      if (d.outcome === 'paid') {
        balance = wallet.settle({ key: `quote:${quote.key}:settle`, holdId: entry.holdId ?? '' }).balance
      } else if (d.outcome === 'first_free') {
        balance = wallet.useFirstFree({ key: `quote:${quote.key}:free`, price: d.price, feature: d.feature, reason: `quote:${d.feature}` }).balance
      }
    } catch (err) {
      // The hold ran out under us, or the free use went to another device since begin: nothing
      // was spent; release the rest and let the caller begin again (a new quote says what now).
      if (err instanceof HoldExpired) {
        this.close(entry, 'expired', now)
        throw new QuoteExpired(quote.key, quote.expiresAt)
      }
      this.close(entry, 'cancelled', now)
      throw err
    }
    let live: Confirmed['live'] = null
    if (entry.leaseId) {
      const lease = quotas.heartbeat(entry.leaseId)
      live = { key: quote.key, startedAt: now, roomExpiresAt: lease.expiresAt }
    }
    const confirmed: Confirmed = { key: quote.key, outcome: d.outcome, feature: d.feature, price: d.price, balance, live }
    entry.confirmed = confirmed
    entry.quote = { ...quote, status: 'confirmed' }
    entry.closedAt = now
    this.opts.onConfirmed?.(confirmed, entry.leaseId)
    this.opts.onChanged?.()
    return confirmed
  }

  /** Gives back what the quote reserved. Cancelling again answers the same; a confirmed use cannot be. */
  cancel(key: string): Quote {
    const entry = this.entry(key)
    if (entry.quote.status === 'confirmed') {
      throw new InvalidTransition('quote', 'confirmed', 'cancelled')
    }
    if (entry.quote.status === 'pending') this.close(entry, 'cancelled', this.now())
    return { ...entry.quote }
  }

  /** The quote under `key`, as it stands. */
  get(key: string): Quote {
    const entry = this.entry(key)
    this.expireIfDue(entry, this.now())
    return { ...entry.quote }
  }

  /** Releases what expired quotes still reserve (the wallet's sweep would, later). */
  sweep(): void {
    const now = this.now()
    for (const e of this.entries.values()) this.expireIfDue(e, now)
    this.prune(now)
  }

  private decide(entry: Entry, feature: PaidFeature, price: Money, key: string): QuoteDecision {
    if (price.amount === 0) return { outcome: 'included', feature, price }
    const { wallet } = this.opts.billing
    // What the price may draw on: the cash, then promotion credit (answers show the cash).
    const spendable = wallet.spendable().amount
    const balance = wallet.balance()
    const debt = wallet.debt().amount
    if (debt === 0 && spendable >= price.amount) {
      try {
        const hold = wallet.hold({ key: `quote:${key}:hold`, amount: price, feature, reason: `quote:${feature}`, ttlMs: this.ttlMs })
        entry.holdId = hold.holdId
        return { outcome: 'paid', feature, price, balanceAfter: hold.balance }
      } catch (err) {
        // Offline, the device may spend only what it last saw from the relay (docs/sync.md).
        if (!(err instanceof OfflineAllowanceExceeded)) throw err
        const shortfall = Number(err.details?.['shortfall'] ?? price.amount)
        return { outcome: 'needs_recharge', feature, price, balance, shortfall: money(Math.max(1, shortfall), price.currency) }
      }
    }
    if (!wallet.firstFreeUsed()) return { outcome: 'first_free', feature, price }
    return { outcome: 'needs_recharge', feature, price, balance, shortfall: money(shortfall(debt, price.amount, spendable), price.currency) }
  }

  private store(entry: Entry, decision: QuoteDecision, now: number): Quote {
    entry.quote = { ...entry.quote, decision }
    // Nothing to confirm: keep nothing reserved.
    if (decision.outcome === 'needs_recharge' || decision.outcome === 'no_room') {
      this.release(entry)
      entry.closedAt = now
    }
    this.entries.set(entry.quote.key, entry)
    if (entry.holdId || entry.leaseId) this.opts.onChanged?.()
    return { ...entry.quote }
  }

  private expireIfDue(entry: Entry, now: number): boolean {
    if (entry.quote.status === 'expired') return true
    if (entry.quote.status !== 'pending' || now < entry.quote.expiresAt) return false
    this.close(entry, 'expired', now)
    return true
  }

  private close(entry: Entry, status: 'cancelled' | 'expired', now: number): void {
    this.release(entry)
    entry.quote = { ...entry.quote, status }
    entry.closedAt = now
    this.opts.onChanged?.()
  }

  /** Voids the hold and frees the room; either may already be gone (expired, swept). */
  private release(entry: Entry): void {
    const { wallet, quotas } = this.opts.billing
    if (entry.holdId) {
      const holdId = entry.holdId
      entry.holdId = null
      if (wallet.getHold(holdId).status === 'pending') wallet.void({ key: `quote:${entry.quote.key}:void`, holdId })
    }
    if (entry.leaseId) {
      const leaseId = entry.leaseId
      entry.leaseId = null
      quotas.release(leaseId)
    }
  }

  private entry(key: string): Entry {
    const entry = this.entries.get(checkQuoteKey(key))
    if (!entry) throw new NotFound('quote', key)
    return entry
  }

  private prune(now: number): void {
    for (const [k, e] of this.entries) if (e.closedAt !== null && now - e.closedAt > KEEP_CLOSED_MS) this.entries.delete(k)
  }

  private now(): number {
    return this.opts.billing.clock.now()
  }
}

function checkQuoteKey(key: unknown): string {
  const parsed = quoteKeySchema.safeParse(key)
  if (!parsed.success) throw new InvalidInput('key must be 8..100 characters of A-Z a-z 0-9 _ . : -', { key })
  return parsed.data
}
