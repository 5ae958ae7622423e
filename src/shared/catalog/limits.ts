import { z } from 'zod'

// A plan's limits, in the one encoding every layer uses (catalog, the app's plans table, IPC,
// the relay's prices and signed leases): a whole number, or null for unlimited. 0 means the
// feature is not in the plan. Counters count per usage month; gauges (rooms, storage) at once.

export const LIMIT_KEYS = ['max_streams', 'max_storage_gb', 'max_ai_requests', 'max_export_count'] as const
export type LimitKey = (typeof LIMIT_KEYS)[number]

/** A limit: a whole number ≥ 0, or null for unlimited. */
export const LimitSchema = z.int().min(0).nullable()

export const PlanLimitsSchema = z.strictObject({
  max_streams: LimitSchema,
  max_storage_gb: LimitSchema,
  max_ai_requests: LimitSchema,
  max_export_count: LimitSchema
})
export type PlanLimits = z.infer<typeof PlanLimitsSchema>
