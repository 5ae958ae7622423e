import { money, type Currency, type Money } from '../../shared/money'
import type { PAID_FEATURES } from '../../shared/ipc/schemas/wallet'

// Main's own price list for the paid uses the wallet rule gates. The renderer names the
// feature only; what it costs is decided here (later: the relay's catalog, cached by sync).

export type PaidFeature = (typeof PAID_FEATURES)[number]

/** Minor units per use. */
export type PriceList = Readonly<Record<PaidFeature, number>>

export const DEFAULT_PRICES: PriceList = {
  live_session: 500, // ¥5.00 per live session
  ai_request: 10, // ¥0.10 per AI request
  export: 100 // ¥1.00 per export
}

export function priceOf(prices: PriceList, feature: PaidFeature, currency: Currency): Money {
  return money(prices[feature], currency)
}
