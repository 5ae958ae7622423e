import { z } from 'zod'
import { BILLING_PERIODS, PLAN_CODES, PlanLimitsSchema } from '../../catalog'
import { idSchema, idempotencyKeySchema, moneySchema, timestampSchema } from './common'

/** Plan codes and periods are the catalog's. */
export const TIERS = PLAN_CODES
export const PERIODS = BILLING_PERIODS
export const tierSchema = z.enum(TIERS)
export const periodSchema = z.enum(PERIODS)

/** null means unlimited (the catalog's one encoding). Counters are per billing period. */
export const planLimitsSchema = PlanLimitsSchema

export const planSchema = z.object({
  id: idSchema,
  tier: tierSchema,
  period: periodSchema,
  price: moneySchema,
  originalPrice: moneySchema.nullable(),
  /** Stable feature codes; the renderer translates them. */
  features: z.array(z.string()),
  limits: planLimitsSchema,
  trialDays: z.int().min(0).nullable(),
  sortOrder: z.int()
})
export const plansListOutput = z.object({ plans: z.array(planSchema) })

export const SUBSCRIPTION_STATUSES = [
  'trialing',
  'active',
  'past_due',
  'cancelled',
  'expired',
  'suspended'
] as const

export const subscriptionSchema = z.object({
  id: idSchema,
  planId: idSchema,
  tier: tierSchema,
  period: periodSchema,
  status: z.enum(SUBSCRIPTION_STATUSES),
  autoRenew: z.boolean(),
  currentPeriodStart: timestampSchema,
  /** null for lifetime plans. */
  currentPeriodEnd: timestampSchema.nullable(),
  trialEndsAt: timestampSchema.nullable(),
  /** Cancelled, but runs until the end of the paid period. */
  cancelAtPeriodEnd: z.boolean(),
  cancelReason: z.string().nullable()
})
export const currentSubscriptionOutput = z.object({ subscription: subscriptionSchema.nullable() })

export const subscribeInput = z.strictObject({
  idempotencyKey: idempotencyKeySchema,
  planId: idSchema,
  /** An account-bound coupon (我的优惠券) to take off a plan paid from the wallet. */
  couponGrantId: z.string().min(1).max(128).optional()
})

export const CANCEL_REASONS = ['too_expensive', 'missing_features', 'not_streaming', 'switching', 'other'] as const
export const cancelInput = z.strictObject({
  idempotencyKey: idempotencyKeySchema,
  reason: z.enum(CANCEL_REASONS),
  note: z.string().max(500).optional(),
  /** true: keep it until the paid period ends; false: end it now. */
  atPeriodEnd: z.boolean()
})

export const autoRenewInput = z.strictObject({ idempotencyKey: idempotencyKeySchema, enabled: z.boolean() })

/** Paying a plan from the wallet may fall short; the renderer then offers a recharge. */
export const subscribeOutput = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('subscribed'), subscription: subscriptionSchema }),
  z.object({ outcome: z.literal('needs_recharge'), price: moneySchema, shortfall: moneySchema })
])
