import type { CatalogVersionView } from '../pricing/purchases'
import {
  BUILT_IN_CATALOG,
  CatalogDocumentSchema,
  InvalidCatalog,
  parseCatalogDocument,
  type CatalogDocument
} from '../../shared/catalog'
import type { CatalogVersionRow, RelayStore, StoreTx } from '../store/ports'

// The catalog as data on the relay: immutable versions in catalog_versions, each in force from
// its effectiveFrom until the next version's. Everything that prices or limits (checkouts,
// GET /v1/prices, leases) reads the version in force at the time it asks, so a published
// version takes effect at its instant without a restart, and what was sold before it keeps
// the price it was sold at (orders store their amount). Migration 0007 seeds version 1, the
// built-in defaults. publishCatalog() is the one way in: the CLI (`npm run relay -- catalog
// publish`) and the operator console call it.

/** How far in the past a new version's effectiveFrom may lie (clock skew between operator and relay). */
export const PUBLISH_SKEW_MS = 5 * 60_000

export interface CatalogVersion {
  version: number
  effectiveFrom: number
  publishedAt: number
  document: CatalogDocument
}

// Versions never change, so a document is parsed once per distinct text.
const parsed = new Map<string, CatalogDocument>()

function toVersion(row: CatalogVersionRow): CatalogVersion {
  let document = parsed.get(row.document)
  if (!document) {
    // Stored only after validation; a row that no longer parses is a corrupt database.
    const result = CatalogDocumentSchema.safeParse(JSON.parse(row.document))
    if (!result.success) throw new Error(`internal: catalog version ${row.version} in the database does not validate`)
    document = result.data
    if (parsed.size > 64) parsed.clear()
    parsed.set(row.document, document)
  }
  return { version: row.version, effectiveFrom: row.effectiveFrom, publishedAt: row.publishedAt, document }
}

/** The version in force at `at` (epoch ms). Version 1 is in force from 0, so there always is one. */
export async function catalogInForce(tx: StoreTx, at: number): Promise<CatalogVersion> {
  const row = await tx.catalog.inForce(at)
  if (!row) throw new Error('internal: no catalog version in force (migration 0007 seeds version 1)')
  return toVersion(row)
}

/**
 * The version in force, kept parsed by version number: a hot path (each paid notification's
 * invoice, each checkout) asks the store for the number only, not the whole document. One per
 * owner of a store (a version number means one document only within one database; tests open
 * several in one process); versions never change, so an entry never goes stale.
 */
export class CatalogVersions {
  private readonly byNumber = new Map<number, CatalogVersion>()

  async inForce(tx: StoreTx, at: number): Promise<CatalogVersion> {
    const n = await tx.catalog.versionInForce(at)
    const known = n === undefined ? undefined : this.byNumber.get(n)
    if (known) return known
    return this.keep(await catalogInForce(tx, at))
  }

  /** A published version by its number (published versions never change, so one read per relay). */
  async version(tx: StoreTx, n: number): Promise<CatalogVersion> {
    const known = this.byNumber.get(n)
    if (known) return known
    const v = await catalogByVersion(tx, n)
    if (!v) throw new Error(`internal: catalog version ${n} is not in the store`)
    return this.keep(v)
  }

  private keep(v: CatalogVersion): CatalogVersion {
    if (this.byNumber.size > 64) this.byNumber.clear()
    this.byNumber.set(v.version, v)
    return v
  }
}

/** A published version by its id, or undefined (for checking what a device priced by). */
export async function catalogByVersion(tx: StoreTx, version: number): Promise<CatalogVersion | undefined> {
  const row = await tx.catalog.byVersion(version)
  return row && toVersion(row)
}

/**
 * A version as the price check of a wallet purchase reads it: its prices, and when the next
 * version took its place (null: it is the latest).
 */
export async function catalogForPurchase(tx: StoreTx, version: number, renewalOf?: { code: string; period: string }): Promise<CatalogVersionView | undefined> {
  const v = await catalogByVersion(tx, version)
  if (!v) return undefined
  const next = await tx.catalog.after(version)
  // Inactive rows too: a plan taken off sale still renews for those who have it.
  const prices = new Map(v.document.plans.map((p) => [`${p.code}/${p.period}`, p.price]))
  // A plan a later version dropped altogether renews at the price of the last version that had
  // it (the app keeps that row, not offered): found walking back from this version.
  const key = renewalOf && `${renewalOf.code}/${renewalOf.period}`
  for (let n = version - 1; key && !prices.has(key) && n >= 1; n--) {
    const older = await catalogByVersion(tx, n)
    const row = older?.document.plans.find((p) => `${p.code}/${p.period}` === key)
    if (row) prices.set(key, row.price)
  }
  return {
    version: v.version,
    effectiveFrom: v.effectiveFrom,
    supersededAt: next ? next.effectiveFrom : null,
    currency: v.document.currency,
    price: (code, period) => prices.get(`${code}/${period}`) ?? null
  }
}

/** The highest version published, in force or scheduled. */
export async function latestCatalog(tx: StoreTx): Promise<CatalogVersion> {
  const row = await tx.catalog.latest()
  if (!row) throw new Error('internal: no catalog version (migration 0007 seeds version 1)')
  return toVersion(row)
}

/**
 * Publishes a new catalog version: validated (InvalidCatalog naming each bad field), its
 * version above every published one, its effectiveFrom not before the latest version's and
 * not in the past beyond PUBLISH_SKEW_MS (a version must not reprice what was already sold).
 * One row is written, or nothing.
 */
export async function publishCatalog(store: RelayStore, now: number, input: unknown): Promise<CatalogVersion> {
  const document = parseCatalogDocument(input)
  return store.unit(async (tx) => {
    const latest = await latestCatalog(tx)
    if (document.version <= latest.version) {
      throw new InvalidCatalog([{ field: 'version', reason: `must be greater than ${latest.version}, the latest published version` }])
    }
    if (document.effectiveFrom < latest.effectiveFrom) {
      throw new InvalidCatalog([
        { field: 'effectiveFrom', reason: `must not be before ${new Date(latest.effectiveFrom).toISOString()}, when version ${latest.version} takes effect` }
      ])
    }
    if (document.effectiveFrom < now - PUBLISH_SKEW_MS) {
      throw new InvalidCatalog([
        { field: 'effectiveFrom', reason: `is in the past (now is ${new Date(now).toISOString()}); give the time the new prices start, now or later` }
      ])
    }
    const row: CatalogVersionRow = {
      version: document.version,
      effectiveFrom: document.effectiveFrom,
      document: JSON.stringify(document),
      publishedAt: now
    }
    await tx.catalog.insert(row)
    return toVersion(row)
  })
}

/** The built-in version every app has compiled in: it is never sent in a feed. */
export const BUILT_IN_VERSION = BUILT_IN_CATALOG.version
