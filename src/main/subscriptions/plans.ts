import type { Clock } from '../../node/clock'
import type { BillingDb } from '../db/open'
import { InvalidInput, LedgerCorrupt, NotFound } from '../../shared/errors'
import { money, type Money } from '../../shared/money'
import {
  BUILT_IN_CATALOG,
  CatalogDocumentSchema,
  isBillingPeriod,
  PLAN_CODES,
  type BillingPeriod,
  type CatalogDocument,
  type PlanLimits
} from '../../shared/catalog'
import { EMPTY_HEAD, planCatalogHash, planChangeHash, type ChainHead, type PlanCatalogRow } from './chain'

// The plan catalog: built-in defaults (the data is src/shared/catalog, shared with
// the relay: catalog version 1) seeded once (a point read at every open), then read from the
// table. The relay's newer catalog versions (signed `catalog` feed records) rewrite the rows
// through applyDocument(), recorded in plan_catalog_versions; a local admin toggles `active`
// (plan_changes). Both are hash-chained; verify() replays them over the built-in rows.

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
 * The built-in seed's version. Seeding inserts missing rows and never overwrites. The
 * built-in data is catalog version 1 (the relay seeds the same): change prices or limits by
 * publishing a catalog version on the relay, not by editing src/shared/catalog.
 */
export const CATALOG_SEED_VERSION = 1

/** A catalog document's plans as plan rows. */
export function documentPlans(doc: CatalogDocument): Plan[] {
  return doc.plans.map(
    (p): Plan => ({
      code: p.code,
      period: p.period,
      name: p.name,
      price: money(p.price, doc.currency),
      originalPrice: money(p.originalPrice, doc.currency),
      features: [...p.features],
      limits: { ...p.limits },
      active: p.active,
      sortOrder: p.sortOrder,
      trialDays: p.trialDays
    })
  )
}

/** The built-in catalog (version 1): FREE (one monthly row) and three paid tiers × four periods. */
export const DEFAULT_PLANS: readonly Plan[] = documentPlans(BUILT_IN_CATALOG)

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
  /** The catalog in force here: the newest version applied, or the built-in one (version 1). */
  document(): CatalogDocument
  /**
   * Applies a newer catalog version to the plans table (its rows rewritten; a plan it does not
   * list stays for the subscriptions that name it, not offered) and records it, in one
   * transaction. An older or equal version changes nothing: false.
   */
  applyDocument(doc: CatalogDocument): boolean
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
    for (const p of DEFAULT_PLANS) insertPlanRow(insert, p, now)
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
  const newestCatalog = db.sqlite.prepare<[], { version: number; document: string; hash: string }>(
    'SELECT version, document, hash FROM plan_catalog_versions ORDER BY version DESC LIMIT 1'
  )
  const insertCatalog = db.sqlite.prepare(
    `INSERT INTO plan_catalog_versions (version, effective_from, document, after_change_seq, applied_at, hash)
     VALUES (@version, @effective_from, @document, @after_change_seq, @applied_at, @hash)`
  )
  const upsertPlan = db.sqlite.prepare(
    `INSERT INTO plans (code, period, name, price_minor, original_price_minor, currency, features,
       max_streams, max_storage_gb, max_ai_requests, max_export_count, active, sort_order, trial_days, updated_at)
     VALUES (@code, @period, @name, @price, @original, @currency, @features,
       @maxStreams, @maxStorage, @maxAi, @maxExport, @active, @sortOrder, @trialDays, @now)
     ON CONFLICT (code, period) DO UPDATE SET name = excluded.name, price_minor = excluded.price_minor,
       original_price_minor = excluded.original_price_minor, currency = excluded.currency, features = excluded.features,
       max_streams = excluded.max_streams, max_storage_gb = excluded.max_storage_gb, max_ai_requests = excluded.max_ai_requests,
       max_export_count = excluded.max_export_count, active = excluded.active, sort_order = excluded.sort_order,
       trial_days = excluded.trial_days, updated_at = excluded.updated_at`
  )
  // The newest document, parsed once per version (read per gate call: one indexed read).
  let parsed: { version: number; doc: CatalogDocument } | null = null
  const document = (): CatalogDocument => {
    const row = newestCatalog.get()
    if (!row) return BUILT_IN_CATALOG
    if (parsed?.version !== row.version) {
      let stored: unknown = null
      try {
        stored = JSON.parse(row.document)
      } catch {
        stored = null
      }
      const valid = CatalogDocumentSchema.safeParse(stored)
      // Written only after validation: anything else is an edited file (verify() says which).
      if (!valid.success) throw new LedgerCorrupt(`catalog version ${row.version} stored on this device does not validate: the billing file was edited`, { version: row.version })
      parsed = { version: row.version, doc: valid.data }
    }
    return parsed.doc
  }

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
    },
    document,
    applyDocument(doc) {
      return db.tx(() => {
        const newest = newestCatalog.get()
        if (doc.version <= (newest?.version ?? BUILT_IN_CATALOG.version)) return false
        const now = clock.now()
        const listed = new Set<string>()
        for (const p of documentPlans(doc)) {
          listed.add(`${p.code}/${p.period}`)
          insertPlanRow(upsertPlan, p, now)
        }
        for (const r of all.all() as PlanRow[]) {
          if (!listed.has(`${r.code}/${r.period}`) && r.active === 1) setActive.run(0, now, r.code, r.period)
        }
        const row: PlanCatalogRow = {
          version: doc.version,
          effective_from: doc.effectiveFrom,
          document: JSON.stringify(doc),
          after_change_seq: (tail.get() ?? EMPTY_HEAD).seq,
          applied_at: now
        }
        insertCatalog.run({ ...row, hash: planCatalogHash(newest?.hash ?? EMPTY_HEAD.hash, row) })
        return true
      })
    }
  }
}

/** One plans row from a Plan (the seed inserts, a catalog version upserts). */
function insertPlanRow(statement: ReturnType<BillingDb['sqlite']['prepare']>, p: Plan, now: number): void {
  statement.run({
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
