import { describe, expect, it } from 'vitest'
import { purchaseRefusal, type CatalogVersionView } from '../../src/relay/pricing/purchases'
import type { OutboxRecord } from '../../src/shared/relay-contract'

// The price check of a wallet purchase (src/relay/pricing/purchases.ts): the price of the version
// the device priced by, in force when bought, or superseded less than the grace before.

const DAY = 86_400_000
const GRACE = 7 * DAY
const T = Date.UTC(2026, 5, 1)
const v1: CatalogVersionView = { version: 1, effectiveFrom: 0, supersededAt: T, currency: 'CNY', price: (c, p) => (c === 'BASIC' && p === 'monthly' ? 2900 : null) }
const v2: CatalogVersionView = { version: 2, effectiveFrom: T, supersededAt: null, currency: 'CNY', price: (c, p) => (c === 'BASIC' && p === 'monthly' ? 3900 : null) }

const purchase = (over: Partial<Extract<OutboxRecord, { kind: 'subscription_purchase' }>>): Extract<OutboxRecord, { kind: 'subscription_purchase' }> => ({
  id: 'pur-00000001',
  kind: 'subscription_purchase',
  planCode: 'BASIC',
  period: 'monthly',
  price: { amount: 2900, currency: 'CNY' },
  catalogVersion: 1,
  action: 'subscribe',
  periodStart: T - DAY,
  periodEnd: null,
  occurredAt: T - DAY,
  ...over
})

describe('the price check of a wallet purchase', () => {
  it('accepts the price of its version while in force, and for a device offline across the change within the grace', () => {
    expect(purchaseRefusal(purchase({}), v1, GRACE)).toBeNull()
    expect(purchaseRefusal(purchase({ occurredAt: T + 3 * DAY }), v1, GRACE)).toBeNull()
    expect(purchaseRefusal(purchase({ catalogVersion: 2, price: { amount: 3900, currency: 'CNY' }, occurredAt: T + DAY }), v2, GRACE)).toBeNull()
  })

  it('refuses an old version past the grace, a version not yet in force, another price, a plan not sold, an unknown version', () => {
    expect(purchaseRefusal(purchase({ occurredAt: T + GRACE }), v1, GRACE)).toMatchObject({ code: 'CATALOG_VERSION' })
    expect(purchaseRefusal(purchase({ catalogVersion: 2, price: { amount: 3900, currency: 'CNY' }, occurredAt: T - DAY }), v2, GRACE)).toMatchObject({ code: 'CATALOG_VERSION' })
    expect(purchaseRefusal(purchase({ price: { amount: 2800, currency: 'CNY' } }), v1, GRACE)).toMatchObject({ code: 'PRICE_MISMATCH' })
    expect(purchaseRefusal(purchase({ planCode: 'PREMIUM' }), v1, GRACE)).toMatchObject({ code: 'NOT_SOLD' })
    expect(purchaseRefusal(purchase({ planCode: 'FREE' }), v1, GRACE)).toMatchObject({ code: 'NOT_SOLD' })
    expect(purchaseRefusal(purchase({ catalogVersion: 9 }), undefined, GRACE)).toMatchObject({ code: 'CATALOG_VERSION' })
  })
})
