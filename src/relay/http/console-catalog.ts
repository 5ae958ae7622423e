import type { FastifyInstance } from 'fastify'
import type { ConsoleCatalogPreview, ConsoleCatalogVersions } from '../../shared/console/api'
import { publishCatalog, type CatalogVersion } from '../catalog/catalog'
import { auditedStore } from '../console/audit'
import { catalogVersions, draftDocument, previewCatalog } from '../console/reads/catalog'
import type { RelayCore } from '../core'
import type { ConsoleGuards } from './console'

// The console's catalog screen: the versions, a draft's preview, and its publication through the
// same publishCatalog() as `npm run relay -- catalog publish` (an invalid document is the typed
// INVALID_INPUT naming every problem, and nothing is written).

export function registerConsoleCatalogRoutes(app: FastifyInstance, core: RelayCore, guards: ConsoleGuards): void {
  const now = () => core.clock.now()

  app.get('/v1/console/catalog/versions', { preHandler: guards.operator('read') }, async (): Promise<ConsoleCatalogVersions> => catalogVersions(core.store, now()))

  app.post('/v1/console/catalog/preview', { preHandler: guards.operator('read') }, async (req): Promise<ConsoleCatalogPreview> => previewCatalog(core.store, req.body))

  app.post('/v1/console/catalog/publish', { preHandler: guards.operator('catalog.publish') }, async (req) => {
    const document = draftDocument(req.body)
    const store = auditedStore(core.store, { ids: core.ids, now }, req.actor!, 'catalog.publish', (v: CatalogVersion) => ({
      target: String(v.version),
      after: { version: v.version, effectiveFrom: v.effectiveFrom, publishedAt: v.publishedAt }
    }))
    const v = await publishCatalog(store, now(), document)
    req.log.info({ version: v.version, effectiveFrom: v.effectiveFrom, by: req.actor!.name }, 'catalog published')
    return { version: { version: v.version, effectiveFrom: v.effectiveFrom, publishedAt: v.publishedAt, document: v.document } }
  })
}
