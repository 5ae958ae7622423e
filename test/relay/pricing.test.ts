import { describe, expect, it } from 'vitest'
import { DEFAULT_PLANS } from '../../src/main/subscriptions/plans'
import { priceItem } from '../../src/relay/pricing/catalog'
import { BUILT_IN_CATALOG, documentLimits } from '../../src/shared/catalog'
import { PLAN_CATALOG } from '../../src/shared/catalog/plans'
import { BillingError } from '../../src/shared/errors'
import { startTestRelay } from './support/relay'

// One price list: the relay prices checkouts from the same catalog the app seeds its plans
// from (src/shared/catalog).

describe('one plan catalog for the app and the relay', () => {
  it('every paid plan the app offers costs the same at the relay, with the same limits', () => {
    const paid = DEFAULT_PLANS.filter((p) => p.code !== 'FREE')
    expect(paid).toHaveLength(12)
    for (const p of paid) {
      const priced = priceItem({ kind: 'plan', planCode: p.code as 'BASIC', period: p.period }, BUILT_IN_CATALOG)
      expect(priced.amount, `${p.code}/${p.period}`).toEqual(p.price)
    }
    for (const p of DEFAULT_PLANS) {
      expect(documentLimits(BUILT_IN_CATALOG, p.code as 'FREE', p.period), `${p.code}/${p.period}`).toEqual(p.limits)
    }
    // The app's seed rows are the shared catalog's rows.
    expect(DEFAULT_PLANS.map((p) => [p.code, p.period, p.price.amount, p.originalPrice.amount, p.trialDays, p.sortOrder])).toEqual(
      PLAN_CATALOG.map((p) => [p.code, p.period, p.price, p.originalPrice, p.trialDays, p.sortOrder])
    )
  })

  it('serves the catalog at GET /v1/prices and prices a checkout from it', async () => {
    const t = await startTestRelay()
    const res = await t.api('GET', '/v1/prices')
    expect(res.status).toBe(200)
    expect(res.body.catalog).toEqual({ version: 1, effectiveFrom: 0, document: JSON.parse(JSON.stringify(BUILT_IN_CATALOG)) })
    expect(res.body.recharge).toEqual({ currency: 'CNY', min: 100, max: 500_000, presets: [1000, 3000, 5000, 10_000, 20_000, 50_000] })
    const basicYearly = (res.body.plans as { planCode: string; period: string; price: { amount: number } }[]).find(
      (p) => p.planCode === 'BASIC' && p.period === 'yearly'
    )
    expect(basicYearly!.price).toEqual({ amount: 29900, currency: 'CNY' })
    expect(() => priceItem({ kind: 'plan', planCode: 'FREE', period: 'monthly' }, BUILT_IN_CATALOG)).toThrow(BillingError)
  })
})
