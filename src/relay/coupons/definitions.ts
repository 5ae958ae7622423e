import { z } from 'zod'
import { CouponDurationSchema, CouponOffSchema, PromotionCodeSchema, type CouponGrant } from '../../shared/billing/coupons'
import { ClientIdSchema, MoneySchema, PlanCodeSchema, BillingPeriodSchema } from '../../shared/contract-base'
import { InvalidInput, NotFound } from '../../shared/errors'
import type { Money } from '../../shared/money'
import type { CouponGrantRow, CouponRow, PromotionCodeRow } from '../store/coupons'

// Coupon definitions as operators write them (admin routes, CLI, the later console), validated
// by zod; and the stored rows read back as plain values. Every amount is in the catalog's
// currency (CNY): a coupon in another currency could never apply.

const CouponIdSchema = z.string().regex(/^[A-Za-z0-9_-]{3,64}$/, 'a coupon id is 3–64 letters, digits, _ or -')
/** A redemption limit; an instant in epoch ms. */
export const limit = z.int().min(1).max(1_000_000_000)
export const instant = z.int().min(0).max(Number.MAX_SAFE_INTEGER)

export const AppliesToSchema = z.strictObject({
  /** 'all': every paid plan; else these plans (a period absent: every period of it). */
  plans: z.union([z.literal('all'), z.array(z.strictObject({ planCode: PlanCodeSchema.exclude(['FREE']), period: BillingPeriodSchema.optional() })).max(50)]).default('all'),
  /** Whether it applies to wallet recharges. */
  recharge: z.boolean().default(false)
})
export type AppliesTo = z.infer<typeof AppliesToSchema>

export const CouponInputSchema = z
  .strictObject({
    id: CouponIdSchema.optional(),
    name: z.string().trim().min(1).max(100),
    off: CouponOffSchema,
    minimum: MoneySchema.optional(),
    maxDiscount: MoneySchema.optional(),
    totalLimit: limit.optional(),
    perAccountLimit: limit.optional(),
    firstPurchaseOnly: z.boolean().default(false),
    validFrom: instant.optional(),
    validUntil: instant.optional(),
    active: z.boolean().default(true),
    appliesTo: AppliesToSchema.default({ plans: 'all', recharge: false }),
    duration: CouponDurationSchema.default({ kind: 'once' })
  })
  .superRefine((c, ctx) => {
    if (c.off.kind === 'percent' && (Number(c.off.percent) <= 0 || Number(c.off.percent) > 100)) {
      ctx.addIssue({ code: 'custom', path: ['off', 'percent'], message: 'must be above 0 and at most 100' })
    }
    if (c.off.kind === 'amount' && c.off.amount.amount <= 0) ctx.addIssue({ code: 'custom', path: ['off', 'amount'], message: 'must be above 0' })
    for (const [field, m] of [['off', c.off.kind === 'amount' ? c.off.amount : undefined], ['minimum', c.minimum], ['maxDiscount', c.maxDiscount]] as const) {
      if (m && m.currency !== 'CNY') ctx.addIssue({ code: 'custom', path: [field], message: 'coupons are in CNY, the catalog currency' })
      if (m && m.amount < 0) ctx.addIssue({ code: 'custom', path: [field], message: 'must not be below 0' })
    }
    if (c.validFrom !== undefined && c.validUntil !== undefined && c.validUntil <= c.validFrom) {
      ctx.addIssue({ code: 'custom', path: ['validUntil'], message: 'must be after validFrom' })
    }
    if (c.appliesTo.plans !== 'all' && c.appliesTo.plans.length === 0 && !c.appliesTo.recharge) {
      ctx.addIssue({ code: 'custom', path: ['appliesTo'], message: 'applies to nothing: name plans, or recharge: true' })
    }
    if (c.perAccountLimit !== undefined && c.totalLimit !== undefined && c.perAccountLimit > c.totalLimit) {
      ctx.addIssue({ code: 'custom', path: ['perAccountLimit'], message: 'must not exceed totalLimit' })
    }
  })
export type CouponInput = z.input<typeof CouponInputSchema>

export const PromotionCodeInputSchema = z.strictObject({
  code: PromotionCodeSchema,
  totalLimit: limit.optional(),
  perAccountLimit: limit.optional(),
  validUntil: instant.optional(),
  active: z.boolean().default(true)
})

export const CouponGrantInputSchema = z.strictObject({
  accountId: z.string().min(1).max(128),
  grantId: ClientIdSchema.optional(),
  validUntil: instant.optional()
})

/** A coupon as the rules read it. */
export interface Coupon {
  id: string
  name: string
  off: z.infer<typeof CouponOffSchema>
  minimum: Money | undefined
  maxDiscount: Money | undefined
  totalLimit: number | null
  perAccountLimit: number | null
  firstPurchaseOnly: boolean
  validFrom: number | null
  validUntil: number | null
  active: boolean
  appliesTo: AppliesTo
  duration: z.infer<typeof CouponDurationSchema>
  redeemed: number
}

export function toCoupon(r: CouponRow): Coupon {
  return {
    id: r.id,
    name: r.name,
    off: JSON.parse(r.off_json) as Coupon['off'],
    minimum: r.minimum === null ? undefined : { amount: r.minimum, currency: r.currency },
    maxDiscount: r.max_discount === null ? undefined : { amount: r.max_discount, currency: r.currency },
    totalLimit: r.total_limit,
    perAccountLimit: r.per_account_limit,
    firstPurchaseOnly: r.first_purchase_only === 1,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    active: r.active === 1,
    appliesTo: JSON.parse(r.applies_json) as AppliesTo,
    duration: JSON.parse(r.duration_json) as Coupon['duration'],
    redeemed: r.redeemed
  }
}

/** The coupon row of validated input. */
export function couponRow(id: string, c: z.output<typeof CouponInputSchema>, now: number): CouponRow {
  return {
    id,
    name: c.name,
    off_json: JSON.stringify(c.off),
    currency: 'CNY',
    minimum: c.minimum?.amount ?? null,
    max_discount: c.maxDiscount?.amount ?? null,
    total_limit: c.totalLimit ?? null,
    per_account_limit: c.perAccountLimit ?? null,
    first_purchase_only: c.firstPurchaseOnly ? 1 : 0,
    valid_from: c.validFrom ?? null,
    valid_until: c.validUntil ?? null,
    active: c.active ? 1 : 0,
    applies_json: JSON.stringify(c.appliesTo),
    duration_json: JSON.stringify(c.duration),
    redeemed: 0,
    created_at: now,
    updated_at: now
  }
}

export function codeRow(couponId: string, c: z.output<typeof PromotionCodeInputSchema>, now: number): PromotionCodeRow {
  return {
    code: c.code,
    coupon_id: couponId,
    total_limit: c.totalLimit ?? null,
    per_account_limit: c.perAccountLimit ?? null,
    valid_until: c.validUntil ?? null,
    active: c.active ? 1 : 0,
    redeemed: 0,
    created_at: now
  }
}

/** The signed `coupon_grant` record of a grant (every state change is sent again). */
export function grantRecord(g: CouponGrantRow, c: Coupon, at: number): CouponGrant {
  return {
    grantId: g.id,
    couponId: c.id,
    name: c.name,
    off: c.off,
    appliesTo: c.appliesTo.plans === 'all' ? [] : c.appliesTo.plans.map((p) => (p.period ? { planCode: p.planCode, period: p.period } : { planCode: p.planCode })),
    ...(c.minimum ? { minimum: c.minimum } : {}),
    ...(c.maxDiscount ? { maxDiscount: c.maxDiscount } : {}),
    validFrom: g.valid_from,
    validUntil: g.valid_until,
    // Devices know three states: an expired grant is withdrawn like a revoked one.
    state: g.state === 'expired' ? 'revoked' : g.state,
    at
  }
}

export function missingCoupon(id: string): NotFound {
  return new NotFound('coupon', id)
}

/** Account-bound coupons are for wallet-paid plans: one that applies only to recharges cannot be granted. */
export function assertGrantable(c: Coupon): void {
  if (c.appliesTo.plans !== 'all' && c.appliesTo.plans.length === 0) {
    throw new InvalidInput(`coupon ${c.id} applies only to recharges; an account-bound coupon is for plans`, { couponId: c.id })
  }
}
