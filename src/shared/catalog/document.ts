import { z } from 'zod'
import { InvalidInput } from '../errors'
import { MAX_AMOUNT } from '../money'
import { BUILT_IN_FEATURE_PRICES, BUILT_IN_RECHARGE, PAID_FEATURES } from './features'
import { PlanLimitsSchema, type PlanLimits } from './limits'
import { BILLING_PERIODS, type BillingPeriod } from './periods'
import { CATALOG_CURRENCY, PLAN_CATALOG, PLAN_CODES, type PlanCode } from './plans'
import { PROVIDERS } from './providers'

// The catalog as data: one immutable, versioned document of everything an operator may change
// without shipping an app (plans with prices, limits, features, order and active flag; the
// recharge rules; the prices per use of the wallet rule; the payment methods offered). The
// relay stores every version it publishes and serves the one in force, signed, in each
// account's feed; the app verifies it, keeps it and gates and prices by it. The built-in data
// (plans.ts, features.ts) is version 1, in force from the epoch: what an app uses until its
// first sync.

const minor = z.int().min(0).max(MAX_AMOUNT)
const positiveMinor = z.int().min(1).max(MAX_AMOUNT)

export const CatalogPlanSchema = z.strictObject({
  code: z.enum(PLAN_CODES),
  period: z.enum(BILLING_PERIODS),
  name: z.string().trim().min(1).max(100),
  /** Minor units of the document's currency per period. */
  price: minor,
  /** The struck-through price shown beside it; never below `price`. */
  originalPrice: minor,
  limits: PlanLimitsSchema,
  features: z.array(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'a feature is lower-case letters, digits or _')).max(64),
  sortOrder: z.int().min(0).max(1_000_000),
  /** False: listed for subscriptions that have it, not sold. */
  active: z.boolean(),
  trialDays: z.int().min(0).max(365)
})
export type CatalogPlanEntry = z.infer<typeof CatalogPlanSchema>

export const CatalogRechargeRulesSchema = z.strictObject({
  min: positiveMinor,
  max: positiveMinor,
  presets: z.array(positiveMinor).max(20)
})

export const FeaturePricesSchema = z.strictObject(
  Object.fromEntries(PAID_FEATURES.map((f) => [f, minor])) as Record<(typeof PAID_FEATURES)[number], typeof minor>
)

/**
 * When the relay reminds and duns (issue 18; src/relay/reminders). Optional: a document without
 * it (every one published before) takes the defaults (DEFAULT_REMINDERS).
 */
export const CatalogRemindersSchema = z.strictObject({
  /** Days before a subscription ends when a reminder goes out. */
  endingDays: z.array(z.int().min(1).max(90)).max(10),
  /** Days into a debt's grace period when a past-due notice goes out (0: the day it began). */
  graceNoticeDays: z.array(z.int().min(0).max(90)).max(10),
  /** The grace period's length in days: then the paid features the debt is owed for end. */
  graceDays: z.int().min(0).max(90)
})
export type CatalogReminders = z.infer<typeof CatalogRemindersSchema>
export const DEFAULT_REMINDERS: CatalogReminders = Object.freeze({ endingDays: [7, 3, 1], graceNoticeDays: [0, 3, 7], graceDays: 10 })

const CatalogShape = z.strictObject({
  /** Monotonic: each published version is greater than every earlier one. */
  version: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** Epoch ms from which this version is in force (until a later version's effectiveFrom). */
  effectiveFrom: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  // One currency for now: every wallet and the relay's books are kept in it.
  currency: z.literal(CATALOG_CURRENCY, { error: `only ${CATALOG_CURRENCY}: the wallets are kept in ${CATALOG_CURRENCY}` }),
  plans: z.array(CatalogPlanSchema).min(1).max(200),
  rechargeRules: CatalogRechargeRulesSchema,
  featurePrices: FeaturePricesSchema,
  paymentMethods: z.array(z.enum(PROVIDERS)).max(PROVIDERS.length),
  /** VAT rate included in every price, a decimal string ("0.06"); absent: DEFAULT_TAX_RATE. */
  taxRate: z.string().regex(/^0(\.\d{1,4})?$/, 'a decimal rate below 1, such as "0.06"').optional(),
  /**
   * Recharge bonuses (充值赠送): a recharge of at least `min` also receives `bonus` of promotion
   * credit; the highest `min` reached applies. Absent or empty: no bonus.
   */
  rechargeBonuses: z.array(z.strictObject({ min: positiveMinor, bonus: positiveMinor })).max(20).optional(),
  reminders: CatalogRemindersSchema.optional()
})

/** What can be checked only across fields. Each problem names the field it is about. */
function crossCheck(doc: z.infer<typeof CatalogShape>, ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>()
  doc.plans.forEach((p, i) => {
    const key = `${p.code}/${p.period}`
    const first = seen.get(key)
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['plans', i], message: `${key} is listed twice (also plans.${first})` })
    else seen.set(key, i)
    if (p.originalPrice < p.price) ctx.addIssue({ code: 'custom', path: ['plans', i, 'originalPrice'], message: 'must not be below price' })
    if (p.code === 'FREE') {
      if (p.price !== 0) ctx.addIssue({ code: 'custom', path: ['plans', i, 'price'], message: 'the FREE plan costs 0' })
      if (p.trialDays !== 0) ctx.addIssue({ code: 'custom', path: ['plans', i, 'trialDays'], message: 'the FREE plan has no trial' })
    } else if (p.price === 0) {
      ctx.addIssue({ code: 'custom', path: ['plans', i, 'price'], message: 'a paid plan costs more than 0' })
    }
  })
  // Every account falls back to FREE (an ended subscription, an expired lease): it must exist.
  if (!seen.has('FREE/monthly')) ctx.addIssue({ code: 'custom', path: ['plans'], message: 'the FREE plan (FREE/monthly) is missing' })
  const r = doc.rechargeRules
  if (r.min > r.max) ctx.addIssue({ code: 'custom', path: ['rechargeRules', 'min'], message: 'must not exceed rechargeRules.max' })
  const presets = new Set<number>()
  r.presets.forEach((p, i) => {
    if (p < r.min || p > r.max) ctx.addIssue({ code: 'custom', path: ['rechargeRules', 'presets', i], message: `${p} is outside min..max` })
    if (presets.has(p)) ctx.addIssue({ code: 'custom', path: ['rechargeRules', 'presets', i], message: `${p} is listed twice` })
    presets.add(p)
  })
  const bonusMins = new Set<number>()
  doc.rechargeBonuses?.forEach((b, i) => {
    if (bonusMins.has(b.min)) ctx.addIssue({ code: 'custom', path: ['rechargeBonuses', i, 'min'], message: `${b.min} is listed twice` })
    bonusMins.add(b.min)
    if (b.min > r.max) ctx.addIssue({ code: 'custom', path: ['rechargeBonuses', i, 'min'], message: 'is above rechargeRules.max: no recharge reaches it' })
    if (b.bonus > b.min) ctx.addIssue({ code: 'custom', path: ['rechargeBonuses', i, 'bonus'], message: 'must not exceed its min' })
  })
  if (doc.reminders) {
    const { endingDays, graceNoticeDays, graceDays } = doc.reminders
    const twice = (list: number[], field: string) =>
      list.forEach((d, i) => list.indexOf(d) !== i && ctx.addIssue({ code: 'custom', path: ['reminders', field, i], message: `${d} is listed twice` }))
    twice(endingDays, 'endingDays')
    twice(graceNoticeDays, 'graceNoticeDays')
    graceNoticeDays.forEach((d, i) => {
      if (d > graceDays) ctx.addIssue({ code: 'custom', path: ['reminders', 'graceNoticeDays', i], message: `day ${d} is after the grace period (reminders.graceDays ${graceDays})` })
    })
  }
  const methods = new Set<string>()
  doc.paymentMethods.forEach((m, i) => {
    if (methods.has(m)) ctx.addIssue({ code: 'custom', path: ['paymentMethods', i], message: `${m} is listed twice` })
    methods.add(m)
  })
}

export const CatalogDocumentSchema = CatalogShape.superRefine(crossCheck)
export type CatalogDocument = z.infer<typeof CatalogDocumentSchema>

/** One problem of a refused document: the field's path (`plans.3.price`) and why. */
export interface CatalogProblem {
  field: string
  reason: string
}

/** A catalog document that does not validate; `problems` lists every field and reason. */
export class InvalidCatalog extends InvalidInput {
  constructor(readonly problems: CatalogProblem[]) {
    const first = problems[0] ?? { field: 'catalog', reason: 'invalid' }
    super(`catalog ${first.field}: ${first.reason}`, { field: first.field, reason: first.reason, problems })
    this.name = 'InvalidCatalog'
  }
}

/** The document, validated; throws InvalidCatalog naming each bad field. */
export function parseCatalogDocument(input: unknown): CatalogDocument {
  const parsed = CatalogDocumentSchema.safeParse(input)
  if (parsed.success) return parsed.data
  throw new InvalidCatalog(
    parsed.error.issues.flatMap((i) => {
      const at = i.path.map(String)
      // A misspelt or unknown field is named itself, not its parent.
      if (i.code === 'unrecognized_keys') return i.keys.map((k) => ({ field: [...at, k].join('.'), reason: 'is not a catalog field' }))
      return [{ field: at.length ? at.join('.') : 'catalog', reason: i.message }]
    })
  )
}

/** The VAT rate included in prices when a document names none (6 %, 现代服务). */
export const DEFAULT_TAX_RATE = '0.06'

/** The document's VAT rate, included in every price it lists. */
export function documentTaxRate(doc: CatalogDocument): string {
  return doc.taxRate ?? DEFAULT_TAX_RATE
}

/** The plan row for (code, period), or undefined when the document does not list it. */
export function documentPlan(doc: CatalogDocument, code: string, period: string): CatalogPlanEntry | undefined {
  return doc.plans.find((p) => p.code === code && p.period === period)
}

/**
 * The limits a plan code grants for a period: that row's, else any row of the code (a lease may
 * name a period the code is not sold for), else FREE's.
 */
export function documentLimits(doc: CatalogDocument, code: PlanCode, period: BillingPeriod | null): PlanLimits {
  const row =
    (period ? documentPlan(doc, code, period) : undefined) ??
    doc.plans.find((p) => p.code === code) ??
    documentPlan(doc, 'FREE', 'monthly')!
  return row.limits
}

/** The document's reminder schedule, or the defaults. */
export function documentReminders(doc: CatalogDocument): CatalogReminders {
  return doc.reminders ?? DEFAULT_REMINDERS
}

/** Version 1: the built-in plans, recharge rules, prices per use and every provider, in force from the epoch. */
export const BUILT_IN_CATALOG: CatalogDocument = Object.freeze(
  parseCatalogDocument({
    version: 1,
    effectiveFrom: 0,
    currency: CATALOG_CURRENCY,
    plans: PLAN_CATALOG.map((p) => ({
      code: p.code,
      period: p.period,
      name: p.name,
      price: p.price,
      originalPrice: p.originalPrice,
      limits: { ...p.limits },
      features: [...p.features],
      sortOrder: p.sortOrder,
      active: true,
      trialDays: p.trialDays
    })),
    rechargeRules: { min: BUILT_IN_RECHARGE.min, max: BUILT_IN_RECHARGE.max, presets: [...BUILT_IN_RECHARGE.presets] },
    featurePrices: { ...BUILT_IN_FEATURE_PRICES },
    paymentMethods: [...PROVIDERS]
  })
)
