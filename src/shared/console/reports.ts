// The shapes the console's report routes answer (src/relay/reports builds them, src/console reads
// them): one definition for both sides. Amounts are minor units of the key's currency.

export type Bucket = 'day' | 'month' | 'year'

export interface RevenueLine {
  gross: number
  discounts: number
  refunds: number
  promotions: number
  net: number
  tax: number
}

export interface RevenueReport {
  bucket: Bucket
  from: number
  to: number
  timeZone: string
  /** currency → bucket key ("2026-12-07", "2026-12", "2026") → line; buckets without movement are left out. */
  periods: Record<string, Record<string, RevenueLine>>
  /** currency → the whole range. */
  totals: Record<string, RevenueLine>
  /** currency → provider → money in, net of refunds. */
  providers: Record<string, Record<string, number>>
  /** currency → "PLAN:period" → gross. */
  plans: Record<string, Record<string, number>>
  /** currency → prepaid wallets and promotion credit not spent, as of `to`. */
  walletLiability: Record<string, { wallets: number; promotionCredit: number }>
  /** currency → accounts with revenue in the range, and net revenue per such account (ARPU, rounded half up). */
  arpu: Record<string, { accounts: number; arpu: number }>
}

export interface MrrAt {
  at: number
  /** currency → MRR (minor units). */
  mrr: Record<string, number>
  arr: Record<string, number>
  /** currency → accounts paying a recurring plan. */
  payingAccounts: Record<string, number>
}

export interface MrrMovement {
  from: number
  to: number
  /** currency → the parts of the change. */
  movement: Record<string, { start: number; new: number; expansion: number; contraction: number; churn: number; end: number }>
}

/** GET /v1/console/reports/trials?from=&to= → { report }; rate is a decimal string (0–1). */
export interface TrialsReport {
  from: number
  to: number
  plans: { planCode: string; trials: number; converted: number; rate: string }[]
}
