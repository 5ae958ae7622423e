import { expect, it } from 'vitest'
import type { ConsoleCatalogPreview, ConsoleCatalogVersions } from '../../src/shared/console/api'
import { BUILT_IN_CATALOG } from '../../src/shared/catalog'
import { catalogV } from '../support/catalog'
import { addOperator, signIn } from './console/support'
import { forEachStore } from './support/pg'
import { ADMIN_TOKEN, enrolDevice, startTestRelay } from './support/relay'

// The console's catalog screen on both stores: the versions, a draft's preview (per plan and
// period, document-wide rules, the accounts running each changed plan then) and its publication
// through publishCatalog() by an operator with catalog.publish, audited; an invalid draft names
// its problems and publishes nothing.

const HOUR = 3600_000

/** catalogV's changes, PREMIUM monthly's streams raised, ENTERPRISE lifetime dropped; no version (the next one is taken). */
function draft() {
  const { version: _v, effectiveFrom: _e, ...doc } = catalogV(2, 0)
  return {
    ...doc,
    plans: doc.plans
      .filter((p) => !(p.code === 'ENTERPRISE' && p.period === 'lifetime'))
      .map((p) => (p.code === 'PREMIUM' && p.period === 'monthly' ? { ...p, limits: { ...p.limits, max_streams: 99 } } : p))
  }
}

async function fixture() {
  const t = await startTestRelay()
  // Two BASIC subscribers and one PREMIUM yearly, by operators' grants.
  for (const [planCode, period] of [['BASIC', 'monthly'], ['BASIC', 'yearly'], ['PREMIUM', 'yearly']]) {
    const dev = await enrolDevice(t.api)
    expect((await t.api('POST', `/v1/admin/accounts/${dev.accountId}/grants`, { token: ADMIN_TOKEN, body: { planCode, period, reason: 'launch partner' } })).status).toBe(200)
  }
  await addOperator(t, 'admin@example.com', 'admin')
  await addOperator(t, 'viewer@example.com', 'viewer')
  return { t, boss: await signIn(t, 'admin@example.com'), viewer: await signIn(t, 'viewer@example.com') }
}

forEachStore('console catalog', () => {
  it('previews a draft against the version in force at its effectiveFrom, with the subscriptions each changed plan has then', async () => {
    const { t, viewer } = await fixture()
    const versions = (await viewer.call('GET', '/v1/console/catalog/versions')).body as ConsoleCatalogVersions
    expect(versions.versions).toEqual([{ version: 1, effectiveFrom: 0, publishedAt: expect.any(Number), inForce: true, document: JSON.parse(JSON.stringify(BUILT_IN_CATALOG)) }])

    const effectiveFrom = t.clock.now() + HOUR
    const r = await viewer.call('POST', '/v1/console/catalog/preview', { body: { document: draft(), effectiveFrom } })
    expect(r.status, r.text).toBe(200)
    const p = r.body as ConsoleCatalogPreview
    expect(p.effectiveFrom).toBe(effectiveFrom)
    const basic = BUILT_IN_CATALOG.plans.find((x) => x.code === 'BASIC' && x.period === 'monthly')!
    const premium = BUILT_IN_CATALOG.plans.find((x) => x.code === 'PREMIUM' && x.period === 'monthly')!
    const dropped = BUILT_IN_CATALOG.plans.find((x) => x.code === 'ENTERPRISE' && x.period === 'lifetime')!
    expect(p.changes).toEqual(
      expect.arrayContaining([
        { planCode: 'BASIC', period: 'monthly', field: 'price', before: basic.price, after: 3900 },
        { planCode: 'PREMIUM', period: 'monthly', field: 'limits.max_streams', before: premium.limits.max_streams, after: 99 },
        { planCode: 'ENTERPRISE', period: 'lifetime', field: 'plan', before: JSON.parse(JSON.stringify(dropped)), after: null },
        { planCode: '', period: null, field: 'paymentMethods', before: BUILT_IN_CATALOG.paymentMethods, after: ['alipay', 'wechat'] },
        expect.objectContaining({ planCode: '', period: null, field: 'featurePrices' }),
        expect.objectContaining({ planCode: '', period: null, field: 'rechargeRules' })
      ])
    )
    expect(p.changes.filter((c) => c.planCode === 'BASIC' && c.period !== 'monthly')).toEqual([])
    expect(p.affected).toEqual(
      expect.arrayContaining([
        { planCode: 'BASIC', activeSubscriptions: 2 },
        { planCode: 'PREMIUM', activeSubscriptions: 1 },
        { planCode: 'ENTERPRISE', activeSubscriptions: 0 }
      ])
    )
    expect(p.affected).toHaveLength(3)
    // A POST like any other: without the CSRF header it is refused.
    expect((await viewer.call('POST', '/v1/console/catalog/preview', { body: { document: draft(), effectiveFrom }, csrf: null })).status).toBe(403)
    // The preview wrote nothing.
    expect((await t.sql('SELECT version FROM catalog_versions')).length).toBe(1)
    // The same document against itself changes nothing.
    const same = await viewer.call('POST', '/v1/console/catalog/preview', { body: { document: { ...BUILT_IN_CATALOG, version: 2 }, effectiveFrom } })
    expect(same.body).toEqual({ effectiveFrom, changes: [], affected: [] })
  })

  it('publishes through publishCatalog for catalog.publish only, audited; an invalid draft names its problems and publishes nothing', async () => {
    const { t, boss, viewer } = await fixture()
    const effectiveFrom = t.clock.now() + HOUR
    const body = { document: { ...draft(), version: 2 }, effectiveFrom }
    const denied = await viewer.call('POST', '/v1/console/catalog/publish', { body })
    expect(denied.status).toBe(403)
    expect(denied.body.error.details).toMatchObject({ reason: 'permission', permission: 'catalog.publish' })
    const noCsrf = await boss.call('POST', '/v1/console/catalog/publish', { body, csrf: null })
    expect(noCsrf.status).toBe(403)
    expect(noCsrf.body.error.details.reason).toBe('csrf')

    const broken = { ...draft(), version: 2, plans: draft().plans.map((x) => (x.code === 'BASIC' && x.period === 'monthly' ? { ...x, originalPrice: 100 } : x)), colour: 'red' }
    for (const path of ['/v1/console/catalog/publish', '/v1/console/catalog/preview']) {
      const bad = await boss.call('POST', path, { body: { document: broken, effectiveFrom } })
      expect(bad.status, path).toBe(400)
      expect(bad.body.error.code).toBe('INVALID_INPUT')
      expect(bad.body.error.details.problems.map((x: { field: string }) => x.field).sort()).toEqual([`plans.${draft().plans.findIndex((x) => x.code === 'BASIC' && x.period === 'monthly')}.originalPrice`, 'colour'].sort())
    }
    expect((await boss.call('POST', '/v1/console/catalog/publish', { body: { document: draft() } })).status).toBe(400)
    // A publication names its version (a preview need not).
    const unnumbered = await boss.call('POST', '/v1/console/catalog/publish', { body: { document: draft(), effectiveFrom } })
    expect(unnumbered.body.error.details.problems).toEqual([{ field: 'version', reason: expect.any(String) }])
    expect((await boss.call('POST', '/v1/console/catalog/publish', { body: { ...body, effectiveFrom: t.clock.now() - 2 * HOUR } })).body.error.details.field).toBe('effectiveFrom')
    expect(await t.sql("SELECT action FROM audit_log WHERE action = 'catalog.publish'")).toEqual([])
    expect((await t.sql('SELECT version FROM catalog_versions')).length).toBe(1)

    const ok = await boss.call('POST', '/v1/console/catalog/publish', { body })
    expect(ok.status, ok.text).toBe(200)
    expect(ok.body.version).toMatchObject({ version: 2, effectiveFrom, publishedAt: t.clock.now() })
    const audits = await t.sql<{ actor: string; target: string; after: string }>("SELECT actor, target, after FROM audit_log WHERE action = 'catalog.publish'")
    expect(audits.map((a) => ({ ...a, after: JSON.parse(a.after) }))).toEqual([{ actor: 'admin@example.com', target: '2', after: { version: 2, effectiveFrom, publishedAt: t.clock.now() } }])
    // Version 2 is scheduled; version 1 stays in force until its hour; the same number again is refused.
    expect((await viewer.call('GET', '/v1/console/catalog/versions')).body.versions.map((v: { version: number; inForce: boolean }) => [v.version, v.inForce])).toEqual([
      [2, false],
      [1, true]
    ])
    // Sent again: refused, nothing published twice.
    const again = await boss.call('POST', '/v1/console/catalog/publish', { body })
    expect(again.status).toBe(400)
    expect(again.body.error.details.field).toBe('version')
    expect((await t.sql('SELECT version FROM catalog_versions')).length).toBe(2)
    t.clock.set(effectiveFrom)
    const later = await signIn(t, 'viewer@example.com')
    expect((await later.call('GET', '/v1/console/catalog/versions')).body.versions.map((v: { inForce: boolean }) => v.inForce)).toEqual([true, false])
    expect((await t.api('GET', '/v1/prices')).body.catalog.version).toBe(2)
  })
})
