import Decimal from 'decimal.js'
import { includedTax, money, MONEY_ROUNDING, type Currency } from '../../shared/money'
import { InvalidAmount } from '../../shared/errors'
import type { Invoice } from '../../shared/billing/invoices'

// The tax arithmetic of invoices and credit notes. Prices include VAT: a line's tax is
// total × rate ÷ (1 + rate), rounded once by MONEY_ROUNDING (includedTax). A credit note's tax
// is the invoice's tax in proportion to the amount credited, never more than what is left of
// it, and the note that credits the rest takes the rest of the tax: the credit notes' tax
// never exceeds the invoice's, and a full credit sums to it exactly.

type Line = Invoice['lines'][number]

export interface LineInput {
  item: Line['item']
  quantity: number
  /** Minor units, VAT included, before the discount. */
  unitPrice: number
  /** Minor units taken off the line (a coupon); 0 without one. */
  discount: number
}

export function invoiceLine(input: LineInput, rate: string, currency: Currency): Line {
  const gross = input.unitPrice * input.quantity
  if (input.discount < 0 || input.discount > gross) throw new InvalidAmount('a line discount must be between 0 and the line price', { discount: input.discount })
  const total = money(gross - input.discount, currency)
  return {
    item: input.item,
    quantity: input.quantity,
    unitPrice: money(input.unitPrice, currency),
    discount: money(input.discount, currency),
    taxRate: rate,
    tax: includedTax(total, rate),
    total
  }
}

/** What is left to credit of an invoice, as the credit split needs it. */
export interface Creditable {
  total: number
  tax: number
  credited: number
  creditedTax: number
}

/** The tax part of crediting `amount` more (minor units); throws when it exceeds what is left. */
export function creditTax(inv: Creditable, amount: number): number {
  const left = inv.total - inv.credited
  if (!Number.isInteger(amount) || amount <= 0 || amount > left) {
    throw new InvalidAmount(`a credit must be between 1 and ${left} (what is left of the invoice)`, { amount })
  }
  const taxLeft = inv.tax - inv.creditedTax
  if (amount === left) return taxLeft
  const share = new Decimal(inv.tax).times(amount).dividedBy(inv.total).toDecimalPlaces(0, MONEY_ROUNDING).toNumber()
  return Math.min(share, taxLeft)
}
