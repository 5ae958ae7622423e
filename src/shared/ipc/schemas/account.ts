import { z } from 'zod'
import { idSchema, timestampSchema } from './common'

// Signing in to a relay account (email or mobile number + one-time code) and the account's
// devices. Signed out, the app runs on the free tier on its own data, as before.

export const signInMethodSchema = z.enum(['email', 'sms'])

export const accountDeviceSchema = z.object({
  deviceId: z.string(),
  name: z.string(),
  enrolledAt: timestampSchema,
  /** This computer. */
  current: z.boolean()
})

export const accountViewSchema = z.discriminatedUnion('signedIn', [
  z.object({
    signedIn: z.literal(false),
    /** The relay's sign-in methods; null when no relay is configured or it cannot be reached. */
    methods: z.array(signInMethodSchema).nullable(),
    /**
     * Signed out before the relay could hear it: what this computer had not synced goes up, and
     * it is removed from the account, once the relay answers (absent when nothing is waiting).
     */
    leaving: z.literal(true).optional()
  }),
  z.object({
    signedIn: z.literal(true),
    accountId: z.string(),
    deviceId: z.string(),
    /** How this device signed in ('enrolment': an operator's code; null: not recorded). */
    method: z.enum(['email', 'sms', 'host', 'enrolment']).nullable(),
    /** The address or number signed in with. */
    target: z.string().nullable(),
    /** Active devices of the account; null when the relay cannot be reached just now. */
    devices: z.array(accountDeviceSchema).nullable()
  })
])

export const requestCodeInput = z.strictObject({
  method: signInMethodSchema,
  target: z.string().trim().min(3).max(254)
})
export const requestCodeOutput = z.object({ expiresAt: timestampSchema })

export const verifyCodeInput = z.strictObject({
  method: signInMethodSchema,
  target: z.string().trim().min(3).max(254),
  code: z.string().regex(/^\d{6}$/)
})

export const removeDeviceInput = z.strictObject({ deviceId: idSchema })
