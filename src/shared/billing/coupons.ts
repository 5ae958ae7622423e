import { z } from 'zod'
import { BillingPeriodSchema, CheckoutItemSchema, ClientIdSchema, MoneySchema, PlanCodeSchema } from '../contract-base'

// The coupon and quote contract between the relay (which prices) and the app (which explains).
// Percentages are decimal strings ("33.33"), never floats; amounts are minor units (MoneySchema).

/** A promotion code as typed: case-insensitive, compared upper-cased. */
export const PromotionCodeSchema = z
  .string()
  .trim()
  .min(3)
  .max(40)
  .regex(/^[A-Za-z0-9_-]+$/, 'a code is letters, digits, _ or -')
  .transform((s) => s.toUpperCase())

/** Why a code does not apply; each has its sentence in the app (zh-CN and en). */
export const COUPON_REFUSALS = [
  'unknown',
  'expired',
  'not_yet_valid',
  'not_applicable',
  'below_minimum',
  'used_up',
  'already_used',
  'first_purchase_only',
  'inactive',
  'currency'
] as const
export const CouponRefusalSchema = z.enum(COUPON_REFUSALS)
export type CouponRefusal = z.infer<typeof CouponRefusalSchema>

export const DecimalStringSchema = z.string().regex(/^\d{1,3}(\.\d{1,4})?$/, 'a decimal such as 33.33')

/** How long a subscription coupon keeps discounting: the first period, N periods, or every one. */
export const CouponDurationSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('once') }),
  z.strictObject({ kind: z.literal('repeating'), periods: z.int().min(1).max(120) }),
  z.strictObject({ kind: z.literal('forever') })
])

/** What a coupon takes off: a percent of the list price, or a fixed amount (never below zero). */
export const CouponOffSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('percent'), percent: DecimalStringSchema }),
  z.strictObject({ kind: z.literal('amount'), amount: MoneySchema })
])

/** A coupon applied, as the quote and the app show it. */
export const AppliedCouponSchema = z.strictObject({
  couponId: z.string(),
  /** The promotion code used, upper-cased; absent for an account-bound coupon used without a code. */
  code: z.string().optional(),
  name: z.string(),
  off: CouponOffSchema,
  duration: CouponDurationSchema
})
export type AppliedCoupon = z.infer<typeof AppliedCouponSchema>

/** POST /v1/quotes. `payment: 'wallet'` prices a plan paid from the wallet (same rules). */
export const QuoteRequestSchema = z.strictObject({
  item: CheckoutItemSchema,
  code: PromotionCodeSchema.optional(),
  payment: z.enum(['provider', 'wallet']).optional()
})
export type QuoteRequest = z.infer<typeof QuoteRequestSchema>

export const QuoteSchema = z.strictObject({
  item: CheckoutItemSchema,
  /** The catalog version that priced it. */
  catalogVersion: z.int(),
  listPrice: MoneySchema,
  discount: MoneySchema,
  /** VAT included in total, at taxRate ("0.06"). */
  taxRate: DecimalStringSchema.or(z.string().regex(/^0(\.\d{1,4})?$/)),
  tax: MoneySchema,
  total: MoneySchema,
  /** Recharges: promotion credit added beside the amount paid (充值赠送). */
  bonus: MoneySchema.optional(),
  coupon: AppliedCouponSchema.optional(),
  /**
   * A wallet quote (payment 'wallet') whose code applies: the account-bound grant the code was
   * claimed as (its coupon_grant record is in the feed); the subscription_purchase names it.
   */
  grantId: z.string().optional(),
  /** Set when a code was given and does not apply: the total is then the full price. */
  refusal: z.strictObject({ code: CouponRefusalSchema, message: z.string() }).optional()
})
export type Quote = z.infer<typeof QuoteSchema>
export const QuoteResponseSchema = z.strictObject({ quote: QuoteSchema })

/**
 * Feed record `coupon_grant`: a coupon bound to the account (a welcome coupon), signed, so the
 * app may use it once offline for a wallet-paid plan; the relay confirms the use on sync.
 * `state` 'revoked' or 'used' withdraws it on every device.
 */
export const CouponGrantSchema = z.strictObject({
  grantId: ClientIdSchema.or(z.string().min(1).max(128)),
  couponId: z.string(),
  name: z.string(),
  off: CouponOffSchema,
  /** Plans and periods it applies to; empty: every plan. Account-bound coupons never apply to recharges. */
  appliesTo: z.array(z.strictObject({ planCode: PlanCodeSchema, period: BillingPeriodSchema.optional() })),
  minimum: MoneySchema.optional(),
  maxDiscount: MoneySchema.optional(),
  validFrom: z.int(),
  validUntil: z.int().nullable(),
  state: z.enum(['available', 'used', 'revoked']),
  at: z.int()
})
export type CouponGrant = z.infer<typeof CouponGrantSchema>
