import type Database from 'better-sqlite3'
import type { CatalogRepo, CatalogVersionRow } from '../../ports'

interface CatalogColumns {
  version: number
  effective_from: number
  document: string
  published_at: number
}

const toRow = (r: CatalogColumns | undefined): CatalogVersionRow | undefined =>
  r && { version: r.version, effectiveFrom: r.effective_from, document: r.document, publishedAt: r.published_at }

export function sqliteCatalog(s: Database.Database): CatalogRepo {
  const cols = 'SELECT version, effective_from, document, published_at FROM catalog_versions'
  const latest = s.prepare<[], CatalogColumns>(`${cols} ORDER BY version DESC LIMIT 1`)
  const inForce = s.prepare<[number], CatalogColumns>(`${cols} WHERE effective_from <= ? ORDER BY version DESC LIMIT 1`)
  const versionInForce = s.prepare<[number], { version: number }>('SELECT version FROM catalog_versions WHERE effective_from <= ? ORDER BY version DESC LIMIT 1')
  const byVersion = s.prepare<[number], CatalogColumns>(`${cols} WHERE version = ?`)
  const after = s.prepare<[number], CatalogColumns>(`${cols} WHERE version > ? ORDER BY version LIMIT 1`)
  const insert = s.prepare('INSERT INTO catalog_versions (version, effective_from, document, published_at) VALUES (?, ?, ?, ?)')
  const delivered = s.prepare<[string, number], { one: number }>(
    'SELECT 1 AS one FROM catalog_deliveries WHERE account_id = ? AND version = ?'
  )
  const claim = s.prepare(
    'INSERT INTO catalog_deliveries (account_id, version, record_id, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'
  )
  return {
    latest: () => toRow(latest.get()),
    inForce: (at) => toRow(inForce.get(at)),
    versionInForce: (at) => versionInForce.get(at)?.version,
    byVersion: (v) => toRow(byVersion.get(v)),
    after: (v) => toRow(after.get(v)),
    insert: (r) => void insert.run(r.version, r.effectiveFrom, r.document, r.publishedAt),
    delivered: (accountId, version) => delivered.get(accountId, version) !== undefined,
    claimDelivery: (accountId, version, recordId, at) => claim.run(accountId, version, recordId, at).changes === 1
  }
}
