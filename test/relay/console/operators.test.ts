import { expect, it } from 'vitest'
import { base32Decode, hotp, totpStep } from '../../../src/relay/console/totp'
import { forEachStore } from '../support/pg'
import { ADMIN_TOKEN, enrolDevice, startTestRelay } from '../support/relay'
import { addOperator, PASSWORD, signIn } from './support'

// Operators over HTTP on both stores: login, lockout, sessions (idle, absolute, everywhere),
// CSRF, roles, TOTP, the append-only audit log and its CSV export.
const MIN = 60_000

async function auditActions(t: Awaited<ReturnType<typeof startTestRelay>>): Promise<string[]> {
  const rows = await t.sql<{ action: string }>('SELECT action FROM audit_log ORDER BY seq')
  return rows.map((r) => r.action)
}

forEachStore('console operators', () => {
  it('signs in with an HttpOnly SameSite=Strict cookie and answers who is signed in', async () => {
    const t = await startTestRelay()
    await addOperator(t, 'Ops@Example.com', 'finance')
    const r = await t.api('POST', '/v1/console/login', { body: { email: ' ops@example.COM ', password: PASSWORD } })
    expect(r.status).toBe(200)
    const cookie = r.headers.get('set-cookie')!
    expect(cookie).toMatch(/^relay_console=[\w%-]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200$/)
    expect(r.body.operator).toMatchObject({ email: 'ops@example.com', role: 'finance', totp: false })
    expect(r.body.permissions).toEqual(['read', 'refunds.create', 'invoices.manage', 'audit.read', 'reconciliation.manage'])
    const me = await t.api('GET', '/v1/console/me', { headers: { cookie: cookie.split(';')[0]! } })
    expect(me.status).toBe(200)
    expect(me.body.csrfToken).toBe(r.body.csrfToken)
    // No hash or secret ever leaves the relay.
    expect(JSON.stringify(me.body)).not.toMatch(/scrypt|password/i)
    const stored = await t.sql<{ token_hash: string }>('SELECT token_hash FROM operator_sessions')
    expect(stored[0]!.token_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(cookie).not.toContain(stored[0]!.token_hash)
    expect(await auditActions(t)).toEqual(['operator.add', 'login'])
  })

  it('refuses a wrong password or an unknown email alike, and locks after five failures for 15 minutes', async () => {
    const t = await startTestRelay()
    await addOperator(t, 'ops@example.com', 'admin')
    const unknown = await t.api('POST', '/v1/console/login', { body: { email: 'nobody@example.com', password: PASSWORD } })
    const wrong = await t.api('POST', '/v1/console/login', { body: { email: 'ops@example.com', password: 'not the password at all' } })
    expect(unknown.status).toBe(401)
    expect(wrong.status).toBe(401)
    expect(unknown.body.error.message).toBe(wrong.body.error.message)
    expect(wrong.body.error.details.reason).toBe('bad_credentials')
    for (let i = 0; i < 3; i++) await t.api('POST', '/v1/console/login', { body: { email: 'ops@example.com', password: 'not the password at all' } })
    const fifth = await t.api('POST', '/v1/console/login', { body: { email: 'ops@example.com', password: 'not the password at all' } })
    expect(fifth.body.error.details).toMatchObject({ reason: 'locked', retryAfterSeconds: 900 })
    // Locked: even the right password is not tried.
    const right = await t.api('POST', '/v1/console/login', { body: { email: 'ops@example.com', password: PASSWORD } })
    expect(right.body.error.details.reason).toBe('locked')
    t.clock.advance(15 * MIN)
    expect((await t.api('POST', '/v1/console/login', { body: { email: 'ops@example.com', password: PASSWORD } })).status).toBe(200)
    expect(await auditActions(t)).toEqual(['operator.add', 'login.refused', 'login.refused', 'login.refused', 'login.refused', 'login.refused', 'login.locked', 'login'])
  })

  it('ends a session idle for 30 minutes, any session after 12 hours, and every session on logout everywhere', async () => {
    const t = await startTestRelay()
    await addOperator(t, 'ops@example.com', 'viewer')
    const a = await signIn(t, 'ops@example.com')
    t.clock.advance(29 * MIN)
    expect((await a.call('GET', '/v1/console/me')).status).toBe(200)
    t.clock.advance(31 * MIN)
    const idle = await a.call('GET', '/v1/console/me')
    expect(idle.status).toBe(401)
    expect(idle.body.error.details.reason).toBe('session_expired')

    const b = await signIn(t, 'ops@example.com')
    // Active every 25 minutes: alive through 11 h 40 min, ended at 12 h 05 min whatever the activity.
    for (let i = 1; i <= 28; i++) {
      t.clock.advance(25 * MIN)
      expect((await b.call('GET', '/v1/console/me')).status).toBe(200)
    }
    t.clock.advance(25 * MIN)
    expect((await b.call('GET', '/v1/console/me')).body.error.details.reason).toBe('session_expired')

    const c = await signIn(t, 'ops@example.com')
    const d = await signIn(t, 'ops@example.com')
    const out = await c.call('POST', '/v1/console/logout-everywhere')
    expect(out.body.sessions).toBe(2)
    expect((await c.call('GET', '/v1/console/me')).status).toBe(401)
    expect((await d.call('GET', '/v1/console/me')).status).toBe(401)
  })

  it('wants the CSRF header on every request that changes something', async () => {
    const t = await startTestRelay()
    await addOperator(t, 'ops@example.com', 'admin')
    const s = await signIn(t, 'ops@example.com')
    const none = await s.call('POST', '/v1/console/logout', { csrf: null })
    expect(none.status).toBe(403)
    expect(none.body.error.details.reason).toBe('csrf')
    expect((await s.call('POST', '/v1/console/logout', { csrf: 'x'.repeat(43) })).status).toBe(403)
    expect((await s.call('GET', '/v1/console/me', { csrf: null })).status).toBe(200)
    expect((await s.call('POST', '/v1/console/logout')).status).toBe(200)
    expect((await s.call('GET', '/v1/console/me')).status).toBe(401)
  })

  it('lets each role do what it may, on the console and the admin routes, and audits who did it', async () => {
    const t = await startTestRelay()
    await addOperator(t, 'admin@example.com', 'admin')
    await addOperator(t, 'support@example.com', 'support')
    await addOperator(t, 'viewer@example.com', 'viewer')
    const admin = await signIn(t, 'admin@example.com')
    const support = await signIn(t, 'support@example.com')
    const viewer = await signIn(t, 'viewer@example.com')
    const denied = await viewer.call('GET', '/v1/console/operators')
    expect(denied.status).toBe(403)
    expect(denied.body.error.details).toMatchObject({ reason: 'permission', permission: 'operators.manage' })
    expect((await admin.call('GET', '/v1/console/operators')).body.operators).toHaveLength(3)
    // An admin route: support may issue enrolment codes, a viewer may not.
    expect((await viewer.call('POST', '/v1/admin/enrolments', { body: {} })).status).toBe(403)
    const code = await support.call('POST', '/v1/admin/enrolments', { body: { label: 'studio' } })
    expect(code.status).toBe(200)
    // The machine token still works for machines, as the actor "admin-token".
    expect((await t.api('POST', '/v1/admin/enrolments', { token: ADMIN_TOKEN, body: {} })).status).toBe(200)
    expect((await t.api('POST', '/v1/admin/enrolments', { token: 'wrong', body: {} })).status).toBe(401)
    // Grants and revocations commit with their audit entry; a refused one writes neither.
    const dev = await enrolDevice(t.api)
    expect((await support.call('POST', `/v1/admin/accounts/${dev.accountId}/grants`, { body: { planCode: 'BASIC', period: 'monthly', reason: 'goodwill' } })).status).toBe(200)
    expect((await support.call('POST', `/v1/admin/accounts/${dev.accountId}/grants`, { body: { planCode: 'BASIC', period: 'monthly' } })).status).toBe(400)
    expect((await support.call('POST', `/v1/admin/devices/${dev.deviceId}/revoke`)).status).toBe(200)
    const changes = await t.sql<{ action: string; target: string; after: string }>("SELECT action, target, after FROM audit_log WHERE action IN ('plan.grant', 'device.revoke') ORDER BY seq")
    expect(changes.map((c) => [c.action, c.target])).toEqual([
      ['plan.grant', dev.accountId],
      ['device.revoke', dev.deviceId]
    ])
    expect(JSON.parse(changes[0]!.after)).toMatchObject({ planCode: 'BASIC', period: 'monthly', reason: 'goodwill' })
    const rows = await t.sql<{ actor: string; action: string; target: string }>("SELECT actor, action, target FROM audit_log WHERE action = 'enrolment.create' ORDER BY seq")
    expect(rows.map((r) => r.actor)).toEqual(['support@example.com', 'admin-token', 'admin-token'])
    expect(rows[0]!.target).toBe(code.body.accountId)
    // Admins manage operators: a role change and a disable are audited with before and after.
    const ops = (await admin.call('GET', '/v1/console/operators')).body.operators as { id: string; email: string }[]
    const viewerId = ops.find((o) => o.email === 'viewer@example.com')!.id
    expect((await admin.call('POST', `/v1/console/operators/${viewerId}/role`, { body: { role: 'finance' } })).body.operator.role).toBe('finance')
    expect((await admin.call('POST', `/v1/console/operators/${viewerId}/disable`)).body.operator.disabled).toBe(true)
    expect((await viewer.call('GET', '/v1/console/me')).status).toBe(401)
    expect((await t.api('POST', '/v1/console/login', { body: { email: 'viewer@example.com', password: PASSWORD } })).status).toBe(401)
    const role = await t.sql<{ before: string; after: string }>("SELECT before, after FROM audit_log WHERE action = 'operator.role'")
    expect(JSON.parse(role[0]!.before)).toEqual({ role: 'viewer' })
    expect(JSON.parse(role[0]!.after)).toEqual({ role: 'finance' })
    const dup = await admin.call('POST', '/v1/console/operators', { body: { email: 'support@example.com', role: 'viewer', password: PASSWORD } })
    expect(dup.status).toBe(400)
    const weak = await admin.call('POST', '/v1/console/operators', { body: { email: 'new@example.com', role: 'viewer', password: 'short' } })
    expect(weak.body.error.details.field).toBe('password')
  })

  it('adds a TOTP second factor: then a login needs a fresh code, and a code is good once', async () => {
    const t = await startTestRelay()
    await addOperator(t, 'ops@example.com', 'admin')
    const s = await signIn(t, 'ops@example.com')
    const setup = await s.call('POST', '/v1/console/totp/setup')
    expect(setup.body.uri).toContain(`secret=${setup.body.secret}`)
    const secret = base32Decode(setup.body.secret)
    const codeAt = (ms: number) => hotp(secret, totpStep(ms))
    expect((await s.call('POST', '/v1/console/totp/confirm', { body: { code: '000000' === codeAt(t.clock.now()) ? '111111' : '000000' } })).status).toBe(400)
    expect((await s.call('POST', '/v1/console/totp/confirm', { body: { code: codeAt(t.clock.now()) } })).body.operator.totp).toBe(true)
    const without = await t.api('POST', '/v1/console/login', { body: { email: 'ops@example.com', password: PASSWORD } })
    expect(without.body.error.details.reason).toBe('totp_required')
    // The code used to confirm is spent: the next step's code signs in, once.
    t.clock.advance(30_000)
    const code = codeAt(t.clock.now())
    expect((await signIn(t, 'ops@example.com', PASSWORD, code)).csrf).toBeTruthy()
    const again = await t.api('POST', '/v1/console/login', { body: { email: 'ops@example.com', password: PASSWORD, totp: code } })
    expect(again.body.error.details.reason).toBe('totp_invalid')
  })

  it('keeps the audit log append-only and exports it as CSV for Excel', async () => {
    const t = await startTestRelay()
    await addOperator(t, 'ops@example.com', 'admin')
    await t.api('POST', '/v1/console/login', { body: { email: 'ops@example.com', password: '=HYPERLINK("x") wrong' } })
    const s = await signIn(t, 'ops@example.com')
    await expect(t.sql("UPDATE audit_log SET actor = 'someone else'")).rejects.toThrow(/append-only/)
    await expect(t.sql('DELETE FROM audit_log')).rejects.toThrow(/append-only/)
    const page = await s.call('GET', '/v1/console/audit?limit=2')
    expect(page.body.entries.map((e: { action: string }) => e.action)).toEqual(['login', 'login.refused'])
    const rest = await s.call('GET', `/v1/console/audit?limit=2&before=${page.body.next}`)
    expect(rest.body.entries.map((e: { action: string }) => e.action)).toEqual(['operator.add'])
    const csv = await s.call('GET', '/v1/console/audit.csv')
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    // fetch's text() drops a byte-order mark: look at the bytes.
    const raw = Buffer.from(await (await fetch(`${t.url}/v1/console/audit.csv`, { headers: { cookie: s.cookie } })).arrayBuffer())
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const lines = csv.text.split('\r\n')
    expect(lines[0]).toBe('seq,time (UTC),actor,action,target,address,before,after')
    expect(lines).toHaveLength(5) // header, 3 entries, the final line end
    expect(lines[3]).toMatch(/^1,2025-01-15T04:00:00\.000Z,cli,operator\.add,op_/)
    expect((await auditActions(t)).at(-1)).toBe('audit.export')
  })
})
