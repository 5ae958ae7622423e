import { z } from 'zod'
import { BILLING_PERIODS, PLAN_CODES, PlanLimitsSchema, PROVIDERS } from './catalog'

// The pieces every contract file shares (relay-contract, billing/*): imported by them, so none
// of them imports another in a cycle.

// ── Shared pieces ─────────────────────────────────────────────────────────────────────────
export const CurrencySchema = z.enum(['CNY', 'USD', 'EUR', 'HKD', 'JPY'])
export const MoneySchema = z.strictObject({
  amount: z.number().int().min(-10_000_000_000).max(10_000_000_000),
  currency: CurrencySchema
})
export type MoneyDto = z.infer<typeof MoneySchema>

// Codes, periods, providers and limits are the catalog's (src/shared/catalog): limits as there,
// snake_case with null for unlimited, in prices and in signed leases alike.
export const PlanCodeSchema = z.enum(PLAN_CODES)
export const BillingPeriodSchema = z.enum(BILLING_PERIODS)
export const ProviderNameSchema = z.enum(PROVIDERS)
export { PlanLimitsSchema }
export type { BillingPeriod, PlanCode, PlanLimits, ProviderName } from './catalog'

/** Client-chosen ids and idempotency keys: opaque, printable, bounded. */
export const ClientIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{8,128}$/, 'ids are 8–128 chars of [A-Za-z0-9._:-]')

/**
 * What is bought. Strict: a plan item with any price or amount field is rejected, because the
 * relay prices plans itself. A recharge names the amount to credit, which must satisfy the
 * relay's recharge rules.
 */
export const CheckoutItemSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('recharge'), amount: MoneySchema }),
  z.strictObject({ kind: z.literal('plan'), planCode: PlanCodeSchema, period: BillingPeriodSchema })
])
export type CheckoutItem = z.infer<typeof CheckoutItemSchema>
