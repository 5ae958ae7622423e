import { money, type Currency, type Money } from '../../shared/money'
import { BUILT_IN_FEATURE_PRICES, type FeaturePrices, type PaidFeature } from '../../shared/catalog'

// The prices per use the wallet rule gates by. The renderer names the feature only; what it
// costs is the catalog's in force on this device (billing.subscriptions.catalog(): the relay's
// newest signed version, or the built-in one until the first sync).

export type { PaidFeature }

/** Minor units per use. */
export type PriceList = FeaturePrices

/** The built-in prices (catalog version 1). */
export const DEFAULT_PRICES: PriceList = BUILT_IN_FEATURE_PRICES

export function priceOf(prices: PriceList, feature: PaidFeature, currency: Currency): Money {
  return money(prices[feature], currency)
}
