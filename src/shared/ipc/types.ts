import type { z } from 'zod'
import type {
  checkoutSchema,
  paymentMethodSchema,
  paymentRecordSchema,
  rechargeOptionsSchema
} from './schemas/checkout'
import type { accountDeviceSchema, accountViewSchema, signInMethodSchema } from './schemas/account'
import type { localeSchema, moneySchema } from './schemas/common'
import type { planSchema, subscriptionSchema } from './schemas/subscriptions'
import type { confirmedSchema, liveSessionSchema, liveStateSchema, quoteDecisionSchema, quoteSchema } from './schemas/paid-use'
import type { syncStateSchema } from './schemas/sync'
import type { usageItemSchema } from './schemas/usage'
import type { gateOutcomeSchema, walletBalanceSchema, walletEntrySchema } from './schemas/wallet'

// Named types for the values that cross the contract, all inferred from the schemas.
export type MoneyDto = z.infer<typeof moneySchema>
export type Locale = z.infer<typeof localeSchema>
export type WalletBalance = z.infer<typeof walletBalanceSchema>
export type WalletEntry = z.infer<typeof walletEntrySchema>
export type GateOutcome = z.infer<typeof gateOutcomeSchema>
export type PaymentMethod = z.infer<typeof paymentMethodSchema>
export type RechargeOptions = z.infer<typeof rechargeOptionsSchema>
export type Checkout = z.infer<typeof checkoutSchema>
export type PaymentRecord = z.infer<typeof paymentRecordSchema>
export type Plan = z.infer<typeof planSchema>
export type Subscription = z.infer<typeof subscriptionSchema>
export type UsageItem = z.infer<typeof usageItemSchema>
export type SyncState = z.infer<typeof syncStateSchema>
export type QuoteDecision = z.infer<typeof quoteDecisionSchema>
export type Quote = z.infer<typeof quoteSchema>
export type Confirmed = z.infer<typeof confirmedSchema>
export type LiveSessionDto = z.infer<typeof liveSessionSchema>
export type LiveState = z.infer<typeof liveStateSchema>
export type AccountView = z.infer<typeof accountViewSchema>
export type AccountDevice = z.infer<typeof accountDeviceSchema>
export type SignInMethod = z.infer<typeof signInMethodSchema>
