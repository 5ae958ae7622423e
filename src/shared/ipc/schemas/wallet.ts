import { z } from 'zod'
import { PAID_FEATURES } from '../../catalog/features'
import { cursorSchema, idSchema, idempotencyKeySchema, moneySchema, pageLimitSchema, timestampSchema } from './common'

export const walletBalanceSchema = z.object({
  /** Posted balance: the cash (recharged money; a refund gives back from it). */
  balance: moneySchema,
  /** Promotion credit (充值赠送, recharge bonuses): spent after the cash, never refunded as cash. */
  bonus: moneySchema,
  /** Reserved by open holds (a running live session, an AI call). */
  held: moneySchema,
  /** What may be spent now: balance + bonus, holds already out of both; zero while a debt is owed. */
  available: moneySchema,
  /** Owed after a refund larger than the balance; paid use stops while it is above zero. */
  debt: moneySchema,
  /** The once-per-account free use has not been taken yet. */
  firstFreeAvailable: z.boolean()
})

/** The wallet ledger's operation types (src/main/wallet ENTRY_TYPES). */
export const WALLET_ENTRY_TYPES = ['recharge', 'consume', 'hold', 'settle', 'void', 'expire', 'first_free', 'refund', 'align'] as const
export const walletEntryTypeSchema = z.enum(WALLET_ENTRY_TYPES)

export const walletEntrySchema = z.object({
  id: idSchema,
  type: walletEntryTypeSchema,
  /** Signed: credits to the wallet are positive, debits negative. */
  amount: moneySchema,
  /** null when the ledger does not keep a running balance for this row. */
  balanceAfter: moneySchema.nullable(),
  /** The row moved promotion credit (赠送金), not the cash: `amount` is its change. */
  bonus: z.literal(true).optional(),
  feature: z.string().nullable(),
  reason: z.string().nullable(),
  createdAt: timestampSchema
})

export const walletHistoryInput = z.strictObject({
  types: z.array(walletEntryTypeSchema).max(WALLET_ENTRY_TYPES.length).optional(),
  from: timestampSchema.optional(),
  to: timestampSchema.optional(),
  cursor: cursorSchema.optional(),
  limit: pageLimitSchema
})
export const walletHistoryOutput = z.object({
  items: z.array(walletEntrySchema),
  nextCursor: z.string().nullable()
})

/**
 * Paid features the wallet rule gates. The renderer names the feature only: the price is
 * main's (its price list or the relay's), so the renderer cannot choose what it pays.
 */
export { PAID_FEATURES }
export const paidFeatureSchema = z.enum(PAID_FEATURES)

export const chargeOrFreeInput = z.strictObject({
  idempotencyKey: idempotencyKeySchema,
  feature: paidFeatureSchema
})

/**
 * Not paid: top up at least the shortfall. `balance` is the cash; the shortfall is the debt plus
 * what cash and promotion credit (`wallet.balance().bonus`) lack together (src/shared/billing/shortfall.ts),
 * so it may be less than price − balance. Also a quote's answer.
 */
export const needsRechargeSchema = z.object({
  outcome: z.literal('needs_recharge'),
  feature: paidFeatureSchema,
  price: moneySchema,
  balance: moneySchema,
  shortfall: moneySchema
})

/** The wallet rule's three answers: debit the balance, use first-free, or recharge. */
export const gateOutcomeSchema = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('paid'),
    feature: paidFeatureSchema,
    price: moneySchema,
    balanceAfter: moneySchema
  }),
  z.object({ outcome: z.literal('first_free'), feature: paidFeatureSchema, price: moneySchema }),
  needsRechargeSchema
])
