import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { AccountLanguageRequestSchema } from '../../shared/relay-contract'
import type { DeviceContext } from '../accounts/accounts'
import type { RelayCore } from '../core'
import { unsubscribePage } from '../notifications/pages'

// Notices over HTTP: the account's email language (device), the unsubscribe link (no auth: the
// signed token is the authority), and the dead jobs for operators (admin).

type Guard = (req: FastifyRequest) => Promise<void>

const DeadQuerySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) })

export function noticeRoutes(app: FastifyInstance, core: RelayCore, guards: { device: Guard; admin: Guard }): void {
  app.put('/v1/account/language', { preHandler: guards.device }, async (req) => {
    const { language } = AccountLanguageRequestSchema.parse(req.body)
    await core.notices.setLanguage((req.device as DeviceContext).accountId, language)
    return { language }
  })

  app.get<{ Querystring: { token?: string } }>('/v1/unsubscribe', async (req, reply) => {
    const token = typeof req.query.token === 'string' ? req.query.token : ''
    const done = token ? await core.notices.unsubscribe(token) : undefined
    if (done) req.log.info({ kind: done.kind }, 'notice email opt-out')
    return reply
      .code(done ? 200 : 400)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(unsubscribePage(done))
  })

  app.get('/v1/admin/jobs/dead', { preHandler: guards.admin }, async (req) => {
    const { limit } = DeadQuerySchema.parse(req.query)
    const rows = await core.store.read(async (tx) => tx.jobs.dead(limit))
    return { jobs: rows.map(({ leaseOwner: _o, leaseUntil: _u, ...job }) => job) }
  })
}
