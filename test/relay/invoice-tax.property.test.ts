import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { billingYear, documentNumber, parseDocumentNumber } from '../../src/relay/invoices/numbers'
import { creditTax, invoiceLine } from '../../src/relay/invoices/tax'
import { includedTax } from '../../src/shared/money'

// The arithmetic of invoices and credit notes, as properties: whatever the invoice and however
// it is refunded in parts, the credited amount never exceeds the invoice, the credit notes' tax
// never exceeds the invoice's tax, and a full credit sums exactly to both.

const rate = fc.constantFrom('0', '0.03', '0.06', '0.09', '0.13', '0.0575')

describe('credit-note arithmetic', () => {
  it('credited ≤ invoiced, tax parts ≤ the invoice tax, and a full credit sums exactly', () => {
    fc.assert(
      fc.property(rate, fc.integer({ min: 1, max: 10_000_000 }), fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 12 }), fc.boolean(), (r, total, parts, full) => {
        const line = invoiceLine({ item: { kind: 'recharge' }, quantity: 1, unitPrice: total, discount: 0 }, r, 'CNY')
        const inv = { total, tax: line.tax.amount, credited: 0, creditedTax: 0 }
        for (const p of parts) {
          const left = inv.total - inv.credited
          if (left === 0) break
          const amount = Math.min(p, left)
          const tax = creditTax(inv, amount)
          expect(tax).toBeGreaterThanOrEqual(0)
          inv.credited += amount
          inv.creditedTax += tax
          expect(inv.credited).toBeLessThanOrEqual(inv.total)
          expect(inv.creditedTax).toBeLessThanOrEqual(inv.tax)
        }
        if (full && inv.credited < inv.total) {
          inv.creditedTax += creditTax(inv, inv.total - inv.credited)
          inv.credited = inv.total
        }
        if (inv.credited === inv.total) expect(inv.creditedTax).toBe(inv.tax)
        // Crediting more than is left is refused, whatever the amount.
        expect(() => creditTax(inv, inv.total - inv.credited + 1)).toThrow(/what is left/)
      })
    )
  })

  it('a line’s tax is the VAT included in its total, with the discount taken first', () => {
    fc.assert(
      fc.property(rate, fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 100 }), (r, unit, qty, pct) => {
        const discount = Math.floor((unit * qty * pct) / 100)
        const line = invoiceLine({ item: { kind: 'recharge' }, quantity: qty, unitPrice: unit, discount }, r, 'CNY')
        expect(line.total.amount).toBe(unit * qty - discount)
        expect(line.tax).toEqual(includedTax(line.total, r))
        expect(line.tax.amount).toBeLessThanOrEqual(line.total.amount)
      })
    )
    expect(() => invoiceLine({ item: { kind: 'recharge' }, quantity: 1, unitPrice: 100, discount: 101 }, '0.06', 'CNY')).toThrow(/discount/)
    expect(() => invoiceLine({ item: { kind: 'recharge' }, quantity: 1, unitPrice: 100, discount: -1 }, '0.06', 'CNY')).toThrow(/discount/)
  })
})

describe('document numbers', () => {
  it('are series-year-six digits, read back as made', () => {
    expect(documentNumber('INV', 2026, 1)).toBe('INV-2026-000001')
    expect(documentNumber('CN', 2026, 1_234_567)).toBe('CN-2026-1234567')
    fc.assert(fc.property(fc.constantFrom('INV', 'CN'), fc.integer({ min: 2000, max: 2999 }), fc.integer({ min: 1, max: 99_999_999 }), (s, y, n) => {
      expect(parseDocumentNumber(documentNumber(s, y, n))).toEqual({ series: s, year: y, n })
    }))
    expect(parseDocumentNumber('INV-2026-1')).toBeNull()
    expect(parseDocumentNumber('../etc')).toBeNull()
  })

  it('take the year in the billing time zone', () => {
    const newYearShanghai = Date.UTC(2025, 11, 31, 16, 0)
    expect(billingYear(newYearShanghai - 1, 'Asia/Shanghai')).toBe(2025)
    expect(billingYear(newYearShanghai, 'Asia/Shanghai')).toBe(2026)
    expect(billingYear(newYearShanghai, 'UTC')).toBe(2025)
    expect(billingYear(Date.UTC(2026, 0, 1, 3), 'America/Los_Angeles')).toBe(2025)
    // The remembered slot never answers for another year, in any order of times.
    fc.assert(
      fc.property(fc.constantFrom('Asia/Shanghai', 'Asia/Kathmandu', 'UTC', 'America/St_Johns'), fc.array(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }), { minLength: 1, maxLength: 20 }), (zone, times) => {
        for (const at of times.flatMap((t) => [t, t + 1, t - 60_000])) {
          expect(billingYear(at, zone)).toBe(Number(new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric' }).format(at)))
        }
      })
    )
    const eve = Date.UTC(2025, 11, 31, 15, 59, 59, 999)
    expect([billingYear(eve, 'Asia/Shanghai'), billingYear(eve + 1, 'Asia/Shanghai'), billingYear(eve, 'Asia/Shanghai')]).toEqual([2025, 2026, 2025])
  })
})
