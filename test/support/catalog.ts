import { BUILT_IN_CATALOG, type CatalogDocument } from '../../src/shared/catalog'

/**
 * A catalog version derived from the built-in one: BASIC monthly at `basicMonthly` fen, an AI
 * request at `aiRequest` fen, other recharge rules, Alipay and WeChat Pay only.
 */
export function catalogV(version: number, effectiveFrom: number, over: { basicMonthly?: number; aiRequest?: number } = {}): CatalogDocument {
  const basic = over.basicMonthly ?? 3900
  return {
    ...BUILT_IN_CATALOG,
    version,
    effectiveFrom,
    plans: BUILT_IN_CATALOG.plans.map((p) =>
      p.code === 'BASIC' && p.period === 'monthly' ? { ...p, price: basic, originalPrice: Math.max(basic, p.originalPrice) } : p
    ),
    featurePrices: { ...BUILT_IN_CATALOG.featurePrices, ai_request: over.aiRequest ?? 20 },
    rechargeRules: { min: 200, max: 300_000, presets: [2000, 5000, 10_000] },
    paymentMethods: ['alipay', 'wechat']
  }
}
