import { z } from 'zod'
import type { ConsoleCatalogPreview, ConsoleCatalogVersions } from '../../../shared/console/api'
import {
  documentReminders,
  documentTaxRate,
  LIMIT_KEYS,
  parseCatalogDocument,
  type CatalogDocument,
  type CatalogPlanEntry
} from '../../../shared/catalog'
import { catalogInForce, latestCatalog } from '../../catalog/catalog'
import type { RelayStore } from '../../store/ports'

// The console's catalog screen: the versions published, and what publishing a document would
// change (per plan and period: prices, names, quotas…; plans added or removed; document-wide rules)
// against the version in force at its effectiveFrom, with how many accounts run each changed plan
// then. Publishing itself is publishCatalog() (catalog/catalog.ts), as from the CLI.

export const CatalogDraftSchema = z.strictObject({
  /** The document as the CLI takes it; `effectiveFrom` is the body's; a preview may leave out `version` (the next number). */
  document: z.record(z.string(), z.unknown()),
  effectiveFrom: z.int().min(0).max(Number.MAX_SAFE_INTEGER)
})

const VERSIONS_MAX = 500

export async function catalogVersions(store: RelayStore, now: number): Promise<ConsoleCatalogVersions> {
  return store.read(async (tx) => {
    const inForce = await tx.catalog.versionInForce(now)
    const rows = await tx.consoleReads.catalogVersions(VERSIONS_MAX)
    return {
      versions: rows.map((r) => ({ version: r.version, effectiveFrom: r.effectiveFrom, publishedAt: r.publishedAt, inForce: r.version === inForce, document: JSON.parse(r.document) as unknown }))
    }
  })
}

/**
 * The draft as a whole document with the body's effectiveFrom. A publication must name its
 * version, so that a request sent twice publishes once (the second is refused: not above the
 * latest); a preview without one is shown as the next number.
 */
export function draftDocument(input: unknown): Record<string, unknown> {
  const draft = CatalogDraftSchema.parse(input)
  return { ...draft.document, effectiveFrom: draft.effectiveFrom }
}

type Change = ConsoleCatalogPreview['changes'][number]

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

const PLAN_FIELDS = ['name', 'price', 'originalPrice', 'active', 'trialDays', 'sortOrder', 'features'] as const

function planChanges(before: CatalogPlanEntry, after: CatalogPlanEntry): Change[] {
  const at = { planCode: after.code, period: after.period }
  const out: Change[] = []
  for (const f of PLAN_FIELDS) if (!same(before[f], after[f])) out.push({ ...at, field: f, before: before[f], after: after[f] })
  for (const k of LIMIT_KEYS) if (before.limits[k] !== after.limits[k]) out.push({ ...at, field: `limits.${k}`, before: before.limits[k], after: after.limits[k] })
  return out
}

/** Every difference between two documents; document-wide rules carry planCode '' and period null. */
export function catalogChanges(from: CatalogDocument, to: CatalogDocument): Change[] {
  const key = (p: CatalogPlanEntry) => `${p.code}/${p.period}`
  const old = new Map(from.plans.map((p) => [key(p), p]))
  const now = new Map(to.plans.map((p) => [key(p), p]))
  const out: Change[] = []
  for (const p of to.plans) {
    const was = old.get(key(p))
    if (!was) out.push({ planCode: p.code, period: p.period, field: 'plan', before: null, after: p })
    else out.push(...planChanges(was, p))
  }
  for (const p of from.plans) if (!now.has(key(p))) out.push({ planCode: p.code, period: p.period, field: 'plan', before: p, after: null })
  const wide: [string, unknown, unknown][] = [
    ['rechargeRules', from.rechargeRules, to.rechargeRules],
    ['rechargeBonuses', from.rechargeBonuses ?? [], to.rechargeBonuses ?? []],
    ['featurePrices', from.featurePrices, to.featurePrices],
    ['paymentMethods', from.paymentMethods, to.paymentMethods],
    ['taxRate', documentTaxRate(from), documentTaxRate(to)],
    ['reminders', documentReminders(from), documentReminders(to)]
  ]
  for (const [field, before, after] of wide) if (!same(before, after)) out.push({ planCode: '', period: null, field, before, after })
  return out
}

export async function previewCatalog(store: RelayStore, input: unknown): Promise<ConsoleCatalogPreview> {
  return store.read(async (tx) => {
    const draft = draftDocument(input)
    const document = parseCatalogDocument({ ...draft, version: draft['version'] ?? (await latestCatalog(tx)).version + 1 })
    const current = await catalogInForce(tx, document.effectiveFrom)
    const changes = catalogChanges(current.document, document)
    const plans = [...new Set(changes.map((c) => c.planCode).filter((c) => c !== ''))]
    // Accounts with a subscription of a changed plan running when the draft takes effect.
    const accounts = new Map<string, Set<string>>(plans.map((p) => [p, new Set()]))
    for (const g of await tx.grants.runningAt(document.effectiveFrom)) if (g.status === 'active') accounts.get(g.plan_code)?.add(g.account_id)
    return { effectiveFrom: document.effectiveFrom, changes, affected: plans.map((planCode) => ({ planCode, activeSubscriptions: accounts.get(planCode)!.size })) }
  })
}
