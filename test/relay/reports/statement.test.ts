import { expect, it } from 'vitest'
import { NORMAL_SIDE, type LedgerAccountKind } from '../../../src/relay/ledger/chart'
import { verifyLedger } from '../../../src/relay/ledger/verify'
import { statement, statementBounds } from '../../../src/relay/reports/statement'
import { taxReport } from '../../../src/relay/reports/tax'
import type { ConsoleStatement } from '../../../src/shared/console/api'
import { forEachStore } from '../support/pg'
import { at, seededRelay } from './books'

// The monthly statements of a seeded relay (books.ts: a leap day, a refund in a later month,
// two currencies, a lifetime plan, a recharge, paid and free uses, two VAT rates) against the
// ledger: summed over every month they are the posted balances relay:verify checks, the last
// month's liability is the wallets' balance, a year is its months, each month's tax is the tax
// report's payable for that month; and some months against known answers.

const TZ = 'Asia/Shanghai'
type Entry = ConsoleStatement['currencies'][string]
const FIELDS = ['gross', 'discounts', 'refunds', 'promotions', 'net', 'tax'] as const
const KINDS: Record<Exclude<(typeof FIELDS)[number], 'net'>, LedgerAccountKind[]> = {
  gross: ['revenue_plan', 'revenue_usage'],
  discounts: ['discounts'],
  refunds: ['refunds'],
  promotions: ['promotion'],
  tax: ['tax_payable']
}

function months(fromYear: number, until: string): string[] {
  const out: string[] = []
  for (let y = fromYear; ; y++) {
    for (let m = 1; m <= 12; m++) {
      const key = `${y}-${String(m).padStart(2, '0')}`
      out.push(key)
      if (key === until) return out
    }
  }
}

forEachStore('the monthly and annual statements', () => {
  it('add up over all months to the ledger balances relay:verify checks, and give the known answers', async () => {
    const t = await seededRelay()
    const { core } = t.relay
    const books = await core.store.read(async (tx) => tx.ledger.snapshot())
    expect(verifyLedger(books)).toMatchObject({ ok: true, breaks: [] })
    const balance = (kinds: LedgerAccountKind[], currency: string) =>
      books.accounts
        .filter((a) => a.currency === currency && kinds.includes(a.kind as LedgerAccountKind))
        .reduce((sum, a) => sum + (NORMAL_SIDE[a.kind as LedgerAccountKind] === 'credit' ? a.creditsPosted - a.debitsPosted : a.debitsPosted - a.creditsPosted), 0)

    // The relay's clock began in 2025; every month since, through the one running now (2028-06).
    const statements = new Map<string, ConsoleStatement>()
    for (const period of months(2025, '2028-06')) statements.set(period, await statement(core.store, core.clock, { bucket: 'month', period, timeZone: TZ }))
    for (const currency of ['CNY', 'USD']) {
      const entries = [...statements.values()].map((s) => s.currencies[currency]).filter((e): e is Entry => e !== undefined)
      for (const [field, kinds] of Object.entries(KINDS)) expect(entries.reduce((s, e) => s + e[field as keyof typeof KINDS], 0), `${currency} ${field}`).toBe(balance(kinds, currency))
      const net = entries.reduce((s, e) => s + e.net, 0)
      expect(net).toBe(balance(KINDS.gross, currency) - balance(['discounts', 'refunds', 'promotion'], currency))
      const moneyIn = entries.reduce((s, e) => s + Object.values(e.providers).reduce((x, v) => x + v, 0), 0)
      expect(moneyIn, `${currency} money in`).toBe(balance(['provider_clearing'], currency))
      const last = statements.get('2028-06')!.currencies[currency]
      expect(last?.walletLiability ?? { wallets: 0, promotionCredit: 0 }).toEqual({ wallets: balance(['customer_wallet'], currency), promotionCredit: balance(['promotion_credit'], currency) })
      // Each month's VAT is what the tax report says became payable in it (credit notes in their own month).
      for (const [period, s] of statements) {
        if (!s.currencies[currency]) continue
        const tax = await taxReport(core.store, core.clock, { from: s.from, to: s.to, timeZone: TZ })
        expect(tax.payable[currency] ?? 0, `${period} ${currency} tax`).toBe(s.currencies[currency]!.tax)
      }
    }
    // The year is its months.
    const year = await statement(core.store, core.clock, { bucket: 'year', period: '2028', timeZone: TZ })
    for (const currency of ['CNY', 'USD']) {
      for (const field of FIELDS) {
        const sum = months(2028, '2028-06').reduce((s, p) => s + (statements.get(p)!.currencies[currency]?.[field] ?? 0), 0)
        expect(year.currencies[currency]![field], `2028 ${currency} ${field}`).toBe(sum)
      }
    }
    expect(year.currencies.CNY!.mrrAtEnd).toBe(statements.get('2028-06')!.currencies.CNY!.mrrAtEnd)
    expect(year).toMatchObject({ from: at('2027-12-31T16:00:00Z'), to: t.clock.now() + 1 })

    // Known answers. January: a's monthly (29.00, VAT 1.64 booked out of revenue); its MRR at the month's end.
    expect(statements.get('2028-01')!.currencies).toEqual({
      CNY: { gross: 2736, discounts: 0, refunds: 0, promotions: 0, net: 2736, tax: 164, providers: { stripe: 2900 }, walletLiability: { wallets: 0, promotionCredit: 0 }, mrrAtEnd: 2900 }
    })
    // February holds the leap day's lifetime plan (23:59 on the 29th) and the USD plan; the
    // recharge at 00:30 on March 1 is March's. A lifetime plan is no MRR; b's USD grant was
    // refunded in full in May, which takes it out of the history.
    const feb = statements.get('2028-02')!
    expect(feb).toMatchObject({ from: at('2028-01-31T16:00:00Z'), to: at('2028-02-29T16:00:00Z') })
    expect(feb.currencies.CNY).toMatchObject({ gross: 84_811, tax: 5089, net: 84_811, providers: { stripe: 89_900 }, mrrAtEnd: 0 })
    expect(feb.currencies.USD).toMatchObject({ gross: 942, tax: 57, providers: { stripe: 999 }, mrrAtEnd: 0 })
    // March: 10.00 used and 3.00 given free (gross 13.00, promotions 3.00), d's quarterly at 13 %
    // (79.00 − 9.09), 50.00 + 79.00 in; the wallet holds 50.00 − 10.00 at the end; MRR 79.00 ÷ 3.
    expect(statements.get('2028-03')!.currencies.CNY).toEqual({
      gross: 1300 + 6991,
      discounts: 0,
      refunds: 0,
      promotions: 300,
      net: 7991,
      tax: 909,
      providers: { stripe: 12_900 },
      walletLiability: { wallets: 4000, promotionCredit: 0 },
      mrrAtEnd: 2633
    })
    // April: January's refund, less the VAT its credit note gives back (0.57), in April.
    expect(statements.get('2028-04')!.currencies.CNY).toMatchObject({ gross: 0, refunds: 943, net: -943, tax: -57, providers: { stripe: -1000 } })
    expect(statements.get('2028-05')!.currencies.USD).toMatchObject({ refunds: 942, tax: -57, providers: { stripe: -999 } })
  })
})

it('bounds a month or a year in the billing zone, and refuses a malformed period with a typed error', () => {
  expect(statementBounds('month', '2028-02', TZ)).toEqual({ from: at('2028-01-31T16:00:00Z'), to: at('2028-02-29T16:00:00Z') })
  expect(statementBounds('month', '2026-12', TZ)).toEqual({ from: at('2026-11-30T16:00:00Z'), to: at('2026-12-31T16:00:00Z') })
  expect(statementBounds('year', '2026', 'America/New_York')).toEqual({ from: at('2026-01-01T05:00:00Z'), to: at('2027-01-01T05:00:00Z') })
  for (const [bucket, period] of [['month', '2026-13'], ['month', '2026'], ['year', '2026-12'], ['month', '26-01'], ['year', '1969']] as const) {
    expect(() => statementBounds(bucket, period, TZ), `${bucket} ${period}`).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', details: expect.objectContaining({ field: 'period' }) }))
  }
})
