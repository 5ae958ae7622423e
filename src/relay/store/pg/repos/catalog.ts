import type { CatalogRepo, CatalogVersionRow } from '../../ports'
import { ms, ts, type Sql } from '../sql'

interface CatalogColumns {
  version: number
  effective_from: Date
  document: string
  published_at: Date
}

const toRow = (r: CatalogColumns | undefined): CatalogVersionRow | undefined =>
  r && { version: r.version, effectiveFrom: ms(r.effective_from), document: r.document, publishedAt: ms(r.published_at) }

const COLS = 'SELECT version, effective_from, document, published_at FROM catalog_versions'

export function pgCatalog(q: Sql): CatalogRepo {
  return {
    latest: async () => toRow(await q.get<CatalogColumns>(`${COLS} ORDER BY version DESC LIMIT 1`)),
    inForce: async (at) => toRow(await q.get<CatalogColumns>(`${COLS} WHERE effective_from <= $1 ORDER BY version DESC LIMIT 1`, [ts(at)])),
    versionInForce: async (at) =>
      (await q.get<{ version: number }>('SELECT version FROM catalog_versions WHERE effective_from <= $1 ORDER BY version DESC LIMIT 1', [ts(at)]))?.version,
    byVersion: async (v) => toRow(await q.get<CatalogColumns>(`${COLS} WHERE version = $1`, [v])),
    after: async (v) => toRow(await q.get<CatalogColumns>(`${COLS} WHERE version > $1 ORDER BY version LIMIT 1`, [v])),
    insert: async (r) =>
      void (await q.run('INSERT INTO catalog_versions (version, effective_from, document, published_at) VALUES ($1, $2, $3, $4)', [
        r.version,
        ts(r.effectiveFrom),
        r.document,
        ts(r.publishedAt)
      ])),
    delivered: async (accountId, version) =>
      (await q.get('SELECT 1 AS one FROM catalog_deliveries WHERE account_id = $1 AND version = $2', [accountId, version])) !== undefined,
    claimDelivery: async (accountId, version, recordId, at) =>
      (await q.run('INSERT INTO catalog_deliveries (account_id, version, record_id, at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
        accountId,
        version,
        recordId,
        ts(at)
      ])) === 1
  }
}
