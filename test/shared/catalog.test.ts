import { describe, expect, it } from 'vitest'
import {
  BILLING_PERIODS,
  BUILT_IN_CATALOG,
  BUILT_IN_FEATURE_PRICES,
  PLAN_CATALOG,
  PLAN_CODES,
  PLAN_TIERS,
  PlanLimitsSchema,
  planRank,
  PROVIDERS
} from '../../src/shared/catalog'
import { paymentMethodSchema } from '../../src/shared/ipc/schemas/checkout'
import { periodSchema, planLimitsSchema, tierSchema } from '../../src/shared/ipc/schemas/subscriptions'
import { BillingPeriodSchema, EntitlementLeaseSchema, PlanCodeSchema, ProviderNameSchema } from '../../src/shared/relay-contract'

describe('the one catalog module', () => {
  it('ranks plans in catalog order; a code it does not know ranks as FREE', () => {
    expect(PLAN_CODES.map(planRank)).toEqual([0, 1, 2, 3])
    expect(planRank('CUSTOM')).toBe(0)
  })

  it('has one encoding of unlimited: null; -1 and fractions are refused', () => {
    const enterprise = PLAN_TIERS.find((t) => t.code === 'ENTERPRISE')!
    expect(enterprise.limits.max_export_count).toBeNull()
    expect(PlanLimitsSchema.parse(enterprise.limits)).toEqual(enterprise.limits)
    for (const bad of [-1, 1.5]) {
      expect(PlanLimitsSchema.safeParse({ ...enterprise.limits, max_streams: bad }).success).toBe(false)
    }
    expect(PlanLimitsSchema.safeParse({ ...enterprise.limits, maxStreams: 1 }).success).toBe(false)
  })

  it('is what the relay contract and the IPC schemas accept, and nothing else', () => {
    expect(PlanCodeSchema.options).toEqual([...PLAN_CODES])
    expect(tierSchema.options).toEqual([...PLAN_CODES])
    expect(BillingPeriodSchema.options).toEqual([...BILLING_PERIODS])
    expect(periodSchema.options).toEqual([...BILLING_PERIODS])
    expect(ProviderNameSchema.options).toEqual([...PROVIDERS])
    expect(paymentMethodSchema.options).toEqual([...PROVIDERS])
    expect(planLimitsSchema).toBe(PlanLimitsSchema)
    expect(EntitlementLeaseSchema.shape.limits).toBe(PlanLimitsSchema)
  })

  it('version 1 of the catalog document is the built-in data, every plan on sale', () => {
    expect(BUILT_IN_CATALOG).toMatchObject({ version: 1, effectiveFrom: 0, currency: 'CNY', paymentMethods: [...PROVIDERS] })
    expect(BUILT_IN_CATALOG.plans.map(({ active, ...p }) => ({ ...p, active }))).toEqual(PLAN_CATALOG.map((p) => ({ ...p, active: true })))
    expect(BUILT_IN_CATALOG.featurePrices).toEqual(BUILT_IN_FEATURE_PRICES)
    expect(Object.isFrozen(BUILT_IN_CATALOG)).toBe(true)
  })
})
