import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/node/clock'
import { catalogByVersion, catalogForPurchase, catalogInForce, publishCatalog, PUBLISH_SKEW_MS } from '../../src/relay/catalog/catalog'
import { runCatalog } from '../../src/relay/cli/catalog'
import { openSqliteStore } from '../../src/relay/store/sqlite/open'
import { BUILT_IN_CATALOG, InvalidCatalog, parseCatalogDocument } from '../../src/shared/catalog'
import { tempDir } from '../support/db'
import { catalogV } from '../support/catalog'
import { checkout } from './support/flows'
import { createTestProvider } from './support/hmac-provider'
import { enrolDevice, startTestRelay } from './support/relay'

// The catalog as data on the relay (src/relay/catalog): immutable versions, seeded with the
// built-in one, published only when valid, served by the version in force.

const HOUR = 3600_000
const root = fileURLToPath(new URL('../../', import.meta.url))

function versions(sqlite: import('better-sqlite3').Database): number[] {
  return (sqlite.prepare('SELECT version FROM catalog_versions ORDER BY version').all() as { version: number }[]).map((r) => r.version)
}

describe('catalog versions on the relay', () => {
  it('migration 0007 seeds version 1 = the built-in catalog, in force from 0; rows cannot be edited or deleted', async () => {
    const t = await startTestRelay()
    const v1 = await t.relay.db.read(async (tx) => catalogInForce(tx, 0))
    expect(v1).toMatchObject({ version: 1, effectiveFrom: 0 })
    expect(v1.document).toEqual(BUILT_IN_CATALOG)
    expect(() => t.relay.db.sqlite.prepare("UPDATE catalog_versions SET document = '{}' WHERE version = 1").run()).toThrow(/immutable/)
    expect(() => t.relay.db.sqlite.prepare('DELETE FROM catalog_versions').run()).toThrow(/immutable/)
  })

  it('publish: the version in force moves at effectiveFrom; GET /v1/prices serves it, with the document', async () => {
    const t = await startTestRelay()
    const at = t.clock.now() + HOUR
    const v2 = await publishCatalog(t.relay.db, t.clock.now(), catalogV(2, at))
    expect(v2).toMatchObject({ version: 2, effectiveFrom: at, publishedAt: t.clock.now() })

    const before = await t.api('GET', '/v1/prices')
    expect(before.body.catalog.version).toBe(1)
    expect(before.body.plans.find((p: { planCode: string; period: string }) => p.planCode === 'BASIC' && p.period === 'monthly').price.amount).toBe(2900)

    t.clock.set(at)
    const after = await t.api('GET', '/v1/prices')
    expect(after.body.catalog).toEqual({ version: 2, effectiveFrom: at, document: JSON.parse(JSON.stringify(catalogV(2, at))) })
    expect(after.body.plans.find((p: { planCode: string; period: string }) => p.planCode === 'BASIC' && p.period === 'monthly').price.amount).toBe(3900)
    // The summary older apps read follows the document.
    expect(after.body.recharge).toEqual({ currency: 'CNY', min: 200, max: 300_000, presets: [2000, 5000, 10_000] })
    expect(await t.relay.db.read(async (tx) => (await catalogByVersion(tx, 1))?.document)).toEqual(BUILT_IN_CATALOG)
    expect(await t.relay.db.read(async (tx) => catalogByVersion(tx, 9))).toBeUndefined()
  })

  it('a running relay prices checkouts and quotes by a version from the instant it takes effect (parsed versions are kept by number)', async () => {
    const t = await startTestRelay({ providers: [createTestProvider('alipay')] })
    const dev = await enrolDevice(t.api)
    const basic = { provider: 'alipay', item: { kind: 'plan', planCode: 'BASIC', period: 'monthly' } }
    const quote = async () => (await t.api('POST', '/v1/quotes', { token: dev.token, body: { item: basic.item } })).body.quote.total.amount
    expect((await checkout(t.api, dev.token, basic)).order.amount.amount).toBe(2900)
    expect(await quote()).toBe(2900)
    const at = t.clock.now() + HOUR
    await publishCatalog(t.relay.db, t.clock.now(), catalogV(2, at))
    // Published but not in force yet.
    expect((await checkout(t.api, dev.token, basic)).order.amount.amount).toBe(2900)
    expect(await quote()).toBe(2900)
    t.clock.set(at)
    expect((await checkout(t.api, dev.token, basic)).order.amount.amount).toBe(3900)
    expect(await quote()).toBe(3900)
  })

  it('refuses a bad document, naming the field and the reason, and writes nothing', async () => {
    const t = await startTestRelay()
    const now = t.clock.now()
    const refused = async (doc: unknown): Promise<InvalidCatalog> => {
      const err = await publishCatalog(t.relay.db, now, doc).then(
        () => null,
        (e: unknown) => e
      )
      expect(err).toBeInstanceOf(InvalidCatalog)
      return err as InvalidCatalog
    }
    const good = catalogV(2, now)
    const fields = async (doc: unknown) => (await refused(doc)).problems.map((p) => p.field)

    expect(await fields({ ...good, plans: good.plans.map((p, i) => (i === 3 ? { ...p, price: -1 } : p)) })).toEqual(['plans.3.price'])
    expect(await fields({ ...good, plans: good.plans.map((p, i) => (i === 3 ? { ...p, originalPrice: p.price - 1 } : p)) })).toEqual(['plans.3.originalPrice'])
    expect(await fields({ ...good, plans: good.plans.filter((p) => p.code !== 'FREE') })).toEqual(['plans'])
    expect(await fields({ ...good, plans: [...good.plans, good.plans[1]] })).toEqual([`plans.${good.plans.length}`])
    expect(await fields({ ...good, plans: good.plans.map((p, i) => (i === 2 ? { ...p, code: 'GOLD' } : p)) })).toEqual(['plans.2.code'])
    expect(await fields({ ...good, rechargeRules: { min: 500, max: 100, presets: [] } })).toEqual(['rechargeRules.min'])
    expect(await fields({ ...good, rechargeRules: { min: 200, max: 1000, presets: [100, 500] } })).toEqual(['rechargeRules.presets.0'])
    expect(await fields({ ...good, featurePrices: { ...good.featurePrices, ai_request: 0.5 } })).toEqual(['featurePrices.ai_request'])
    expect(await fields({ ...good, currency: 'USD' })).toEqual(['currency'])
    expect(await fields({ ...good, paymentMethods: ['alipay', 'alipay'] })).toEqual(['paymentMethods.1'])
    expect(await fields({ ...good, surprise: true })).toEqual(['surprise'])
    expect(await fields({ ...good, plans: good.plans.map((p, i) => (i === 0 ? { ...p, prize: 1 } : p)) })).toEqual(['plans.0.prize'])
    // Against what is published: the version must grow; effectiveFrom may not go back.
    const stale = await refused({ ...good, version: 1 })
    expect(stale.problems).toEqual([{ field: 'version', reason: 'must be greater than 1, the latest published version' }])
    expect(stale.code).toBe('INVALID_INPUT')
    expect((await refused({ ...good, effectiveFrom: now - PUBLISH_SKEW_MS - 1 })).problems[0]!.field).toBe('effectiveFrom')
    expect(versions(t.relay.db.sqlite)).toEqual([1])

    // A scheduled version: the next may not take effect before it.
    await publishCatalog(t.relay.db, now, catalogV(2, now + 2 * HOUR))
    expect((await refused(catalogV(3, now + HOUR))).problems[0]).toMatchObject({ field: 'effectiveFrom', reason: expect.stringContaining('version 2') })
    expect(versions(t.relay.db.sqlite)).toEqual([1, 2])
    // Within the skew, "now" as the operator's clock says is accepted.
    await publishCatalog(t.relay.db, now, catalogV(3, now + 2 * HOUR))
    expect(versions(t.relay.db.sqlite)).toEqual([1, 2, 3])
  })

  it('a lease carries the limits of the version in force; a fresh lease is reissued once a new version takes effect', async () => {
    const t = await startTestRelay()
    const { body: enrolment } = await t.api('POST', '/v1/admin/enrolments', { token: 'admin-token-for-tests-0123456789', body: {} })
    const { body: dev } = await t.api('POST', '/v1/enrol', { body: { code: enrolment.code, deviceName: 'pc' } })
    const lease = async () => JSON.parse((await t.api('POST', '/v1/lease', { token: dev.deviceToken })).body.lease.payload).data
    expect((await lease()).limits.max_ai_requests).toBe(50)
    const doc = catalogV(2, t.clock.now() + HOUR)
    const free = doc.plans.findIndex((p) => p.code === 'FREE')
    doc.plans[free] = { ...doc.plans[free]!, limits: { ...doc.plans[free]!.limits, max_ai_requests: 80 } }
    await publishCatalog(t.relay.db, t.clock.now(), doc)
    expect((await lease()).limits.max_ai_requests).toBe(50)
    t.clock.advance(HOUR)
    expect((await lease()).limits.max_ai_requests).toBe(80)
  })
})

describe('npm run relay -- catalog publish <file.json>', () => {
  const setup = () => {
    const dir = tempDir('relay-catalog-cli-')
    const store = openSqliteStore({ path: join(dir, 'relay.sqlite') })
    void store.close()
    return { dir, env: { RELAY_DATA_DIR: dir } }
  }
  const open = (dir: string) => openSqliteStore({ path: join(dir, 'relay.sqlite') })

  it('publishes a valid file (exit 0); refuses a bad one naming each field (exit 1, nothing written); usage and config errors exit 2', async () => {
    const { dir, env } = setup()
    const clock = new ManualClock(Date.UTC(2026, 0, 1))
    const lines: string[] = []
    const out = (l: string) => lines.push(l)

    const bad = join(dir, 'bad.json')
    const doc = catalogV(2, clock.now())
    writeFileSync(bad, JSON.stringify({ ...doc, plans: doc.plans.map((p, i) => (i === 1 ? { ...p, price: 'cheap' } : p)), rechargeRules: { min: 0, max: 10, presets: [] } }))
    expect(await runCatalog(['publish', bad], env, out, clock)).toBe(1)
    expect(lines.join('\n')).toContain('nothing was published')
    expect(lines).toContain('  plans.1.price: Invalid input: expected number, received string')
    expect(lines.some((l) => l.startsWith('  rechargeRules.min: '))).toBe(true)
    const notJson = join(dir, 'not.json')
    writeFileSync(notJson, '{ "version": 2,')
    expect(await runCatalog(['publish', notJson], env, out, clock)).toBe(1)
    let s = open(dir)
    expect(versions(s.sqlite)).toEqual([1])
    await s.close()

    const good = join(dir, 'v2.json')
    writeFileSync(good, JSON.stringify(doc))
    lines.length = 0
    expect(await runCatalog(['publish', good], env, out, clock)).toBe(0)
    expect(lines).toEqual([`catalog: published version 2, in force from 2026-01-01T00:00:00.000Z (${doc.plans.length} plans)`])
    s = open(dir)
    expect(await s.read(async (tx) => (await catalogInForce(tx, clock.now())).document)).toEqual(parseCatalogDocument(doc))
    await s.close()
    // Publishing the same file again: the version is not new.
    expect(await runCatalog(['publish', good], env, out, clock)).toBe(1)

    expect(await runCatalog([], env, out, clock)).toBe(2)
    expect(await runCatalog(['publish'], env, out, clock)).toBe(2)
    expect(await runCatalog(['publish', join(dir, 'missing.json')], env, out, clock)).toBe(2)
    expect(await runCatalog(['publish', good], { RELAY_DATA_DIR: tempDir('relay-empty-') }, out, clock)).toBe(2)
    expect(await runCatalog(['publish', good], { ...env, RELAY_PORT: 'x' }, out, clock)).toBe(2)
  })

  it('is what `npm run relay -- catalog publish` runs', () => {
    const { dir } = setup()
    const file = join(dir, 'v2.json')
    writeFileSync(file, JSON.stringify(catalogV(2, Date.now() + HOUR)))
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/relay/start.ts', 'catalog', 'publish', file], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', RELAY_DATA_DIR: dir },
      encoding: 'utf8'
    })
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^catalog: published version 2, in force from /)
  })

  it('a wallet renewal of a plan a later version dropped is priced by the last version that had it', async () => {
    const t = await startTestRelay()
    const at = t.clock.now() + HOUR
    // Version 2 drops BASIC monthly altogether.
    const v2 = catalogV(2, at)
    await publishCatalog(t.relay.db, t.clock.now(), { ...v2, plans: v2.plans.filter((p) => !(p.code === 'BASIC' && p.period === 'monthly')) })
    t.clock.set(at)
    const view = (renewal: boolean) => t.relay.db.read((tx) => catalogForPurchase(tx, 2, renewal ? { code: 'BASIC', period: 'monthly' } : undefined))
    expect((await view(true))!.price('BASIC', 'monthly')).toBe(2900)
    expect((await view(false))!.price('BASIC', 'monthly')).toBeNull()
    expect((await t.relay.db.read((tx) => catalogForPurchase(tx, 1)))!.supersededAt).toBe(at)
  })
})
