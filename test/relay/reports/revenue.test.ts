import { describe, expect, it } from 'vitest'
import { RevenueReportBuilder } from '../../../src/relay/reports/revenue'
import type { LedgerAccountRow, LedgerTransferRow } from '../../../src/relay/store/ports'

// The report's rules on a seeded ledger with known answers: buckets in the billing zone across a
// leap day and a month's end, two currencies kept apart, a refund booked in a later month,
// a lifetime plan as one-time revenue.

const acc = (id: string, kind: string, currency: 'CNY' | 'USD'): LedgerAccountRow => ({ id, kind, currency, customerAccountId: null, debitsPosted: 0, creditsPosted: 0 })
const ACCOUNTS = [
  acc('clearing:alipay:CNY', 'provider_clearing', 'CNY'),
  acc('clearing:stripe:USD', 'provider_clearing', 'USD'),
  acc('revenue:plan:BASIC:lifetime:CNY', 'revenue_plan', 'CNY'),
  acc('revenue:plan:BASIC:monthly:USD', 'revenue_plan', 'USD'),
  acc('refunds:CNY', 'refunds', 'CNY')
]
let n = 0
const tr = (debit: string, credit: string, amount: number, currency: 'CNY' | 'USD', iso: string): LedgerTransferRow => ({
  id: `t${n++}`,
  kind: 'payment',
  debitAccountId: debit,
  creditAccountId: credit,
  amount,
  currency,
  customerAccountId: 'acc_1',
  sourceId: 'o',
  at: Date.parse(iso)
})

describe('revenue report rules', () => {
  it('buckets in Asia/Shanghai across a leap day, keeps currencies apart, and books a later refund in its own month', () => {
    const b = new RevenueReportBuilder(ACCOUNTS, { from: Date.parse('2028-01-01T00:00:00+08:00'), to: Date.parse('2029-01-01T00:00:00+08:00'), bucket: 'month', timeZone: 'Asia/Shanghai' })
    // Feb 29 23:59 in Shanghai is still February; 16:30 UTC on the 29th is March 1 00:30 there.
    b.add(tr('clearing:alipay:CNY', 'revenue:plan:BASIC:lifetime:CNY', 89_900, 'CNY', '2028-02-29T15:59:00Z'))
    b.add(tr('clearing:alipay:CNY', 'revenue:plan:BASIC:lifetime:CNY', 100, 'CNY', '2028-02-29T16:30:00Z'))
    b.add(tr('clearing:stripe:USD', 'revenue:plan:BASIC:monthly:USD', 999, 'USD', '2028-02-15T00:00:00Z'))
    b.add(tr('refunds:CNY', 'clearing:alipay:CNY', 40_000, 'CNY', '2028-04-02T00:00:00Z'))
    const r = b.result()
    expect(Object.keys(r.periods.CNY!)).toEqual(['2028-02', '2028-03', '2028-04'])
    expect(r.periods.CNY!['2028-02']).toMatchObject({ gross: 89_900, net: 89_900 })
    expect(r.periods.CNY!['2028-03']).toMatchObject({ gross: 100 })
    expect(r.periods.CNY!['2028-04']).toMatchObject({ gross: 0, refunds: 40_000, net: -40_000 })
    expect(r.totals.CNY).toMatchObject({ gross: 90_000, refunds: 40_000, net: 50_000 })
    expect(r.totals.USD).toMatchObject({ gross: 999, net: 999 })
    expect(r.plans).toEqual({ CNY: { 'BASIC:lifetime': 90_000 }, USD: { 'BASIC:monthly': 999 } })
    expect(r.providers).toEqual({ CNY: { alipay: 50_000 }, USD: { stripe: 999 } })
    expect(r.arpu).toEqual({ CNY: { accounts: 1, arpu: 50_000 }, USD: { accounts: 1, arpu: 999 } })
  })

  it('leaves out transfers outside the range and buckets by day in the zone', () => {
    const b = new RevenueReportBuilder(ACCOUNTS, { from: Date.parse('2028-02-29T00:00:00+08:00'), to: Date.parse('2028-03-01T00:00:00+08:00'), bucket: 'day', timeZone: 'Asia/Shanghai' })
    b.add(tr('clearing:alipay:CNY', 'revenue:plan:BASIC:lifetime:CNY', 1, 'CNY', '2028-02-28T15:59:59Z')) // Feb 28 23:59:59 local
    b.add(tr('clearing:alipay:CNY', 'revenue:plan:BASIC:lifetime:CNY', 2, 'CNY', '2028-02-28T16:00:00Z')) // Feb 29 00:00 local
    b.add(tr('clearing:alipay:CNY', 'revenue:plan:BASIC:lifetime:CNY', 4, 'CNY', '2028-02-29T16:00:00Z')) // Mar 1: past the end
    expect(b.result().periods).toEqual({ CNY: { '2028-02-29': { gross: 2, discounts: 0, refunds: 0, promotions: 0, net: 2, tax: 0 } } })
  })
})
