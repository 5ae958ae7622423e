import { expect, it } from 'vitest'
import { taxReport } from '../../../src/relay/reports/tax'
import { forEachStore } from '../support/pg'
import { at, seededRelay } from './books'

// The tax report of a seeded relay (books.ts) against known answers: rows per currency, rate and
// whether the ledger books the VAT; a credit note's tax given back in its own month; over all time
// the booked payable is the tax payable account's posted balance, a void invoice included (voiding
// posts no reversal; a refund after it is credited, its note gives the VAT back); pages of one row
// give the same report.

const TZ = 'Asia/Shanghai'
const row = (r: Partial<Record<string, unknown>>) => ({ invoices: 0, gross: 0, tax: 0, net: 0, creditNotes: 0, credited: 0, creditedTax: 0, payable: 0, ...r })

forEachStore('the tax report', () => {
  it('gives VAT per currency and rate, credit notes in their own month, and equals tax payable', async () => {
    const t = await seededRelay()
    const { core } = t.relay
    const all = await taxReport(core.store, core.clock, { from: 0, timeZone: TZ })
    expect(all.rows).toEqual([
      // a's monthly (29.00, VAT 1.64) and c's lifetime (899.00, VAT 50.89); 10.00 credited in April with 1.64 × 10/29 = 0.57.
      row({ currency: 'CNY', rate: '0.06', booked: true, invoices: 2, gross: 92_800, tax: 5253, net: 87_547, creditNotes: 1, credited: 1000, creditedTax: 57, payable: 5196 }),
      // c's recharge: VAT printed (50.00 × 0.06 ÷ 1.06 = 2.83), none booked.
      row({ currency: 'CNY', rate: '0.06', booked: false, invoices: 1, gross: 5000, tax: 283, net: 4717, payable: 283 }),
      // d's quarterly under catalog v2 (79.00 × 0.13 ÷ 1.13 = 9.09).
      row({ currency: 'CNY', rate: '0.13', booked: true, invoices: 1, gross: 7900, tax: 909, net: 6991, payable: 909 }),
      // b's USD plan, credited in full: the note takes all the invoice's tax.
      row({ currency: 'USD', rate: '0.06', booked: true, invoices: 1, gross: 999, tax: 57, net: 942, creditNotes: 1, credited: 999, creditedTax: 57, payable: 0 })
    ])
    const taxPayable = async () => {
      const accounts = await core.store.read(async (tx) => tx.ledger.accounts())
      return Object.fromEntries(accounts.filter((a) => a.kind === 'tax_payable').map((a) => [a.currency, a.creditsPosted - a.debitsPosted]))
    }
    expect(all.payable).toEqual({ CNY: 6105, USD: 0 })
    expect(all.payable).toEqual(await taxPayable())

    // January's invoice, its credit note in April: April gives the tax back, January keeps it.
    const month = (from: string, to: string) => taxReport(core.store, core.clock, { from: at(from), to: at(to), timeZone: TZ })
    expect((await month('2027-12-31T16:00:00Z', '2028-01-31T16:00:00Z')).rows).toEqual([
      row({ currency: 'CNY', rate: '0.06', booked: true, invoices: 1, gross: 2900, tax: 164, net: 2736, payable: 164 })
    ])
    const april = await month('2028-03-31T16:00:00Z', '2028-04-30T16:00:00Z')
    expect(april.rows).toEqual([row({ currency: 'CNY', rate: '0.06', booked: true, creditNotes: 1, credited: 1000, creditedTax: 57, payable: -57 })])
    expect(april.payable).toEqual({ CNY: -57 })
    // The leap day's last minute is February's; 00:30 on March 1 is March's.
    const feb = await month('2028-01-31T16:00:00Z', '2028-02-29T16:00:00Z')
    expect(feb.rows.map((r) => [r.currency, r.booked, r.gross])).toEqual([
      ['CNY', true, 89_900],
      ['USD', true, 999]
    ])

    // Pages of one row: the same report.
    expect(await taxReport(core.store, core.clock, { from: 0, timeZone: TZ }, 1)).toEqual(all)

    // A void invoice keeps its VAT in tax payable (voiding books no reversal), so the report keeps it.
    const [lifetime] = await t.sql<{ number: string }>('SELECT number FROM invoices WHERE total = 89900')
    await core.store.unit((tx) => core.invoicing.invoices.void(tx, lifetime!.number, core.clock.now()))
    expect(await t.sql('SELECT status FROM invoices WHERE number = ?', lifetime!.number)).toEqual([{ status: 'void' }])
    const afterVoid = await taxReport(core.store, core.clock, { from: 0, timeZone: TZ })
    expect(afterVoid).toEqual(all)
    expect(afterVoid.payable).toEqual(await taxPayable())

    // Refunded in full after the void: its credit note gives the VAT back, the invoice stays void.
    const [order] = await t.sql<{ order_no: string }>("SELECT order_no FROM orders WHERE amount = 89900")
    const refund = await core.store.unit((tx) =>
      core.applier.apply(tx, 'stripe', { type: 'refund.succeeded', eventId: 'evt_re_void', orderNo: order!.order_no, refundId: 're_void', amount: { amount: 89_900, currency: 'CNY' }, occurredAt: 0 })
    )
    expect(refund.kind).toBe('applied')
    const [inv] = await t.sql<{ status: string; credited: number; creditedTax: number }>('SELECT status, credited, credited_tax AS "creditedTax" FROM invoices WHERE number = ?', lifetime!.number)
    expect([inv!.status, Number(inv!.credited), Number(inv!.creditedTax)]).toEqual(['void', 89_900, 5089])
    const afterRefund = await taxReport(core.store, core.clock, { from: 0, timeZone: TZ })
    expect(afterRefund.payable).toEqual({ CNY: 6105 - 5089, USD: 0 })
    expect(afterRefund.payable).toEqual(await taxPayable())

    await expect(taxReport(core.store, core.clock, { from: at('2028-05-01T00:00:00Z'), to: at('2028-04-01T00:00:00Z'), timeZone: TZ })).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'from' } })
  })
})
