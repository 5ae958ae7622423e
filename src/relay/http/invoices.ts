import type { FastifyInstance, FastifyRequest } from 'fastify'
import { audit, auditedStore } from '../console/audit'
import { z } from 'zod'
import type { BillingDetailsResponseSchema, FapiaoResponseSchema, InvoicesResponseSchema } from '../../shared/billing/invoices'
import { NotFound } from '../../shared/errors'
import type { DeviceContext } from '../accounts/accounts'
import type { RelayCore } from '../core'
import { FAPIAO_FILE_MAX_BYTES } from '../invoices/fapiao'
import { parseDocumentNumber } from '../invoices/numbers'

// The invoice routes (contract: the end of src/shared/billing/invoices.ts): billing details,
// the account's invoices, credit notes and fapiao requests, an invoice's PDF and fapiao file;
// and the operator's fapiao decisions and voids behind the admin token.

type Guard = (req: FastifyRequest) => Promise<void>
type Out<S extends z.ZodType> = Promise<z.infer<S>>

const PdfQuerySchema = z.strictObject({ lang: z.enum(['zh-CN', 'en']).default('zh-CN') })

/** The path's invoice number; anything not shaped like one is a 404 (and never reaches a header). */
function invoiceNumber(text: string): string {
  if (!parseDocumentNumber(text)) throw new NotFound('invoice', text.slice(0, 40))
  return text
}

export function registerInvoiceRoutes(app: FastifyInstance, core: RelayCore, guards: { device: Guard; admin: Guard }): void {
  const { invoices, details, fapiao, reads } = core.invoicing
  const { device, admin } = guards
  const auditDeps = { ids: core.ids, now: () => core.clock.now() }
  const ctx = (req: FastifyRequest): DeviceContext => req.device!
  type ByNumber = { Params: { number: string } }

  app.get('/v1/billing-details', { preHandler: device }, async (req): Out<typeof BillingDetailsResponseSchema> => ({
    details: await details.get(ctx(req).accountId)
  }))

  app.put('/v1/billing-details', { preHandler: device }, async (req): Out<typeof BillingDetailsResponseSchema> => {
    const saved = await details.put(ctx(req).accountId, req.body)
    req.log.info({ accountId: ctx(req).accountId, type: saved.type }, 'billing details saved')
    return { details: saved }
  })

  app.get('/v1/invoices', { preHandler: device }, async (req): Out<typeof InvoicesResponseSchema> => reads.list(ctx(req).accountId))

  app.get<ByNumber>('/v1/invoices/:number/pdf', { preHandler: device }, async (req, reply) => {
    const { lang } = PdfQuerySchema.parse(req.query)
    const number = invoiceNumber(req.params.number)
    const pdf = await reads.pdf(ctx(req), number, lang)
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="${number}.pdf"`).send(pdf)
  })

  app.post<ByNumber>('/v1/invoices/:number/fapiao', { preHandler: device }, async (req): Out<typeof FapiaoResponseSchema> => {
    const out = await fapiao.request(ctx(req), invoiceNumber(req.params.number))
    req.log.info({ invoiceNumber: out.invoiceNumber, status: out.status }, 'fapiao requested')
    return { fapiao: out }
  })

  app.get<ByNumber>('/v1/invoices/:number/fapiao/file', { preHandler: device }, async (req, reply) => {
    const number = invoiceNumber(req.params.number)
    const f = await fapiao.file(ctx(req), number)
    return reply
      .type(f.fileType === 'pdf' ? 'application/pdf' : 'application/ofd')
      .header('content-disposition', `attachment; filename="${number}-fapiao.${f.fileType}"`)
      .send(f.file)
  })

  // The operator: issue (20-digit number + the file as base64) or refuse a request; void an invoice.
  app.post<ByNumber>(
    '/v1/admin/invoices/:number/fapiao',
    { preHandler: admin, bodyLimit: Math.ceil(FAPIAO_FILE_MAX_BYTES / 3) * 4 + 64 * 1024 },
    async (req): Out<typeof FapiaoResponseSchema> => {
      const number = invoiceNumber(req.params.number)
      const store = auditedStore(core.store, auditDeps, req.actor!, 'fapiao.decide', (f: { status: string; fapiaoNumber?: string | null }) => ({
        target: number,
        after: { status: f.status, fapiaoNumber: f.fapiaoNumber ?? null }
      }))
      const out = await fapiao.decide(number, req.body, store)
      req.log.info({ invoiceNumber: out.invoiceNumber, status: out.status, by: 'admin' }, 'fapiao decided')
      return { fapiao: out }
    }
  )

  app.post<ByNumber>('/v1/admin/invoices/:number/void', { preHandler: admin }, async (req) => {
    const body = z.strictObject({ reason: z.string().trim().min(1).max(500) }).parse(req.body)
    const number = invoiceNumber(req.params.number)
    const out = await core.store.unit(async (tx) => {
      const voided = await invoices.void(tx, number, core.clock.now())
      await audit(tx, auditDeps, req.actor!, 'invoice.void', number, { after: { reason: body.reason } })
      return voided
    })
    req.log.info({ invoiceNumber: number, reason: body.reason, by: 'admin' }, 'invoice voided')
    return { invoice: out }
  })
}
