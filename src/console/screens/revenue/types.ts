// What the relay's report routes answer (src/relay/reports: revenue.ts, mrr.ts; the trials route
// in src/relay/http/console*.ts). The console may not import the relay's code (lint zones), so
// the shapes it reads are written here; the report types the contract holds (ConsoleTaxReport,
// ConsoleStatement) come from src/shared/console/api.ts. Amounts are minor units of the key's currency.

import type { Bucket } from '../../lib/calendar'
export type { Bucket }

export interface RevenueLine {
  gross: number
  discounts: number
  refunds: number
  promotions: number
  net: number
  tax: number
}

/** GET /v1/console/reports/revenue?from=&to=&bucket= → { report } */
export interface RevenueReport {
  bucket: Bucket
  from: number
  to: number
  timeZone: string
  /** currency → bucket key ("2026-12-07", "2026-12", "2026") → line; empty buckets left out. */
  periods: Record<string, Record<string, RevenueLine>>
  totals: Record<string, RevenueLine>
  /** currency → provider → money in, net of refunds. */
  providers: Record<string, Record<string, number>>
  /** currency → "PLAN:period" → gross. */
  plans: Record<string, Record<string, number>>
  walletLiability: Record<string, { wallets: number; promotionCredit: number }>
  arpu: Record<string, { accounts: number; arpu: number }>
}

/** GET /v1/console/reports/mrr?at= → { report } */
export interface MrrAt {
  at: number
  mrr: Record<string, number>
  arr: Record<string, number>
  payingAccounts: Record<string, number>
}

/** GET /v1/console/reports/mrr-movement?from=&to= → { report } */
export interface MrrMovement {
  from: number
  to: number
  movement: Record<string, { start: number; new: number; expansion: number; contraction: number; churn: number; end: number }>
}

/** GET /v1/console/reports/trials?from=&to= → { report }; rate is a decimal string (0–1). */
export interface TrialsReport {
  from: number
  to: number
  plans: { planCode: string; trials: number; converted: number; rate: string }[]
}
