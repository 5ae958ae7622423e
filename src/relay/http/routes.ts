import type { FastifyInstance, FastifyRequest } from 'fastify'
import {
  ClientIdSchema,
  CreateCheckoutRequestSchema,
  CreateEnrolmentRequestSchema,
  EnrolRequestSchema,
  FeedQuerySchema,
  HostSignInRequestSchema,
  SignInCodeRequestSchema,
  SignInVerifyRequestSchema,
  OutboxBatchSchema,
  type HealthResponseSchema
} from '../../shared/relay-contract'
import { BillingError, InvalidInput } from '../../shared/errors'
import type { DeviceContext } from '../accounts/accounts'
import type { RelayCore } from '../core'
import { signFeedPage } from '../feed/page'
import { catalogInForce } from '../catalog/catalog'
import { priceList } from '../pricing/catalog'
import { grantByOperator } from '../subscriptions/operator'
import { noticeRoutes } from './notices'
import { registerInvoiceRoutes } from './invoices'
import type { z } from 'zod'
import { registerCouponRoutes } from './coupons'
import { consoleGuards, registerConsoleRoutes } from './console'
import { registerConsoleReportRoutes } from './console-reports'
import { registerConsoleReadRoutes } from './console-reads'
import { auditedStore } from '../console/audit'
import type { GrantRow } from '../store/ports'

// The device-facing and admin HTTP API (the contract is src/shared/relay-contract.ts).
// Device routes authenticate by bearer token, are rate limited per device, and only ever
// touch the caller's own account: no route takes an account id from the client.

declare module 'fastify' {
  interface FastifyRequest {
    device?: DeviceContext
  }
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined
}

export function registerRoutes(app: FastifyInstance, core: RelayCore): void {
  const guards = consoleGuards(core)
  const device = async (req: FastifyRequest) => {
    req.device = await core.accounts.authenticate(bearer(req))
    core.limits.device.hit(req.device.deviceId)
  }
  const ctx = (req: FastifyRequest): DeviceContext => req.device!
  // Every admin route: an operator session with the route's permission, or the machine token.
  const admin = guards.admin
  const auditDeps = { ids: core.ids, now: () => core.clock.now() }

  app.get('/health', async (): Promise<z.infer<typeof HealthResponseSchema>> => ({
    status: 'ok',
    providers: [...core.providers.keys()],
    publicKey: core.key.publicKeyBase64,
    keyId: core.key.keyId,
    time: core.clock.now(),
    signingBacklog: await core.feed.backlog(),
    eventLoopUtilization: core.load.utilization()
  }))

  // The relay's key-set documents, oldest first (feed/key-chain.ts): how apps follow a key rotation.
  app.get('/v1/keys', async () => ({ chain: core.keyChain.chain() }))

  app.get('/v1/prices', async () => priceList(await core.store.read(async (tx) => catalogInForce(tx, core.clock.now()))))

  app.post('/v1/admin/enrolments', { preHandler: admin('accounts.manage') }, async (req) => {
    const body = CreateEnrolmentRequestSchema.parse(req.body ?? {})
    const store = auditedStore(core.store, auditDeps, req.actor!, 'enrolment.create', (o: { accountId: string; expiresAt: number }) => ({
      target: o.accountId,
      after: { label: body.label ?? null, expiresAt: o.expiresAt }
    }))
    const out = await core.accounts.createEnrolment(body.accountId, body.label, store)
    req.log.info({ accountId: out.accountId }, 'enrolment code issued')
    return out
  })

  // An operator grants a plan period to an account (subscriptions/operator.ts).
  app.post<{ Params: { accountId: string } }>('/v1/admin/accounts/:accountId/grants', { preHandler: admin('accounts.manage') }, async (req) => {
    const store = auditedStore(core.store, auditDeps, req.actor!, 'plan.grant', (g: GrantRow) => ({
      target: g.account_id,
      after: { grantId: g.id, planCode: g.plan_code, period: g.period, endsAt: g.ends_at, reason: (req.body as { reason?: unknown }).reason }
    }))
    const g = await grantByOperator(store, core.clock, core.grants, req.params.accountId, req.body)
    req.log.info({ accountId: g.account_id, grantId: g.id, planCode: g.plan_code, period: g.period, reason: (req.body as { reason: string }).reason, by: 'admin' }, 'plan granted by operator')
    return { grantId: g.id, planCode: g.plan_code, period: g.period, startsAt: g.starts_at, endsAt: g.ends_at }
  })

  app.post<{ Params: { deviceId: string } }>('/v1/admin/devices/:deviceId/revoke', { preHandler: admin('accounts.manage') }, async (req) => {
    const store = auditedStore(core.store, auditDeps, req.actor!, 'device.revoke', (o: { deviceId: string; revokedAt: number }) => ({ target: o.deviceId, after: o }))
    const out = await core.accounts.revoke(req.params.deviceId, undefined, store)
    req.log.info({ deviceId: out.deviceId, by: 'admin' }, 'device revoked')
    return out
  })

  app.post('/v1/enrol', async (req) => {
    const body = EnrolRequestSchema.parse(req.body)
    const out = await core.accounts.enrol(body.code, body.deviceName)
    req.log.info({ accountId: out.accountId, deviceId: out.deviceId }, 'device enrolled')
    return out
  })

  // Sign-in: a verified code or host token ends in the same enrolment as a code from an
  // operator. Logs name the account and device, never the target or the code.
  app.get('/v1/auth/methods', async () => ({ methods: core.signIn.codes.methods(), host: core.signIn.host.enabled }))

  app.post('/v1/auth/code', async (req) => {
    const body = SignInCodeRequestSchema.parse(req.body)
    const out = await core.signIn.codes.request(body.method, body.target, req.ip)
    req.log.info({ method: body.method }, 'sign-in code sent')
    return { sent: true as const, expiresAt: out.expiresAt }
  })

  app.post('/v1/auth/verify', async (req) => {
    const body = SignInVerifyRequestSchema.parse(req.body)
    const out = await core.signIn.codes.verify(body.method, body.target, body.code, body.deviceName, req.ip)
    req.log.info({ accountId: out.accountId, deviceId: out.deviceId, method: body.method, newAccount: out.newAccount }, 'signed in')
    return out
  })

  app.post('/v1/auth/host', async (req) => {
    if (!core.signIn.host.enabled) throw new BillingError('UNAVAILABLE', 'host sign-in is switched off on this relay', { reason: 'method_off', method: 'host' })
    const body = HostSignInRequestSchema.parse(req.body)
    const out = await core.signIn.host.signIn(body.token, body.deviceName)
    req.log.info({ accountId: out.accountId, deviceId: out.deviceId, method: 'host', newAccount: out.newAccount }, 'signed in')
    return out
  })

  // Reads that hand out what notifications wrote wait until those commits are on disk (a
  // durable read: no wait unless a notification batch's fsync is still running).
  app.get('/v1/account', { preHandler: device }, async (req) => {
    const { accountId, deviceId } = ctx(req)
    return { accountId, deviceId, ...(await core.accounts.overview(accountId)) }
  })

  app.post<{ Params: { deviceId: string } }>('/v1/devices/:deviceId/revoke', { preHandler: device }, async (req) => {
    const out = await core.accounts.revoke(req.params.deviceId, ctx(req).accountId)
    req.log.info({ deviceId: out.deviceId, by: ctx(req).deviceId }, 'device revoked')
    return out
  })

  app.post('/v1/checkouts', { preHandler: device }, async (req) => {
    const keyHeader = req.headers['idempotency-key']
    const key = ClientIdSchema.safeParse(Array.isArray(keyHeader) ? keyHeader[0] : keyHeader)
    if (!key.success) throw new InvalidInput('header Idempotency-Key is required (8–128 chars of [A-Za-z0-9._:-])')
    const body = CreateCheckoutRequestSchema.parse(req.body)
    const out = await core.checkouts.create(ctx(req), key.data, body, core.config.returnUrlAllowlist)
    req.log.info(
      { orderNo: out.order.orderNo, provider: out.order.provider, amount: out.order.amount, state: out.order.state },
      'checkout'
    )
    return out
  })

  app.get<{ Params: { orderNo: string } }>('/v1/orders/:orderNo', { preHandler: device }, async (req) => {
    return { order: await core.checkouts.get(ctx(req), req.params.orderNo) }
  })

  app.post<{ Params: { orderNo: string } }>('/v1/orders/:orderNo/cancel', { preHandler: device }, async (req) => {
    const out = await core.checkouts.cancel(ctx(req), req.params.orderNo)
    const log = { orderNo: out.order.orderNo, state: out.order.state, provider: out.order.provider, close: out.provider }
    if (out.provider.outcome === 'not_closed') req.log.warn(log, 'cancel refused by the provider: the order stays open until it closes or expires')
    else req.log.info(log, 'checkout cancelled')
    return { order: out.order }
  })

  app.get('/v1/feed', { preHandler: device }, async (req) => {
    const q = FeedQuerySchema.parse(req.query)
    const { accountId } = ctx(req)
    await core.catalog.deliver(accountId)
    return signFeedPage(core.key, accountId, q.cursor, await core.feed.page(accountId, q.cursor, q.limit), q.nonce)
  })

  app.post('/v1/lease', { preHandler: device }, async (req) => {
    return { lease: await core.leases.issue(ctx(req)), serverTime: core.clock.now() }
  })

  registerInvoiceRoutes(app, core, { device, admin: admin('invoices.manage') })

  app.post('/v1/outbox', { preHandler: device }, async (req) => {
    const batch = OutboxBatchSchema.parse(req.body)
    const ack = await core.outbox.accept(ctx(req), batch.records)
    req.log.info({ accepted: ack.accepted.length, rejected: ack.rejected.length }, 'outbox batch')
    return ack
  })

  registerCouponRoutes(app, core, { device, admin: admin('coupons.manage'), read: admin('read'), ctx })
  noticeRoutes(app, core, { device, admin: admin('read') })
  registerConsoleRoutes(app, core, guards)
  registerConsoleReportRoutes(app, core, guards)
  registerConsoleReadRoutes(app, core, guards)
}
