import type { PlanLimits } from './limits'
import { BILLING_PERIODS, type BillingPeriod } from './periods'

// The built-in plans: codes in rank order, prices (CNY fen), original prices, limits, features
// and trial days. Pure data: the app seeds its plans table from it (src/main/subscriptions/
// plans.ts) and the relay prices checkouts and leases from it (src/relay/pricing/catalog.ts),
// so the two programs cannot disagree on a price.

/** Plan codes, lowest rank first. */
export const PLAN_CODES = ['FREE', 'BASIC', 'PREMIUM', 'ENTERPRISE'] as const
export type PlanCode = (typeof PLAN_CODES)[number]

export function isPlanCode(code: unknown): code is PlanCode {
  return typeof code === 'string' && (PLAN_CODES as readonly string[]).includes(code)
}

/** A plan's rank (FREE 0 … ENTERPRISE 3): of two plans in force the higher one applies. A code the catalog does not know ranks as FREE. */
export function planRank(code: string): number {
  return Math.max(0, (PLAN_CODES as readonly string[]).indexOf(code))
}

/** Every catalog price is in this currency's minor unit (fen). */
export const CATALOG_CURRENCY = 'CNY' as const

export interface CatalogTier {
  code: PlanCode
  name: string
  features: readonly string[]
  limits: Readonly<PlanLimits>
  /**
   * [price, original price] in fen per period; null: the tier is not sold for that period
   * (FREE exists once, monthly, at 0).
   */
  prices: Readonly<Record<BillingPeriod, readonly [number, number] | null>>
  /** Trial days offered on the monthly period. */
  trialDaysMonthly: number
}

export const PLAN_TIERS: readonly CatalogTier[] = [
  {
    code: 'FREE',
    name: '免费版',
    features: ['live_room', 'ai_reply', 'export'],
    limits: { max_streams: 1, max_storage_gb: 1, max_ai_requests: 50, max_export_count: 5 },
    prices: { monthly: [0, 0], quarterly: null, yearly: null, lifetime: null },
    trialDaysMonthly: 0
  },
  {
    code: 'BASIC',
    name: '基础版',
    features: ['live_room', 'ai_reply', 'export', 'cloud_storage'],
    limits: { max_streams: 1, max_storage_gb: 10, max_ai_requests: 1000, max_export_count: 50 },
    prices: { monthly: [2900, 3900], quarterly: [7900, 9900], yearly: [29900, 35900], lifetime: [89900, 129900] },
    trialDaysMonthly: 7
  },
  {
    code: 'PREMIUM',
    name: '高级版',
    features: ['live_room', 'ai_reply', 'export', 'cloud_storage', 'multi_room', 'ai_script', 'analytics'],
    limits: { max_streams: 3, max_storage_gb: 50, max_ai_requests: 5000, max_export_count: 200 },
    prices: { monthly: [5900, 7900], quarterly: [15900, 19900], yearly: [59900, 71900], lifetime: [179900, 259900] },
    trialDaysMonthly: 7
  },
  {
    code: 'ENTERPRISE',
    name: '企业版',
    features: [
      'live_room',
      'ai_reply',
      'export',
      'cloud_storage',
      'multi_room',
      'ai_script',
      'analytics',
      'api_access',
      'priority_support'
    ],
    limits: { max_streams: 10, max_storage_gb: 500, max_ai_requests: 50000, max_export_count: null },
    prices: {
      monthly: [19900, 25900],
      quarterly: [54900, 69900],
      yearly: [199900, 239900],
      lifetime: [599900, 799900]
    },
    trialDaysMonthly: 0
  }
]

/** One sellable (code, period) row of the catalog. */
export interface CatalogPlan {
  code: PlanCode
  period: BillingPeriod
  name: string
  /** Fen, CATALOG_CURRENCY. */
  price: number
  originalPrice: number
  features: readonly string[]
  limits: Readonly<PlanLimits>
  trialDays: number
  sortOrder: number
}

/** FREE (monthly) and every paid tier × period, in display order. */
export const PLAN_CATALOG: readonly CatalogPlan[] = PLAN_TIERS.flatMap((tier, ti) =>
  BILLING_PERIODS.flatMap((period, pi): CatalogPlan[] => {
    const price = tier.prices[period]
    if (!price) return []
    return [
      {
        code: tier.code,
        period,
        name: tier.name,
        price: price[0],
        originalPrice: price[1],
        features: tier.features,
        limits: tier.limits,
        trialDays: period === 'monthly' ? tier.trialDaysMonthly : 0,
        sortOrder: ti === 0 ? 0 : ti * 10 + pi
      }
    ]
  })
)

export function catalogTier(code: PlanCode): CatalogTier {
  return PLAN_TIERS.find((t) => t.code === code)!
}

/** The catalog row for (code, period), or undefined when that combination is not sold. */
export function catalogPlan(code: string, period: string): CatalogPlan | undefined {
  return PLAN_CATALOG.find((p) => p.code === code && p.period === period)
}
