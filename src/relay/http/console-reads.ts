import type { FastifyInstance } from 'fastify'
import type {
  ConsoleAccountDetail,
  ConsoleAccountPage,
  ConsoleFapiaoList,
  ConsoleOrderDetail,
  ConsoleOrderPage,
  ConsoleRedemptions
} from '../../shared/console/api'
import { auditedStore } from '../console/audit'
import { accountDetail, searchAccounts } from '../console/reads/accounts'
import { couponRedemptions } from '../console/reads/coupons'
import { fapiaoList } from '../console/reads/fapiao'
import { orderDetail, searchOrders } from '../console/reads/orders'
import { changeCouponLimits, type CouponLimitsChange } from '../coupons/limits'
import type { RelayCore } from '../core'
import type { ConsoleGuards } from './console'
import { registerConsoleCatalogRoutes } from './console-catalog'

// What the console's screens read (contract: src/shared/console/api.ts): orders, accounts, the
// fapiao queue, a coupon's redemptions; and the coupon limits change beside them. Each read is
// one domain function of src/relay/console/reads; queries are zod-validated there (a bad one is
// the typed 400 of errors.ts).

type ByOrder = { Params: { orderNo: string } }
type ByAccount = { Params: { accountId: string } }
type ByCoupon = { Params: { couponId: string } }

export function registerConsoleReadRoutes(app: FastifyInstance, core: RelayCore, guards: ConsoleGuards): void {
  const read = guards.operator('read')
  const now = () => core.clock.now()

  app.get('/v1/console/orders', { preHandler: read }, async (req): Promise<ConsoleOrderPage> => searchOrders(core.store, req.query))
  app.get<ByOrder>('/v1/console/orders/:orderNo', { preHandler: read }, async (req): Promise<ConsoleOrderDetail> => orderDetail(core.store, req.params.orderNo))

  app.get('/v1/console/accounts', { preHandler: read }, async (req): Promise<ConsoleAccountPage> => searchAccounts(core.store, now(), req.query))
  app.get<ByAccount>('/v1/console/accounts/:accountId', { preHandler: read }, async (req): Promise<ConsoleAccountDetail> => accountDetail(core.store, now(), req.params.accountId))

  app.get('/v1/console/fapiao', { preHandler: read }, async (req): Promise<ConsoleFapiaoList> => fapiaoList(core.store, req.query))

  app.get<ByCoupon>('/v1/console/coupons/:couponId/redemptions', { preHandler: read }, async (req): Promise<ConsoleRedemptions> => couponRedemptions(core.store, req.params.couponId, req.query))

  // The limits of a coupon: its audit entry (before and after) commits with the change.
  app.post<ByCoupon>('/v1/admin/coupons/:couponId/limits', { preHandler: guards.admin('coupons.manage') }, async (req) => {
    const store = auditedStore(core.store, { ids: core.ids, now }, req.actor!, 'coupon.limits', (c: CouponLimitsChange) => ({
      target: req.params.couponId,
      before: c.before,
      after: c.after
    }))
    const out = await changeCouponLimits({ store, clock: core.clock, ids: core.ids, coupons: core.coupons }, req.params.couponId, req.body)
    req.log.info({ couponId: req.params.couponId, ...out.after, by: req.actor!.name }, 'coupon limits changed')
    return { coupon: out.coupon }
  })

  registerConsoleCatalogRoutes(app, core, guards)
}
