import { z } from 'zod'
import { timestampSchema } from './common'

export const QUOTA_FEATURES = ['ai_request', 'export', 'live_room', 'storage'] as const
export const quotaFeatureSchema = z.enum(QUOTA_FEATURES)

export const usageItemSchema = z.object({
  feature: quotaFeatureSchema,
  /** Counters reset each billing period; gauges (live rooms, storage) are held and released. */
  kind: z.enum(['counter', 'gauge']),
  /** Storage is counted in MB (limits are whole GB × 1024); the rest in whole units. */
  unit: z.enum(['requests', 'exports', 'rooms', 'MB']),
  /** null means unlimited. */
  limit: z.int().min(0).nullable(),
  used: z.int().min(0),
  /** When the counter resets; null for gauges and lifetime periods. */
  resetsAt: timestampSchema.nullable()
})

export const usageSummaryOutput = z.object({
  items: z.array(usageItemSchema),
  /** The plan the limits come from, after any offline fallback to FREE. */
  effectiveTier: z.enum(['FREE', 'BASIC', 'PREMIUM', 'ENTERPRISE'])
})
