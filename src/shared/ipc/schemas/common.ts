import { z } from 'zod'
import { ERROR_CODES } from '../../errors'
import { CURRENCIES, MAX_AMOUNT, type Currency } from '../../money'

// Building blocks every channel uses. Inputs are strict objects: an unknown key is a
// malformed request, not something to ignore, because the renderer is not trusted.

const currencyCodes = Object.keys(CURRENCIES) as [Currency, ...Currency[]]
export const currencySchema = z.enum(currencyCodes)

/** Money crosses as integer minor units plus an ISO code, never a float. */
export const moneySchema = z.strictObject({
  amount: z.int().min(-MAX_AMOUNT).max(MAX_AMOUNT),
  currency: currencySchema
})
export const positiveMoneySchema = z.strictObject({
  amount: z.int().min(1).max(MAX_AMOUNT),
  currency: currencySchema
})

/** Epoch milliseconds. */
export const timestampSchema = z.int().min(0)

/**
 * A client-generated key, stored by main before the mutation is applied. `feed:` starts the
 * keys of what the relay's feed applies (those effects are not sent back to the relay), so a
 * client may not use it: a spend under such a key would never reach the relay.
 */
export const idempotencyKeySchema = z
  .string()
  .min(8)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/)
  .refine((k) => !k.startsWith('feed:'), 'the feed: prefix is reserved for the relay feed')

export const idSchema = z.string().min(1).max(128)

/** An opaque paging cursor issued by main; null/absent starts at the newest item. */
export const cursorSchema = z.string().min(1).max(512).nullable()
export const pageLimitSchema = z.int().min(1).max(100)

export const emptyInput = z.strictObject({})

export const errorInfoSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional()
})

/** The envelope of every answer; the value is checked against the channel's output schema. */
export const resultEnvelopeSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: errorInfoSchema })
])

export const localeSchema = z.enum(['zh-CN', 'en'])
