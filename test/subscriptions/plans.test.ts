import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/node/clock'
import { openDatabase } from '../../src/main/db/open'
import {
  CATALOG_SEED_VERSION,
  createPlanCatalog,
  DEFAULT_PLANS,
  seedPlans,
  type Plan
} from '../../src/main/subscriptions'
import { BillingError } from '../../src/shared/errors'
import { tempDb, tempDir } from '../support/db'
import { setup } from './support'

const count = (db: ReturnType<typeof tempDb>, table: string): number =>
  (db.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    return (e as BillingError).code
  }
  return 'no error'
}

describe('plan catalog seeding', () => {
  it('seeds FREE plus three tiers × four periods once', () => {
    const db = tempDb()
    const clock = new ManualClock(1_700_000_000_000)
    expect(seedPlans(db, clock)).toBe(true)
    expect(count(db, 'plans')).toBe(13)
    expect(seedPlans(db, clock)).toBe(false)
    expect(count(db, 'plans')).toBe(13)
    expect(count(db, 'plan_catalog_seeds')).toBe(1)
  })

  it('is idempotent across reopenings and never overwrites a changed row', () => {
    const path = join(tempDir(), 'billing.sqlite')
    const clock = new ManualClock(1_700_000_000_000)
    const first = openDatabase({ path, durability: 'normal' })
    seedPlans(first, clock)
    createPlanCatalog(first, clock).setPlanActive('BASIC', 'yearly', false)
    first.close()
    const again = openDatabase({ path, durability: 'normal' })
    try {
      const before = again.sqlite.prepare('SELECT * FROM plans ORDER BY rowid').all()
      expect(seedPlans(again, clock)).toBe(false)
      expect(again.sqlite.prepare('SELECT * FROM plans ORDER BY rowid').all()).toEqual(before)
      expect(createPlanCatalog(again, clock).getPlan('BASIC', 'yearly').active).toBe(false)
    } finally {
      again.close()
    }
  })

  it('a catalog version already recorded skips the inserts even if rows are missing', () => {
    const db = tempDb()
    db.sqlite.prepare('INSERT INTO plan_catalog_seeds (version, seeded_at) VALUES (?, 0)').run(CATALOG_SEED_VERSION)
    expect(seedPlans(db, new ManualClock(0))).toBe(false)
    expect(count(db, 'plans')).toBe(0)
  })
})

describe('plans', () => {
  it('lists in sort order with the suggested prices, limits and trials', () => {
    const { subs } = setup()
    const plans = subs.listPlans()
    expect(plans.map((p) => `${p.code}/${p.period}`)).toEqual(DEFAULT_PLANS.map((p) => `${p.code}/${p.period}`))
    const find = (code: string, period: Plan['period']) => plans.find((p) => p.code === code && p.period === period)!
    expect(find('FREE', 'monthly')).toMatchObject({
      price: { amount: 0, currency: 'CNY' },
      limits: { max_streams: 1, max_storage_gb: 1, max_ai_requests: 50, max_export_count: 5 }
    })
    expect([
      find('BASIC', 'monthly').price.amount,
      find('BASIC', 'quarterly').price.amount,
      find('BASIC', 'yearly').price.amount,
      find('BASIC', 'lifetime').price.amount
    ]).toEqual([2900, 7900, 29900, 89900])
    expect(find('PREMIUM', 'lifetime').price.amount).toBe(179900)
    expect(find('ENTERPRISE', 'yearly')).toMatchObject({
      price: { amount: 199900 },
      limits: { max_streams: 10, max_storage_gb: 500, max_ai_requests: 50000, max_export_count: null }
    })
    expect(find('BASIC', 'monthly').trialDays).toBe(7)
    expect(find('PREMIUM', 'monthly').trialDays).toBe(7)
    expect(find('BASIC', 'yearly').trialDays).toBe(0)
    expect(find('ENTERPRISE', 'monthly').trialDays).toBe(0)
    for (const p of plans) {
      expect(Number.isInteger(p.price.amount)).toBe(true)
      if (p.code !== 'FREE') expect(p.originalPrice.amount).toBeGreaterThan(p.price.amount)
      expect(p.features.length).toBeGreaterThan(0)
    }
  })

  it('activeOnly hides an inactive plan; getPlan still finds it', () => {
    const { subs } = setup()
    subs.setPlanActive('PREMIUM', 'quarterly', false)
    expect(subs.listPlans({ activeOnly: true }).some((p) => p.code === 'PREMIUM' && p.period === 'quarterly')).toBe(false)
    expect(subs.listPlans().length).toBe(13)
    expect(subs.getPlan('PREMIUM', 'quarterly').active).toBe(false)
  })

  it('unknown code or period is NotFound; malformed input is InvalidInput', () => {
    const { subs } = setup()
    expect(codeOf(() => subs.getPlan('GOLD', 'monthly'))).toBe('NOT_FOUND')
    expect(codeOf(() => subs.getPlan('FREE', 'yearly'))).toBe('NOT_FOUND')
    expect(codeOf(() => subs.getPlan('BASIC', 'weekly' as never))).toBe('NOT_FOUND')
    expect(codeOf(() => subs.getPlan('basic; drop', 'monthly'))).toBe('INVALID_INPUT')
    expect(codeOf(() => subs.getPlan('BASIC', 7 as never))).toBe('INVALID_INPUT')
    expect(codeOf(() => subs.setPlanActive('BASIC', 'monthly', 'yes' as never))).toBe('INVALID_INPUT')
  })
})
