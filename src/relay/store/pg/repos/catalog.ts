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

// The version in force is kept for the unit (sql.ts memo) with the instants it holds for: from
// its own effective_from up to the earliest effective_from of any later version. Each invoice of a
// batch asks at its own instant; within that span the answer is the same, without a round trip.
interface InForce {
  row: CatalogVersionRow
  until: number
}

export function pgCatalog(q: Sql): CatalogRepo {
  return {
    async inForce(at) {
      const kept = q.memo.get('catalog_in_force') as InForce | undefined
      if (kept && at >= kept.row.effectiveFrom && at < kept.until) return { ...kept.row }
      const r = await q.get<CatalogColumns & { next_from: Date | null }>(
        `SELECT c.version, c.effective_from, c.document, c.published_at,
           (SELECT min(n.effective_from) FROM catalog_versions n WHERE n.version > c.version) AS next_from
         FROM catalog_versions c WHERE c.effective_from <= $1 ORDER BY c.version DESC LIMIT 1`,
        [ts(at)]
      )
      const row = toRow(r)
      if (row) q.memo.set('catalog_in_force', { row, until: r!.next_from ? ms(r!.next_from) : Infinity })
      return row
    },
    latest: async () => toRow(await q.get<CatalogColumns>(`${COLS} ORDER BY version DESC LIMIT 1`)),
    async versionInForce(at) {
      const kept = q.memo.get('catalog_in_force') as InForce | undefined
      if (kept && at >= kept.row.effectiveFrom && at < kept.until) return kept.row.version
      return (await q.get<{ version: number }>('SELECT version FROM catalog_versions WHERE effective_from <= $1 ORDER BY version DESC LIMIT 1', [ts(at)]))?.version
    },
    byVersion: async (v) => toRow(await q.get<CatalogColumns>(`${COLS} WHERE version = $1`, [v])),
    after: async (v) => toRow(await q.get<CatalogColumns>(`${COLS} WHERE version > $1 ORDER BY version LIMIT 1`, [v])),
    insert: async (r) =>
      void (q.memo.delete('catalog_in_force'),
      await q.later('INSERT INTO catalog_versions (version, effective_from, document, published_at) VALUES ($1, $2, $3, $4)', [
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
