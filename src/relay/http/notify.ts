import type { FastifyInstance } from 'fastify'
import type { RelayCore } from '../core'
import type { ProviderName } from '../providers/types'

// POST /v1/notify/:provider. Its own encapsulated scope: every content type (JSON, form,
// text) is kept as the raw Buffer, because signatures are computed over the exact bytes.

export async function notifyRoutes(scope: FastifyInstance, core: RelayCore): Promise<void> {
  scope.removeAllContentTypeParsers()
  scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))

  scope.post<{ Params: { provider: string } }>('/v1/notify/:provider', async (req, reply) => {
    core.limits.notify.hit(req.ip)
    const provider = core.providers.get(req.params.provider as ProviderName)
    if (!provider) {
      req.log.warn({ provider: req.params.provider }, 'notification for a provider that is not enabled')
      return reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'provider not enabled' } })
    }
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    const { reply: answer } = await core.pipeline.handle(provider, raw, req.headers, req.ip)
    return reply.status(answer.status).type(answer.contentType).send(answer.body)
  })
}
