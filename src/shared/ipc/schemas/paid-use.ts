import { z } from 'zod'
import { idempotencyKeySchema, moneySchema, timestampSchema } from './common'
import { needsRechargeSchema, paidFeatureSchema } from './wallet'

// A paid use in two steps: begin asks the wallet rule what would happen and reserves it (a
// hold on the price, the live room), nothing spent; confirm spends exactly what was quoted;
// cancel, or letting the quote expire, gives everything back. Main holds the quotes; the
// renderer and the host's main process only name a key and a feature.

/** What confirming would do: a paid use's quote. The last two cannot be confirmed. */
export const quoteDecisionSchema = z.discriminatedUnion('outcome', [
  /** The balance pays: the price is held now, taken at confirm. */
  z.object({ outcome: z.literal('paid'), feature: paidFeatureSchema, price: moneySchema, balanceAfter: moneySchema }),
  /** The account's one free use pays (promotions). */
  z.object({ outcome: z.literal('first_free'), feature: paidFeatureSchema, price: moneySchema }),
  /** The plan's price for this use is zero: nothing is charged. */
  z.object({ outcome: z.literal('included'), feature: paidFeatureSchema, price: moneySchema }),
  /** Not possible: top up at least the shortfall. */
  needsRechargeSchema,
  /** Not possible: every live room of the plan is in use (or the plan has none). */
  z.object({
    outcome: z.literal('no_room'),
    feature: paidFeatureSchema,
    price: moneySchema,
    limit: z.int().min(0),
    used: z.int().min(0)
  })
])

/** The caller's key for one paid use (shorter than a ledger key: main derives its keys from it). */
export const quoteKeySchema = idempotencyKeySchema.max(100)

export const QUOTE_STATUSES = ['pending', 'confirmed', 'cancelled', 'expired'] as const

export const quoteSchema = z.object({
  /** The caller's idempotency key: beginning again with it returns this quote. */
  key: quoteKeySchema,
  status: z.enum(QUOTE_STATUSES),
  decision: quoteDecisionSchema,
  /** Confirm before this (epoch ms); what it reserved is released after it. */
  expiresAt: timestampSchema
})

export const liveSessionSchema = z.object({
  key: quoteKeySchema,
  startedAt: timestampSchema,
  /** The room lease's expiry: main heartbeats it while the session runs. */
  roomExpiresAt: timestampSchema.nullable()
})

/** What a confirmed quote did. */
export const confirmedSchema = z.object({
  key: quoteKeySchema,
  outcome: z.enum(['paid', 'first_free', 'included']),
  feature: paidFeatureSchema,
  price: moneySchema,
  /** The balance after the charge (unchanged for first_free and included). */
  balance: moneySchema,
  /** Set for a live session: the room it holds. */
  live: liveSessionSchema.nullable()
})

export const gateBeginInput = z.strictObject({ idempotencyKey: quoteKeySchema, feature: paidFeatureSchema })
export const quoteRefInput = z.strictObject({ key: quoteKeySchema })
export const liveStartInput = z.strictObject({ idempotencyKey: quoteKeySchema })
export const liveStateSchema = z.object({ sessions: z.array(liveSessionSchema) })
