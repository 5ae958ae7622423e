import { z } from 'zod'
import { localeSchema, timestampSchema } from './common'

export const SYNC_WARNINGS = ['ledger_tampered', 'clock_moved_back', 'lease_expired', 'debt_outstanding', 'trial_refused'] as const

export const syncStateSchema = z.object({
  online: z.boolean(),
  syncing: z.boolean(),
  lastSyncAt: timestampSchema.nullable(),
  /** Outbox rows not yet acked by the relay. */
  pendingCount: z.int().min(0),
  /** Checkouts still waiting for payment. */
  pendingCheckouts: z.int().min(0),
  lastError: z.string().nullable(),
  /** Things the user must be told: local data not trusted until the next sync, and why. */
  warnings: z.array(z.enum(SYNC_WARNINGS)),
  /** Outbox records the relay refused for good (kept, never retried), and the latest one. */
  rejectedCount: z.int().min(0),
  lastRejection: z
    .object({ recordId: z.string(), kind: z.string(), code: z.string(), reason: z.string(), at: timestampSchema.nullable() })
    .nullable(),
  /** Authentic feed records that could not be applied (the feed went on past them), and the latest one. */
  skippedCount: z.int().min(0),
  lastSkipped: z.object({ recordId: z.string(), type: z.string(), reason: z.string(), at: timestampSchema }).nullable(),
  /**
   * With the `trial_refused` warning: the trial this device started that the relay refused (the
   * account had used that plan's trial already) and ended. Shown until the user subscribes or
   * the trial would have ended.
   */
  trialRefused: z.object({ planCode: z.string(), recordId: z.string(), at: timestampSchema }).nullable(),
  /**
   * The catalog version in force on this device (1: the built-in one, until the relay's first
   * `catalog` record). When it changes, screens showing prices or recharge options reload them.
   */
  catalogVersion: z.int().min(1),
  /** The module's own health in the host's main process (docs/performance.md). */
  health: z.object({
    /** When the last full check of the ledger file (on a worker thread) ran to its end; null before the first. */
    fullCheckAt: timestampSchema.nullable(),
    /** Why the last full check could not run to its end or record its checkpoint (the check failed, not the ledger), or null. */
    fullCheckError: z.string().nullable(),
    /** The longest time the module's process kept its event loop from turning since start, ms. */
    longestBlockMs: z.number().min(0)
  })
})

export const settingsSchema = z.object({ locale: localeSchema })
export const settingsSetInput = z.strictObject({ locale: localeSchema })
