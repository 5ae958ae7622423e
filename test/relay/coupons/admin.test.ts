import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCoupon } from '../../../src/relay/cli/coupon'
import { tempDir } from '../../support/db'
import { admin, cny, enrolDevice, quote, records, startCouponRelay } from './support'
import { forEachStore } from '../support/pg'
import { startTestRelay } from '../support/relay'

// Operators manage coupons through admin routes (behind the admin token) and the CLI, both over
// the same domain functions; bad input is refused field by field and nothing is written.

describe('coupon administration', () => {
  it('admin routes need the admin token, validate every field, and refuse unknown coupons and duplicate codes', async () => {
    const t = await startCouponRelay()
    expect((await t.api('POST', '/v1/admin/coupons', { body: { name: 'x', off: { kind: 'percent', percent: '10' } } })).status).toBe(401)
    const bad = await admin(t, 'POST', '/v1/admin/coupons', {
      name: 'bad',
      off: { kind: 'percent', percent: '0' },
      minimum: { amount: 100, currency: 'USD' },
      validFrom: 2000,
      validUntil: 1000,
      appliesTo: { plans: [], recharge: false },
      perAccountLimit: 5,
      totalLimit: 2
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('INVALID_INPUT')
    expect(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['appliesTo', 'minimum', 'off.percent', 'perAccountLimit', 'validUntil'])
    expect((await admin(t, 'POST', '/v1/admin/coupons', { name: 'x', off: { kind: 'percent', percent: 33.33 } })).status).toBe(400)
    expect((await admin(t, 'GET', '/v1/admin/coupons')).body).toEqual({ coupons: [] })

    const ok = await admin(t, 'POST', '/v1/admin/coupons', { id: 'spring', name: '春季', off: { kind: 'amount', amount: cny(300) } })
    expect(ok.status).toBe(200)
    expect((await admin(t, 'POST', '/v1/admin/coupons', { id: 'spring', name: 'again', off: { kind: 'amount', amount: cny(300) } })).status).toBe(400)
    expect((await admin(t, 'POST', '/v1/admin/coupons/nosuch/codes', { code: 'ABC123' })).status).toBe(404)
    expect((await admin(t, 'POST', '/v1/admin/coupons/spring/codes', { code: 'spring-a', totalLimit: 5 })).status).toBe(200)
    expect((await admin(t, 'POST', '/v1/admin/coupons/spring/codes', { code: 'SPRING-B' })).status).toBe(200)
    expect((await admin(t, 'POST', '/v1/admin/coupons/spring/codes', { code: 'Spring-A' })).status).toBe(400)
    expect((await admin(t, 'POST', '/v1/admin/coupons/spring/codes', { code: 'a b' })).status).toBe(400)
    expect((await admin(t, 'POST', '/v1/admin/coupons/spring/grants', { accountId: 'acct_nosuch' })).status).toBe(404)
    const listed = (await admin(t, 'GET', '/v1/admin/coupons')).body.coupons
    expect(listed).toEqual([expect.objectContaining({ id: 'spring', codes: [expect.objectContaining({ code: 'SPRING-A', totalLimit: 5 }), expect.objectContaining({ code: 'SPRING-B' })] })])
    // Both codes name the one coupon.
    const dev = await enrolDevice(t.api)
    for (const code of ['spring-a', 'SPRING-B']) expect((await quote(t, dev.token, { item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' }, code })).discount).toEqual(cny(300))
  })
})

forEachStore('the coupon CLI', () => {
  it('npm run relay -- coupon create|code|grant|deactivate|list works on the relay’s database (its PostgreSQL too); refusals exit 1 naming the field', async () => {
    const dataDir = tempDir('relay-coupon-cli-')
    const t = await startTestRelay({ dataDir })
    const dev = await enrolDevice(t.api)
    const env = { RELAY_DATA_DIR: dataDir, RELAY_SIGNING_KEY: t.config.signingKey!, ...(t.config.database ? { RELAY_DATABASE_URL: t.config.database.url } : {}) }
    const lines: string[] = []
    const run = (...args: string[]) => runCoupon(args, env, (l) => lines.push(l), t.clock)
    const file = join(dataDir, 'welcome.json')
    writeFileSync(file, JSON.stringify({ id: 'welcome', name: '新人券', off: { kind: 'amount', amount: cny(1000) } }))
    expect(await run('create', file)).toBe(0)
    expect(await run('code', 'welcome', 'hello10', '--limit', '3', '--until', '2030-01-01T00:00:00Z')).toBe(0)
    expect(await run('grant', 'welcome', dev.accountId)).toBe(0)
    expect(await run('list')).toBe(0)
    expect(lines.at(-1)).toContain('"code":"HELLO10"')
    expect(await records(t, dev, 'coupon_grant')).toEqual([expect.objectContaining({ couponId: 'welcome', state: 'available' })])
    expect(await run('deactivate', 'welcome')).toBe(0)
    expect((await records(t, dev, 'coupon_grant')).map((g) => g.state)).toEqual(['available', 'revoked'])

    lines.length = 0
    writeFileSync(file, JSON.stringify({ name: '', off: { kind: 'percent', percent: '250' } }))
    expect(await run('create', file)).toBe(1)
    expect(lines).toEqual(['coupon: refused; nothing was written:', '  name: Too small: expected string to have >=1 characters', '  off.percent: must be above 0 and at most 100'])
    expect(await run('code', 'nosuch', 'ABCDEF')).toBe(1)
    expect(await run('frobnicate')).toBe(2)
    expect(await run('code', 'welcome', 'X1Y2Z3', '--limit')).toBe(2)
    expect(await runCoupon(['list'], { RELAY_DATA_DIR: tempDir('relay-none-') }, () => {})).toBe(2)
  })
})
