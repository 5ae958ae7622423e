import type { FastifyInstance, FastifyRequest } from 'fastify'
import { QuoteRequestSchema, type QuoteResponseSchema } from '../../shared/billing/coupons'
import type { z } from 'zod'
import type { DeviceContext } from '../accounts/accounts'
import type { RelayCore } from '../core'
import { addPromotionCode, createCoupon, deactivateCoupon, grantCoupon, listCoupons } from '../coupons/admin'
import { quote } from '../coupons/quotes'

// Quotes for devices, and the coupon admin routes (behind the admin token), over the domain
// functions of src/relay/coupons that the CLI and the operator console call too.

type PreHandler = (req: FastifyRequest) => Promise<void>

export function registerCouponRoutes(app: FastifyInstance, core: RelayCore, auth: { device: PreHandler; admin: PreHandler; ctx: (req: FastifyRequest) => DeviceContext }): void {
  const { device, admin, ctx } = auth
  const deps = { store: core.store, clock: core.clock, ids: core.ids, coupons: core.coupons }

  app.post('/v1/quotes', { preHandler: device }, async (req): Promise<z.infer<typeof QuoteResponseSchema>> => {
    const body = QuoteRequestSchema.parse(req.body)
    return { quote: await quote(deps, ctx(req), body) }
  })

  app.post('/v1/admin/coupons', { preHandler: admin }, async (req) => {
    const coupon = await createCoupon(deps, req.body)
    req.log.info({ couponId: coupon.id, by: 'admin' }, 'coupon created')
    return { coupon }
  })
  app.get('/v1/admin/coupons', { preHandler: admin }, async () => ({ coupons: await listCoupons(deps) }))
  app.post<{ Params: { couponId: string } }>('/v1/admin/coupons/:couponId/codes', { preHandler: admin }, async (req) => {
    const code = await addPromotionCode(deps, req.params.couponId, req.body)
    req.log.info({ couponId: req.params.couponId, by: 'admin' }, 'promotion code added')
    return { code }
  })
  app.post<{ Params: { couponId: string } }>('/v1/admin/coupons/:couponId/grants', { preHandler: admin }, async (req) => {
    const grant = await grantCoupon(deps, req.params.couponId, req.body)
    req.log.info({ couponId: req.params.couponId, accountId: grant.accountId, grantId: grant.grantId, by: 'admin' }, 'coupon granted')
    return { grant }
  })
  app.post<{ Params: { couponId: string } }>('/v1/admin/coupons/:couponId/deactivate', { preHandler: admin }, async (req) => {
    const out = await deactivateCoupon(deps, req.params.couponId)
    req.log.info({ ...out, by: 'admin' }, 'coupon deactivated')
    return out
  })
}
