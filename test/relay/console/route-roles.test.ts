import { expect, it } from 'vitest'
import { can, OPERATOR_ROLES, type OperatorRole, type Permission } from '../../../src/shared/console/roles'
import { startTestRelay } from '../support/relay'
import { addOperator, signIn, type ConsoleSession } from './support'

// Every operator route the relay serves, read from Fastify's own route table, against every
// role: the permission each route needs is stated here once (a new route without a line fails
// this test), a role without it is refused 403 naming it, a role with it gets past the guard,
// no route answers without a session, and none that changes something answers without the
// CSRF header.

const NEEDS: Record<string, Permission | 'public' | 'session'> = {
  'POST /v1/console/login': 'public',
  'POST /v1/console/logout': 'session',
  'POST /v1/console/logout-everywhere': 'session',
  'GET /v1/console/me': 'session',
  'POST /v1/console/totp/setup': 'session',
  'POST /v1/console/totp/confirm': 'session',
  'GET /v1/console/operators': 'operators.manage',
  'POST /v1/console/operators': 'operators.manage',
  'POST /v1/console/operators/:id/role': 'operators.manage',
  'POST /v1/console/operators/:id/disable': 'operators.manage',
  'GET /v1/console/orders': 'read',
  'GET /v1/console/orders/:orderNo': 'read',
  'GET /v1/console/orders/:orderNo/refunds': 'read',
  'POST /v1/console/orders/:orderNo/refunds': 'refunds.create',
  'GET /v1/console/accounts': 'read',
  'GET /v1/console/accounts/:accountId': 'read',
  'GET /v1/console/fapiao': 'read',
  'GET /v1/console/coupons/:couponId/redemptions': 'read',
  'GET /v1/console/catalog/versions': 'read',
  'POST /v1/console/catalog/preview': 'read',
  'POST /v1/console/catalog/publish': 'catalog.publish',
  'GET /v1/console/reports/revenue': 'read',
  'GET /v1/console/reports/revenue.csv': 'read',
  'GET /v1/console/reports/tax': 'read',
  'GET /v1/console/reports/tax.csv': 'read',
  'GET /v1/console/reports/statement': 'read',
  'GET /v1/console/reports/statement.csv': 'read',
  'GET /v1/console/reports/mrr': 'read',
  'GET /v1/console/reports/mrr-movement': 'read',
  'GET /v1/console/reports/trials': 'read',
  'GET /v1/console/reconciliation': 'read',
  'GET /v1/console/reconciliation/runs/:runId': 'read',
  'POST /v1/console/reconciliation/:provider': 'reconciliation.manage',
  'POST /v1/console/reconciliation/:provider/fetch': 'reconciliation.manage',
  'POST /v1/console/reconciliation/differences/:id/resolve': 'reconciliation.manage',
  'GET /v1/console/audit': 'audit.read',
  'GET /v1/console/audit.csv': 'audit.read',
  'POST /v1/admin/enrolments': 'accounts.manage',
  'POST /v1/admin/accounts/:accountId/grants': 'accounts.manage',
  'POST /v1/admin/devices/:deviceId/revoke': 'accounts.manage',
  'POST /v1/admin/invoices/:number/fapiao': 'invoices.manage',
  'POST /v1/admin/invoices/:number/void': 'invoices.manage',
  'GET /v1/admin/coupons': 'read',
  'POST /v1/admin/coupons': 'coupons.manage',
  'POST /v1/admin/coupons/:couponId/codes': 'coupons.manage',
  'POST /v1/admin/coupons/:couponId/grants': 'coupons.manage',
  'POST /v1/admin/coupons/:couponId/deactivate': 'coupons.manage',
  'POST /v1/admin/coupons/:couponId/limits': 'coupons.manage',
  'GET /v1/admin/jobs/dead': 'read'
}

/** "METHOD /path" of every /v1/console and /v1/admin route, from printRoutes' tree (children print their suffix). */
function operatorRoutes(tree: string): string[] {
  const out: string[] = []
  const stack: string[] = []
  for (const line of tree.split('\n')) {
    const m = /^((?:│ {3}| {4})*)[├└]── (\S+) \(([A-Z, ]+)\)$/.exec(line)
    if (!m) continue
    const depth = m[1]!.length / 4
    const path = (stack[depth - 1] ?? '') + m[2]!
    stack[depth] = path
    stack.length = depth + 1
    if (!/^\/v1\/(console|admin)\//.test(path)) continue
    for (const method of m[3]!.split(', ')) if (method !== 'HEAD') out.push(`${method} ${path}`)
  }
  return out.sort()
}

const concrete = (path: string) => path.replace(/:(\w+)/g, 'probe-$1')

it('each operator route needs its stated permission, a session, and on changes the CSRF header', async () => {
  const t = await startTestRelay()
  const routes = operatorRoutes(t.relay.app.printRoutes({ commonPrefix: false }))
  expect(routes.length).toBeGreaterThan(40)
  expect(routes.filter((r) => !(r in NEEDS)), 'routes missing from NEEDS').toEqual([])
  expect(Object.keys(NEEDS).filter((r) => !routes.includes(r)), 'NEEDS lines without a route').toEqual([])

  const sessions = {} as Record<OperatorRole, ConsoleSession>
  for (const role of OPERATOR_ROLES) {
    await addOperator(t, `${role}@example.com`, role)
    sessions[role] = await signIn(t, `${role}@example.com`)
  }
  for (const route of routes) {
    const need = NEEDS[route]!
    if (need === 'public' || need === 'session') continue
    const [method, path] = route.split(' ') as [string, string]
    const url = concrete(path)
    const body = method === 'POST' ? {} : undefined
    const anonymous = await t.api(method, url, body === undefined ? {} : { body })
    expect(anonymous.status, `${route} without a session`).toBe(401)
    for (const role of OPERATOR_ROLES) {
      const r = await sessions[role].call(method, url, body === undefined ? {} : { body })
      if (can(role, need)) {
        expect([401, 403], `${route} as ${role}: ${r.text}`).not.toContain(r.status)
      } else {
        expect(r.status, `${route} as ${role}`).toBe(403)
        expect(r.body.error.details.permission, route).toBe(need)
      }
    }
    if (method === 'POST') {
      const r = await sessions.admin.call(method, url, { body, csrf: null })
      expect(r.status, `${route} without the CSRF header`).toBe(403)
      expect(r.body.error.details.reason, route).toBe('csrf')
    }
  }
})
