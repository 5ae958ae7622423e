// The paid uses the wallet rule gates, each with a price per use in the catalog
// (featurePrices). The renderer names the feature only; the price is the catalog's.

export const PAID_FEATURES = ['live_session', 'ai_request', 'export'] as const
export type PaidFeature = (typeof PAID_FEATURES)[number]

/** Minor units of the catalog's currency per use. */
export type FeaturePrices = Readonly<Record<PaidFeature, number>>

/** The built-in prices per use (version 1 of the catalog). */
export const BUILT_IN_FEATURE_PRICES: FeaturePrices = {
  live_session: 500, // ¥5.00 per live session
  ai_request: 10, // ¥0.10 per AI request
  export: 100 // ¥1.00 per export
}

/** The built-in recharge rules (version 1): amounts in minor units of the catalog's currency. */
export const BUILT_IN_RECHARGE = {
  min: 100,
  max: 500_000,
  presets: [1000, 3000, 5000, 10_000, 20_000, 50_000]
} as const
