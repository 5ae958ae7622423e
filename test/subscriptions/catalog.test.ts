import { describe, expect, it } from 'vitest'
import { createSubscriptions } from '../../src/main/subscriptions'
import { sequentialIds } from '../../src/node/ids'
import { BUILT_IN_CATALOG } from '../../src/shared/catalog'
import { catalogV } from '../support/catalog'
import { setup } from './support'

// The plan catalog following the relay's catalog versions (subscriptions.applyCatalog), and
// verify() replaying the built-in rows, the versions and the local plan changes in order.

describe('catalog versions applied to the plans table', () => {
  it('rewrites the rows, takes a plan a version drops off sale, and verifies; local toggles before and after replay in order', () => {
    const s = setup({ balance: 100_000 })
    s.subs.setPlanActive('PREMIUM', 'yearly', false)
    const v2 = catalogV(2, s.clock.now())
    v2.plans = v2.plans.filter((p) => !(p.code === 'ENTERPRISE' && p.period === 'lifetime'))
    expect(s.subs.applyCatalog(v2)).toBe(true)
    // The version says PREMIUM/yearly is offered: it is again (the catalog came after the toggle).
    expect(s.subs.getPlan('PREMIUM', 'yearly').active).toBe(true)
    expect(s.subs.getPlan('ENTERPRISE', 'lifetime')).toMatchObject({ active: false, price: { amount: 599900 } })
    expect(s.subs.getPlan('BASIC', 'monthly').price.amount).toBe(3900)
    s.subs.setPlanActive('BASIC', 'yearly', false)
    expect(s.subs.verify()).toMatchObject({ ok: true, problems: [] })
    expect(s.subs.listPlans({ activeOnly: true }).some((p) => p.code === 'BASIC' && p.period === 'yearly')).toBe(false)

    // A plan dropped from sale cannot be bought; the row stays for whoever has it.
    expect(() => s.subs.subscribe({ key: 'ent', planCode: 'ENTERPRISE', period: 'lifetime', payment: 'wallet' })).toThrow(/not offered/)
    // The same or an older version again changes nothing.
    expect(s.subs.applyCatalog(v2)).toBe(false)
    expect(s.subs.applyCatalog(BUILT_IN_CATALOG)).toBe(false)
    expect(s.subs.currentCatalogVersion()).toBe(2)
  })

  it('verify() finds a plans row edited away from the version, and an edited version record', () => {
    const s = setup()
    s.subs.applyCatalog(catalogV(2, s.clock.now()))
    s.db.sqlite.prepare("UPDATE plans SET price_minor = 1 WHERE code = 'BASIC' AND period = 'monthly'").run()
    expect(s.subs.verify().problems).toEqual(['plan BASIC/monthly differs from catalog version 2'])
    s.db.sqlite.prepare("UPDATE plans SET price_minor = 3900 WHERE code = 'BASIC' AND period = 'monthly'").run()
    expect(s.subs.verify().ok).toBe(true)
    // Someone rewrites the stored document to a cheaper one: its hash no longer matches.
    s.db.sqlite.prepare("UPDATE plan_catalog_versions SET document = replace(document, '\"price\":3900', '\"price\":1')").run()
    expect(s.subs.verify().problems).toContain('catalog version 2 does not match its hash')
    // One that no longer parses stops pricing with a typed error instead of a guess.
    s.db.sqlite.prepare("UPDATE plan_catalog_versions SET document = '{'").run()
    const reopened = createSubscriptions({ db: s.db, clock: s.clock, ids: sequentialIds('y'), walletPort: s.wallet.port })
    expect(() => reopened.catalog()).toThrow(expect.objectContaining({ code: 'LEDGER_CORRUPT' }))
    expect(reopened.verify().problems).toContain('catalog version 2 is not a valid catalog document')
  })
})
