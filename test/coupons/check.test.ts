import { describe, expect, it } from 'vitest'
import { grantRefusal } from '../../src/main/coupons'
import { money } from '../../src/shared/money'
import { T0 } from '../ipc/core-fixture'
import { grant } from './support'

// The device's own check of an account-bound coupon before an offline use: each reason.

const use = (over: Partial<{ planCode: string; period: string; list: number; now: number; currency: 'CNY' | 'USD' }> = {}) => ({
  planCode: over.planCode ?? 'BASIC',
  period: over.period ?? 'monthly',
  list: money(over.list ?? 2900, over.currency ?? 'CNY'),
  now: over.now ?? T0
})

describe('grantRefusal', () => {
  it('accepts an available grant, valid now, for its plan, above its minimum', () => {
    expect(grantRefusal(grant({ minimum: { amount: 2900, currency: 'CNY' } }), 'available', use())).toBeNull()
  })

  it('names each reason', () => {
    expect(grantRefusal(grant(), 'used', use())).toBe('already_used')
    expect(grantRefusal(grant(), 'revoked', use())).toBe('inactive')
    expect(grantRefusal(grant({ validFrom: T0 + 1 }), 'available', use())).toBe('not_yet_valid')
    expect(grantRefusal(grant({ validUntil: T0 }), 'available', use())).toBe('expired')
    expect(grantRefusal(grant(), 'available', use({ planCode: 'PREMIUM' }))).toBe('not_applicable')
    expect(grantRefusal(grant({ appliesTo: [{ planCode: 'BASIC', period: 'yearly' }] }), 'available', use())).toBe('not_applicable')
    expect(grantRefusal(grant({ minimum: { amount: 2901, currency: 'CNY' } }), 'available', use())).toBe('below_minimum')
    expect(grantRefusal(grant(), 'available', use({ currency: 'USD' }))).toBe('currency')
  })

  it('an empty appliesTo means every plan; no end date never expires', () => {
    expect(grantRefusal(grant({ appliesTo: [], validUntil: null }), 'available', use({ planCode: 'ENTERPRISE', now: T0 + 1e12 }))).toBeNull()
  })
})
