import { z } from 'zod'
import { CouponGrantSchema } from '../../billing/coupons'
import { BillingDetailsSchema, CreditNoteSchema, FapiaoRequestSchema, InvoiceSchema } from '../../billing/invoices'
import { idSchema, localeSchema, moneySchema, timestampSchema } from './common'

// Coupons (我的优惠券) and invoices (发票) between the renderer and main.

export const myCouponSchema = z.object({
  grant: CouponGrantSchema,
  /** The state in force on this device (a local use included). */
  state: z.enum(['available', 'used', 'revoked']),
  usedAt: timestampSchema.nullable()
})
export const myCouponsOutput = z.object({ coupons: z.array(myCouponSchema) })

/** What an account-bound coupon takes off a plan paid from the wallet, checked on the device. */
export const couponPreviewInput = z.strictObject({ planId: idSchema, grantId: z.string().min(1).max(128) })
export const couponPreviewOutput = z.object({ grantId: z.string(), list: moneySchema, discount: moneySchema, total: moneySchema })

export const invoiceNumberSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/)
export const invoiceEntrySchema = z.object({
  invoice: InvoiceSchema,
  creditNotes: z.array(CreditNoteSchema),
  fapiao: FapiaoRequestSchema.nullable(),
  /** The PDFs kept on this device, by language (they open offline). */
  pdfs: z.array(localeSchema)
})
export const invoicesListOutput = z.object({ invoices: z.array(invoiceEntrySchema) })
export const invoiceRefInput = z.strictObject({ number: invoiceNumberSchema })
export const invoicePdfInput = z.strictObject({ number: invoiceNumberSchema, lang: localeSchema })

export const billingDetailsOutput = z.object({ details: BillingDetailsSchema.nullable() })
/** The form as typed; main checks it with BillingDetailsSchema (field issues in details.issues). */
export const billingDetailsSetInput = z.strictObject({ details: z.record(z.string(), z.unknown()) })
