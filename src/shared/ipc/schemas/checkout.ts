import { z } from 'zod'
import { PROVIDERS } from '../../catalog'
import { PromotionCodeSchema, QuoteSchema } from '../../billing/coupons'
import {
  cursorSchema,
  idSchema,
  idempotencyKeySchema,
  moneySchema,
  pageLimitSchema,
  positiveMoneySchema,
  timestampSchema
} from './common'

/** The payment methods a checkout may name: the catalog's providers. */
export const PAYMENT_METHODS = PROVIDERS
export const paymentMethodSchema = z.enum(PAYMENT_METHODS)

/** Recharge limits, presets and payment methods: the catalog in force on the device (the relay's, signed). */
export const rechargeOptionsSchema = z.object({
  presets: z.array(moneySchema),
  min: moneySchema,
  max: moneySchema,
  methods: z.array(paymentMethodSchema)
})

export const checkoutPurposeSchema = z.discriminatedUnion('kind', [
  /** The amount is the user's choice; the relay checks it against min/max. */
  z.strictObject({ kind: z.literal('recharge'), amount: positiveMoneySchema }),
  /** A plan's price is computed by the relay, never sent by the renderer. */
  z.strictObject({ kind: z.literal('plan'), planId: idSchema })
])

/** After 'paid', refunds move a checkout on to 'partially_refunded' and 'refunded' (the relay's order state). */
export const CHECKOUT_STATUSES = ['pending', 'paid', 'partially_refunded', 'refunded', 'expired', 'cancelled', 'failed'] as const
export const checkoutStatusSchema = z.enum(CHECKOUT_STATUSES)

export const checkoutSchema = z.object({
  orderId: idSchema,
  method: paymentMethodSchema,
  purpose: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('recharge') }),
    z.object({ kind: z.literal('plan'), planId: idSchema })
  ]),
  amount: moneySchema,
  status: checkoutStatusSchema,
  /** 'qr': drawn in the page (Alipay, WeChat Pay); 'url': opened in the system browser by main. */
  display: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('qr'), content: z.string().min(1).max(4096) }),
    z.object({ kind: z.literal('url') })
  ]),
  expiresAt: timestampSchema,
  createdAt: timestampSchema,
  /** Why it failed, when status is 'failed'. */
  failureReason: z.string().nullable()
})

export const checkoutCreateInput = z.strictObject({
  idempotencyKey: idempotencyKeySchema,
  method: paymentMethodSchema,
  purpose: checkoutPurposeSchema,
  /** A promotion code: the relay prices the checkout exactly as its quote did. */
  code: PromotionCodeSchema.optional()
})

/** The relay's live price of a checkout (list, discount, tax, total, bonus, refusal of the code). */
export const checkoutQuoteInput = z.strictObject({
  purpose: checkoutPurposeSchema,
  code: PromotionCodeSchema.optional()
})
export const checkoutQuoteOutput = QuoteSchema
export const orderRefInput = z.strictObject({ orderId: idSchema })

export const PAYMENT_KINDS = ['payment', 'refund'] as const
/** A payment's status; a succeeded payment shows its order's refunds as 'partially_refunded' / 'refunded'. */
export const PAYMENT_STATUSES = ['pending', 'succeeded', 'partially_refunded', 'refunded', 'failed', 'expired', 'cancelled'] as const
export const paymentRecordSchema = z.object({
  id: idSchema,
  orderId: idSchema,
  kind: z.enum(PAYMENT_KINDS),
  method: paymentMethodSchema,
  amount: moneySchema,
  purpose: z.enum(['recharge', 'plan']),
  status: z.enum(PAYMENT_STATUSES),
  createdAt: timestampSchema
})

export const paymentsHistoryInput = z.strictObject({
  kinds: z.array(z.enum(PAYMENT_KINDS)).max(PAYMENT_KINDS.length).optional(),
  from: timestampSchema.optional(),
  to: timestampSchema.optional(),
  cursor: cursorSchema.optional(),
  limit: pageLimitSchema
})
export const paymentsHistoryOutput = z.object({
  items: z.array(paymentRecordSchema),
  nextCursor: z.string().nullable()
})

export const paymentConfirmedSchema = z.object({
  orderId: idSchema,
  amount: moneySchema,
  purpose: z.enum(['recharge', 'plan'])
})
