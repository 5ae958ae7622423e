import type { FastifyInstance, FastifyRequest } from 'fastify'
import { QuoteRequestSchema, type QuoteResponseSchema } from '../../shared/billing/coupons'
import type { z } from 'zod'
import type { DeviceContext } from '../accounts/accounts'
import type { RelayCore } from '../core'
import { addPromotionCode, createCoupon, deactivateCoupon, grantCoupon, listCoupons } from '../coupons/admin'
import { quote } from '../coupons/quotes'
import { auditedStore } from '../console/audit'

// Quotes for devices, and the coupon admin routes (an operator with coupons.manage, or the admin token), over the domain
// functions of src/relay/coupons that the CLI and the operator console call too.

type PreHandler = (req: FastifyRequest) => Promise<void>

export function registerCouponRoutes(app: FastifyInstance, core: RelayCore, auth: { device: PreHandler; admin: PreHandler; read: PreHandler; ctx: (req: FastifyRequest) => DeviceContext }): void {
  const { device, admin, read, ctx } = auth
  const deps = { store: core.store, clock: core.clock, ids: core.ids, coupons: core.coupons }
  const auditDeps = { ids: core.ids, now: () => core.clock.now() }

  app.post('/v1/quotes', { preHandler: device }, async (req): Promise<z.infer<typeof QuoteResponseSchema>> => {
    const body = QuoteRequestSchema.parse(req.body)
    return { quote: await quote(deps, ctx(req), body) }
  })

  // Each change runs over the audited store: its audit entry commits with it (console/audit.ts).
  const as = <R>(req: FastifyRequest, action: string, describe: (r: R) => { target: string | null; after?: unknown }) => ({
    ...deps,
    store: auditedStore(core.store, auditDeps, req.actor!, action, describe)
  })

  app.post('/v1/admin/coupons', { preHandler: admin }, async (req) => {
    const coupon = await createCoupon(as(req, 'coupon.create', (c: { id: string }) => ({ target: c.id, after: req.body })), req.body)
    req.log.info({ couponId: coupon.id, by: 'admin' }, 'coupon created')
    return { coupon }
  })
  // The list is for every operator (the console's coupons screen); changes need coupons.manage.
  app.get('/v1/admin/coupons', { preHandler: read }, async () => ({ coupons: await listCoupons(deps) }))
  app.post<{ Params: { couponId: string } }>('/v1/admin/coupons/:couponId/codes', { preHandler: admin }, async (req) => {
    const code = await addPromotionCode(as(req, 'coupon.code.add', () => ({ target: req.params.couponId, after: req.body })), req.params.couponId, req.body)
    req.log.info({ couponId: req.params.couponId, by: 'admin' }, 'promotion code added')
    return { code }
  })
  app.post<{ Params: { couponId: string } }>('/v1/admin/coupons/:couponId/grants', { preHandler: admin }, async (req) => {
    const grant = await grantCoupon(as(req, 'coupon.grant', () => ({ target: req.params.couponId, after: req.body })), req.params.couponId, req.body)
    req.log.info({ couponId: req.params.couponId, accountId: grant.accountId, grantId: grant.grantId, by: 'admin' }, 'coupon granted')
    return { grant }
  })
  app.post<{ Params: { couponId: string } }>('/v1/admin/coupons/:couponId/deactivate', { preHandler: admin }, async (req) => {
    const out = await deactivateCoupon(as(req, 'coupon.deactivate', () => ({ target: req.params.couponId, after: { active: false } })), req.params.couponId)
    req.log.info({ ...out, by: 'admin' }, 'coupon deactivated')
    return out
  })
}
