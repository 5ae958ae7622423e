import type { Clock } from '../../node/clock'
import type { BillingDb } from '../db/open'
import { InvalidInput, NotFound } from '../../shared/errors'
import { money, type Money } from '../../shared/money'
import { CATALOG_CURRENCY, isBillingPeriod, PLAN_CATALOG, PLAN_CODES, type BillingPeriod, type PlanLimits } from '../../shared/catalog'
import { EMPTY_HEAD, planChangeHash, type ChainHead } from './chain'

// The plan catalog: built-in defaults (the data is src/shared/catalog, shared with
// the relay) seeded once per catalog version (a point read at every open), then read from
// the table so the relay or an admin can change it later.

export { PLAN_CODES }
export type { PlanCode, PlanLimits } from '../../shared/catalog'
export const FREE_PLAN_CODE = 'FREE'

export interface Plan {
  code: string
  period: BillingPeriod
  name: string
  price: Money
  originalPrice: Money
  features: string[]
  limits: PlanLimits
  active: boolean
  sortOrder: number
  trialDays: number
}

/**
 * Bump when the catalog (src/shared/catalog) changes; seeding inserts missing rows and
 * never overwrites. verify() compares every row with the current catalog, so a release that
 * changes a price or limit of an existing plan must also rewrite that row (and record it).
 */
export const CATALOG_SEED_VERSION = 1

/** The built-in catalog: FREE (one monthly row) and three paid tiers × four periods, from the shared catalog. */
export const DEFAULT_PLANS: readonly Plan[] = PLAN_CATALOG.map(
  (p): Plan => ({
    code: p.code,
    period: p.period,
    name: p.name,
    price: money(p.price, CATALOG_CURRENCY),
    originalPrice: money(p.originalPrice, CATALOG_CURRENCY),
    features: [...p.features],
    limits: { ...p.limits },
    active: true,
    sortOrder: p.sortOrder,
    trialDays: p.trialDays
  })
)

export interface PlanRow {
  code: string
  period: string
  name: string
  price_minor: number
  original_price_minor: number
  currency: string
  features: string
  max_streams: number | null
  max_storage_gb: number | null
  max_ai_requests: number | null
  max_export_count: number | null
  active: number
  sort_order: number
  trial_days: number
}

function toPlan(r: PlanRow): Plan {
  return {
    code: r.code,
    period: r.period as BillingPeriod,
    name: r.name,
    price: money(r.price_minor, r.currency),
    originalPrice: money(r.original_price_minor, r.currency),
    features: JSON.parse(r.features) as string[],
    limits: {
      max_streams: r.max_streams,
      max_storage_gb: r.max_storage_gb,
      max_ai_requests: r.max_ai_requests,
      max_export_count: r.max_export_count
    },
    active: r.active === 1,
    sortOrder: r.sort_order,
    trialDays: r.trial_days
  }
}

export interface PlanCatalog {
  listPlans(opts?: { activeOnly?: boolean }): Plan[]
  /** Throws NotFound for an unknown code/period, InvalidInput for a malformed one. */
  getPlan(code: string, period: BillingPeriod): Plan
  findPlan(code: string, period: BillingPeriod): Plan | null
  /**
   * Admin / catalog sync: an absolute set, so repeating it is harmless. A change is recorded
   * in plan_changes (hash-chained) in the same transaction: verify() expects the catalog to be
   * the built-in one with exactly these changes.
   */
  setPlanActive(code: string, period: BillingPeriod, active: boolean): Plan
}

/**
 * Inserts the built-in plans unless this catalog version was seeded already.
 * Returns true when it wrote anything. The already-seeded path is one indexed read.
 */
export function seedPlans(db: BillingDb, clock: Clock): boolean {
  const seeded = db.sqlite.prepare('SELECT 1 FROM plan_catalog_seeds WHERE version = ?')
  if (seeded.get(CATALOG_SEED_VERSION)) return false
  const insert = db.sqlite.prepare(
    `INSERT INTO plans (code, period, name, price_minor, original_price_minor, currency, features,
       max_streams, max_storage_gb, max_ai_requests, max_export_count, active, sort_order, trial_days, updated_at)
     VALUES (@code, @period, @name, @price, @original, @currency, @features,
       @maxStreams, @maxStorage, @maxAi, @maxExport, @active, @sortOrder, @trialDays, @now)
     ON CONFLICT (code, period) DO NOTHING`
  )
  return db.tx(() => {
    if (seeded.get(CATALOG_SEED_VERSION)) return false
    const now = clock.now()
    for (const p of DEFAULT_PLANS) {
      insert.run({
        code: p.code,
        period: p.period,
        name: p.name,
        price: p.price.amount,
        original: p.originalPrice.amount,
        currency: p.price.currency,
        features: JSON.stringify(p.features),
        maxStreams: p.limits.max_streams,
        maxStorage: p.limits.max_storage_gb,
        maxAi: p.limits.max_ai_requests,
        maxExport: p.limits.max_export_count,
        active: p.active ? 1 : 0,
        sortOrder: p.sortOrder,
        trialDays: p.trialDays,
        now
      })
    }
    db.sqlite.prepare('INSERT INTO plan_catalog_seeds (version, seeded_at) VALUES (?, ?)').run(CATALOG_SEED_VERSION, now)
    return true
  })
}

export function assertPlanKey(code: unknown, period: unknown): asserts period is BillingPeriod {
  if (typeof code !== 'string' || !/^[A-Z][A-Z0-9_]{0,31}$/.test(code)) {
    throw new InvalidInput('plan code must be upper-case letters, digits or _', { planCode: code })
  }
  if (typeof period !== 'string') throw new InvalidInput('period must be a string', { period })
  // A well-formed but unknown period is "not found", like an unknown code.
  if (!isBillingPeriod(period)) throw new NotFound('plan', `${code}/${period}`)
}

export function createPlanCatalog(db: BillingDb, clock: Clock): PlanCatalog {
  const all = db.sqlite.prepare('SELECT * FROM plans ORDER BY sort_order, code, period')
  const activeOnly = db.sqlite.prepare('SELECT * FROM plans WHERE active = 1 ORDER BY sort_order, code, period')
  const one = db.sqlite.prepare('SELECT * FROM plans WHERE code = ? AND period = ?')
  const setActive = db.sqlite.prepare('UPDATE plans SET active = ?, updated_at = ? WHERE code = ? AND period = ?')
  const tail = db.sqlite.prepare<[], ChainHead>('SELECT seq, hash FROM plan_changes ORDER BY seq DESC LIMIT 1')
  const insertChange = db.sqlite.prepare(
    'INSERT INTO plan_changes (seq, code, period, active, at, hash) VALUES (@seq, @code, @period, @active, @at, @hash)'
  )

  const findPlan = (code: string, period: BillingPeriod): Plan | null => {
    const row = one.get(code, period) as PlanRow | undefined
    return row ? toPlan(row) : null
  }
  const getPlan = (code: string, period: BillingPeriod): Plan => {
    assertPlanKey(code, period)
    const plan = findPlan(code, period)
    if (!plan) throw new NotFound('plan', `${code}/${period}`)
    return plan
  }
  return {
    listPlans: (opts = {}) => ((opts.activeOnly ? activeOnly : all).all() as PlanRow[]).map(toPlan),
    getPlan,
    findPlan,
    setPlanActive(code, period, active) {
      getPlan(code, period)
      if (typeof active !== 'boolean') throw new InvalidInput('active must be a boolean', { active })
      return db.tx(() => {
        const plan = getPlan(code, period)
        if (plan.active === active) return plan
        const now = clock.now()
        const prev = tail.get() ?? EMPTY_HEAD
        const change = { seq: prev.seq + 1, code, period, active: active ? 1 : 0, at: now }
        insertChange.run({ ...change, hash: planChangeHash(prev.hash, change) })
        setActive.run(change.active, now, code, period)
        return getPlan(code, period)
      })
    }
  }
}
