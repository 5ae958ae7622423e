import { z } from 'zod'
import { BillingPeriodSchema, MoneySchema, PlanCodeSchema } from '../contract-base'
import { taxpayerIdProblem } from './taxpayer-id'

// The invoice contract: invoices and credit notes are issued by the relay (gap-free numbers per
// series and year), arrive in the feed, and are listed offline by the app. The invoice number is
// ours (INV-2026-000001); the fapiao number is the tax authority's (20 digits); they stay apart.

/** 开票信息, validated by the app's form and by the relay with this one schema. */
export const BillingDetailsSchema = z
  .strictObject({
    type: z.enum(['personal', 'company']),
    /** 抬头: a person's name or the company's registered name. */
    title: z.string().trim().min(1).max(100),
    /** 统一社会信用代码, required for a company. */
    taxpayerId: z.string().trim().toUpperCase().optional(),
    email: z.email().max(200),
    address: z.string().trim().max(200).optional(),
    phone: z.string().trim().regex(/^[0-9+\- ()]{5,30}$/, 'a phone number').optional(),
    bank: z.string().trim().max(100).optional(),
    bankAccount: z.string().trim().regex(/^[0-9 -]{6,40}$/, 'a bank account number').optional()
  })
  .superRefine((d, ctx) => {
    if (d.type === 'company' && !d.taxpayerId) {
      ctx.addIssue({ code: 'custom', path: ['taxpayerId'], message: 'taxpayer_id_required' })
    }
    if (d.taxpayerId) {
      const problem = taxpayerIdProblem(d.taxpayerId)
      if (problem) ctx.addIssue({ code: 'custom', path: ['taxpayerId'], message: `taxpayer_id_${problem}` })
    }
  })
export type BillingDetails = z.infer<typeof BillingDetailsSchema>

export const InvoiceStatusSchema = z.enum(['issued', 'paid', 'partially_credited', 'credited', 'void'])
export type InvoiceStatus = z.infer<typeof InvoiceStatusSchema>

export const InvoiceLineSchema = z.strictObject({
  /** What was bought: a plan period or a recharge. */
  item: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('plan'), planCode: PlanCodeSchema, period: BillingPeriodSchema }),
    z.strictObject({ kind: z.literal('recharge') })
  ]),
  quantity: z.int().min(1),
  unitPrice: MoneySchema,
  discount: MoneySchema,
  taxRate: z.string().regex(/^0(\.\d{1,4})?$/),
  tax: MoneySchema,
  /** unitPrice × quantity − discount, VAT included. */
  total: MoneySchema
})

export const InvoiceSchema = z.strictObject({
  number: z.string(),
  issuedAt: z.int(),
  status: InvoiceStatusSchema,
  /** The paid order, or the wallet-paid purchase (its outbox record id). */
  source: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('order'), orderNo: z.string() }),
    z.strictObject({ kind: z.literal('wallet'), purchaseId: z.string() })
  ]),
  lines: z.array(InvoiceLineSchema).min(1),
  total: MoneySchema,
  tax: MoneySchema,
  discount: MoneySchema,
  /** Credited so far by credit notes; total − credited is what is left. */
  credited: MoneySchema,
  /** The buyer's billing details when issued, if any were on file. */
  buyer: BillingDetailsSchema.optional()
})
export type Invoice = z.infer<typeof InvoiceSchema>

export const CreditNoteSchema = z.strictObject({
  number: z.string(),
  invoiceNumber: z.string(),
  issuedAt: z.int(),
  amount: MoneySchema,
  tax: MoneySchema,
  /** The refund it records (the relay's refund id). */
  refundId: z.string()
})
export type CreditNote = z.infer<typeof CreditNoteSchema>

export const FapiaoRequestSchema = z.strictObject({
  invoiceNumber: z.string(),
  status: z.enum(['requested', 'issued', 'refused']),
  requestedAt: z.int(),
  decidedAt: z.int().optional(),
  /** 20 digits, entered by the operator when issued. */
  fapiaoNumber: z.string().regex(/^\d{20}$/).optional(),
  /** The operator's reason when refused. */
  reason: z.string().max(500).optional()
})
export type FapiaoRequest = z.infer<typeof FapiaoRequestSchema>

// HTTP (device-authenticated):
//   GET  /v1/billing-details            → { details: BillingDetails | null }
//   PUT  /v1/billing-details            ← BillingDetails → { details }
//   GET  /v1/invoices                   → { invoices: Invoice[], creditNotes: CreditNote[], fapiao: FapiaoRequest[] }
//   GET  /v1/invoices/:number/pdf?lang=zh-CN|en  → application/pdf (the account's own only)
//   POST /v1/invoices/:number/fapiao    → { fapiao: FapiaoRequest }
export const BillingDetailsResponseSchema = z.strictObject({ details: BillingDetailsSchema.nullable() })
export const InvoicesResponseSchema = z.strictObject({
  invoices: z.array(InvoiceSchema),
  creditNotes: z.array(CreditNoteSchema),
  fapiao: z.array(FapiaoRequestSchema)
})
export const FapiaoResponseSchema = z.strictObject({ fapiao: FapiaoRequestSchema })
