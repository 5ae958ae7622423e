import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { BillingError } from '../../shared/errors'
import { can, permissionsOf, type Permission } from '../../shared/console/roles'
import { sha256Hex, Unauthorized } from '../accounts/accounts'
import type { RelayCore } from '../core'
import { audit, auditCsv, type Actor } from '../console/audit'
import { csrfTokenOf, viewOf, type Authenticated } from '../console/operators'

// The console's sign-in and the guard of every operator route. The session token travels only
// in an HttpOnly, SameSite=Strict cookie; a request that changes something must also carry the
// x-csrf-token header (derived from the token, so only a page that was told it by this origin
// can send it). The shared admin token stays for machines (enrolment codes, scripts) and is
// audited as the actor "admin-token".

export const SESSION_COOKIE = 'relay_console'
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

declare module 'fastify' {
  interface FastifyRequest {
    operator?: Authenticated
    /** Who an admin route acts for: an operator, or the machine token. */
    actor?: Actor
  }
}

function cookie(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === name) return decodeURIComponent(v.join('='))
  }
  return undefined
}

function setSessionCookie(req: FastifyRequest, reply: FastifyReply, token: string, maxAgeSeconds: number): void {
  const secure = req.protocol === 'https' ? '; Secure' : ''
  reply.header('set-cookie', `${SESSION_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/${secure}; Max-Age=${maxAgeSeconds}`)
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined
}

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name]
  return Array.isArray(v) ? v[0] : v
}

export interface ConsoleGuards {
  /** An operator session whose role has `permission` (and the CSRF header when the request changes something). */
  operator(permission: Permission): (req: FastifyRequest) => Promise<void>
  /** As operator(permission), or the shared admin token (machines). */
  admin(permission: Permission): (req: FastifyRequest) => Promise<void>
}

export function consoleGuards(core: RelayCore): ConsoleGuards {
  const adminHash = core.config.adminToken ? Buffer.from(sha256Hex(core.config.adminToken), 'hex') : undefined
  const operator = (permission: Permission) => async (req: FastifyRequest) => {
    const token = cookie(req, SESSION_COOKIE)
    const csrf = header(req, 'x-csrf-token')
    const who = await core.operators.authenticate(token, { changes: !SAFE_METHODS.has(req.method), csrf, address: req.ip })
    if (!can(who.operator.role, permission)) {
      throw new BillingError('FORBIDDEN', `the role ${who.operator.role} may not do this (it needs ${permission}); ask an admin`, { reason: 'permission', permission })
    }
    req.operator = who
    req.actor = who.actor
  }
  const admin = (permission: Permission) => {
    const asOperator = operator(permission)
    return async (req: FastifyRequest) => {
      const token = bearer(req)
      if (token !== undefined) {
        // Compared as hashes in constant time; the token is off when not configured.
        if (!adminHash || !timingSafeEqual(adminHash, Buffer.from(sha256Hex(token), 'hex'))) throw new Unauthorized('admin token required')
        req.actor = { operatorId: null, name: 'admin-token', address: req.ip }
        return
      }
      await asOperator(req)
    }
  }
  return { operator, admin }
}

const LoginSchema = z.object({ email: z.string().max(254), password: z.string().max(200), totp: z.string().max(10).optional() })
const AddOperatorSchema = z.object({ email: z.string().max(254), role: z.string(), password: z.string().max(200) })
const RoleSchema = z.object({ role: z.string() })
const CodeSchema = z.object({ code: z.string().max(10) })
const RefundSchema = z.strictObject({
  amount: z.strictObject({ amount: z.number().int(), currency: z.enum(['CNY', 'USD', 'EUR', 'HKD']) }).optional(),
  reason: z.string().max(200),
  refundKey: z.string().max(100)
})
const AuditQuerySchema = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  operator: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
  from: z.coerce.number().int().optional(),
  to: z.coerce.number().int().optional()
})
/** Rows an audit CSV export holds at most (a wider export is several, by date range). */
const CSV_MAX_ROWS = 50_000

export function registerConsoleRoutes(app: FastifyInstance, core: RelayCore, guards: ConsoleGuards): void {
  const me = (who: Authenticated) => ({ operator: viewOf(who.operator, core.clock.now()), permissions: permissionsOf(who.operator.role) })

  app.post('/v1/console/login', async (req, reply) => {
    const body = LoginSchema.parse(req.body)
    const out = await core.operators.login({ ...body, address: req.ip, userAgent: header(req, 'user-agent') ?? null })
    setSessionCookie(req, reply, out.token, Math.floor(core.operators.policy.absoluteMs / 1000))
    return { csrfToken: csrfTokenOf(out.token), expiresAt: out.expiresAt, operator: out.operator, permissions: permissionsOf(out.operator.role) }
  })

  app.get('/v1/console/me', { preHandler: guards.operator('read') }, async (req) => ({
    ...me(req.operator!),
    csrfToken: csrfTokenOf(cookie(req, SESSION_COOKIE)!)
  }))

  app.post('/v1/console/logout', { preHandler: guards.operator('read') }, async (req, reply) => {
    await core.operators.logout(cookie(req, SESSION_COOKIE)!, req.actor!)
    setSessionCookie(req, reply, '', 0)
    return { ok: true }
  })

  app.post('/v1/console/logout-everywhere', { preHandler: guards.operator('read') }, async (req, reply) => {
    const sessions = await core.operators.logoutEverywhere(req.operator!.operator.id, req.actor!)
    setSessionCookie(req, reply, '', 0)
    return { sessions }
  })

  app.post('/v1/console/totp/setup', { preHandler: guards.operator('read') }, async (req) => core.operators.totpSetup(req.operator!.operator.id, req.actor!))

  app.post('/v1/console/totp/confirm', { preHandler: guards.operator('read') }, async (req) => ({
    operator: await core.operators.totpConfirm(req.operator!.operator.id, CodeSchema.parse(req.body).code, req.actor!)
  }))

  app.get('/v1/console/operators', { preHandler: guards.operator('operators.manage') }, async () => ({ operators: await core.operators.list() }))

  app.post('/v1/console/operators', { preHandler: guards.operator('operators.manage') }, async (req) => ({
    operator: await core.operators.add(AddOperatorSchema.parse(req.body), req.actor!)
  }))

  app.post<{ Params: { id: string } }>('/v1/console/operators/:id/role', { preHandler: guards.operator('operators.manage') }, async (req) => ({
    operator: await core.operators.setRole(req.params.id, RoleSchema.parse(req.body).role, req.actor!)
  }))

  app.post<{ Params: { id: string } }>('/v1/console/operators/:id/disable', { preHandler: guards.operator('operators.manage') }, async (req) => ({
    operator: await core.operators.disable(req.params.id, req.actor!)
  }))

  // Refunds of an order through its provider (src/relay/refunds): idempotent by refundKey.
  app.post<{ Params: { orderNo: string } }>('/v1/console/orders/:orderNo/refunds', { preHandler: guards.operator('refunds.create') }, async (req) => ({
    refund: await core.refunds.refund({ ...RefundSchema.parse(req.body), orderNo: req.params.orderNo }, req.actor!)
  }))

  app.get<{ Params: { orderNo: string } }>('/v1/console/orders/:orderNo/refunds', { preHandler: guards.operator('read') }, async (req) => ({
    refunds: await core.refunds.ofOrder(req.params.orderNo)
  }))

  // Providers' bills (src/relay/reconcile): import (the CSV as text), list, resolve.
  const ImportSchema = z.strictObject({ csv: z.string().max(20 * 1024 * 1024), from: z.number().int(), to: z.number().int() })
  app.post<{ Params: { provider: string } }>(
    '/v1/console/reconciliation/:provider',
    { preHandler: guards.operator('reconciliation.manage'), bodyLimit: 24 * 1024 * 1024 },
    async (req) => core.reconciliation.importBill({ provider: req.params.provider, ...ImportSchema.parse(req.body) }, req.actor!)
  )
  // The same import, the bill fetched through the provider's bill API for one day.
  app.post<{ Params: { provider: string } }>('/v1/console/reconciliation/:provider/fetch', { preHandler: guards.operator('reconciliation.manage') }, async (req) =>
    core.reconciliation.fetchBill({ provider: req.params.provider, ...z.strictObject({ date: z.string().max(10) }).parse(req.body) }, req.actor!)
  )
  app.get('/v1/console/reconciliation', { preHandler: guards.operator('read') }, async () => ({ runs: await core.reconciliation.runs() }))
  app.get<{ Params: { runId: string } }>('/v1/console/reconciliation/runs/:runId', { preHandler: guards.operator('read') }, async (req) => ({
    differences: await core.reconciliation.differences(req.params.runId)
  }))
  app.post<{ Params: { id: string } }>('/v1/console/reconciliation/differences/:id/resolve', { preHandler: guards.operator('reconciliation.manage') }, async (req) => ({
    difference: await core.reconciliation.resolve(req.params.id, z.strictObject({ reason: z.string().max(500) }).parse(req.body).reason, req.actor!)
  }))

  app.get('/v1/console/audit', { preHandler: guards.operator('audit.read') }, async (req) => {
    const q = AuditQuerySchema.parse(req.query)
    const entries = await core.store.read(async (tx) =>
      tx.audit.list({
        limit: q.limit,
        ...(q.before !== undefined ? { beforeSeq: q.before } : {}),
        ...(q.operator !== undefined ? { operatorId: q.operator } : {}),
        ...(q.action !== undefined ? { action: q.action } : {}),
        ...(q.from !== undefined ? { from: q.from } : {}),
        ...(q.to !== undefined ? { to: q.to } : {})
      })
    )
    return { entries, next: entries.length === q.limit ? entries.at(-1)!.seq : null }
  })

  app.get('/v1/console/audit.csv', { preHandler: guards.operator('audit.read') }, async (req, reply) => {
    const q = AuditQuerySchema.omit({ before: true, limit: true }).parse(req.query)
    const range = { ...(q.from !== undefined ? { from: q.from } : {}), ...(q.to !== undefined ? { to: q.to } : {}) }
    const entries = await core.store.unit(async (tx) => {
      const rows = await tx.audit.list({ limit: CSV_MAX_ROWS, ...range, ...(q.operator ? { operatorId: q.operator } : {}), ...(q.action ? { action: q.action } : {}) })
      // An export is an action of its own: who took the log, and which part.
      await audit(tx, { ids: core.ids, now: () => core.clock.now() }, req.actor!, 'audit.export', null, { after: { rows: rows.length, ...range } })
      return rows
    })
    void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit-log.csv"')
    return auditCsv(entries)
  })
}
