import { z } from 'zod'
import type { FapiaoRequest } from '../../shared/billing/invoices'
import { BillingError, InvalidInput, NotFound } from '../../shared/errors'
import type { Clock } from '../../node/clock'
import type { DeviceContext } from '../accounts/accounts'
import type { Feed } from '../feed/feed'
import type { FapiaoRow, RelayStore, StoreTx } from '../store/ports'

// 申请发票: a user asks for the official fapiao of one of their invoices (requested); the
// operator issues it (the tax authority's 20-digit number and its file, PDF or OFD) or refuses
// it with a reason. Each change is a 'fapiao' feed record. The fapiao number is the authority's
// and never replaces the invoice number. A refused request may be made again (after the user
// corrected their billing details); an issued one is final.

/** Largest fapiao file kept (a 全电发票 PDF or OFD is far smaller). */
export const FAPIAO_FILE_MAX_BYTES = 1024 * 1024

export const FapiaoDecisionSchema = z.discriminatedUnion('decision', [
  z.strictObject({
    decision: z.literal('issued'),
    fapiaoNumber: z.string().regex(/^\d{20}$/, '20 digits'),
    file: z.strictObject({ type: z.enum(['pdf', 'ofd']), base64: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64').max(Math.ceil(FAPIAO_FILE_MAX_BYTES / 3) * 4 + 4) })
  }),
  z.strictObject({ decision: z.literal('refused'), reason: z.string().trim().min(1).max(500) })
])
export type FapiaoDecision = z.infer<typeof FapiaoDecisionSchema>

const MAGIC = { pdf: Buffer.from('%PDF-'), ofd: Buffer.from([0x50, 0x4b, 0x03, 0x04]) } as const

export class FapiaoDesk {
  constructor(
    private readonly store: RelayStore,
    private readonly clock: Clock,
    private readonly feed: Feed
  ) {}

  /** The device's request; the same request again answers the stored one. */
  request(ctx: DeviceContext, invoiceNumber: string): Promise<FapiaoRequest> {
    return this.store.unit(async (tx) => {
      const inv = await tx.invoices.byNumber(invoiceNumber)
      if (!inv || inv.accountId !== ctx.accountId) throw new NotFound('invoice', invoiceNumber)
      if (inv.status === 'void') throw new BillingError('INVALID_TRANSITION', 'a void invoice has no fapiao', { reason: 'invoice_void' })
      if (inv.status === 'credited') throw new BillingError('INVALID_TRANSITION', 'the invoice is fully credited: nothing is left to put on a fapiao', { reason: 'invoice_credited' })
      if (!inv.buyer && (await tx.invoices.billingDetails(ctx.accountId)) === undefined) {
        throw new InvalidInput('billing details (开票信息) are required before a fapiao can be requested: PUT /v1/billing-details', { reason: 'billing_details_required' })
      }
      const known = await tx.invoices.fapiao(invoiceNumber)
      if (known && known.status !== 'refused') return toFapiao(known)
      const row: FapiaoRow = { invoiceNumber, accountId: ctx.accountId, status: 'requested', requestedAt: this.clock.now(), decidedAt: null, fapiaoNumber: null, reason: null, fileType: null }
      return this.save(tx, row, null)
    })
  }

  /** The operator's decision on a request (admin). Repeating the decision made answers it again. */
  /** `store`: the operator's audited view of the store (src/relay/console/audit.ts), by default the plain one. */
  decide(invoiceNumber: string, input: unknown, store: RelayStore = this.store): Promise<FapiaoRequest> {
    const decision = FapiaoDecisionSchema.parse(input)
    const file = decision.decision === 'issued' ? checkFile(decision.file.type, decision.file.base64) : null
    return store.unit(async (tx) => {
      const known = await tx.invoices.fapiao(invoiceNumber)
      if (!known) throw new NotFound('fapiao request', invoiceNumber)
      if (known.status !== 'requested') {
        const same = decision.decision === 'issued' ? known.status === 'issued' && known.fapiaoNumber === decision.fapiaoNumber : known.status === 'refused' && known.reason === decision.reason
        if (same) return toFapiao(known)
        throw new BillingError('INVALID_TRANSITION', `the fapiao request for ${invoiceNumber} is ${known.status} already`, { status: known.status })
      }
      if (decision.decision === 'issued') {
        const other = await tx.invoices.fapiaoByNumber(decision.fapiaoNumber)
        if (other) throw new InvalidInput(`fapiao ${decision.fapiaoNumber} was issued for ${other.invoiceNumber} already`, { field: 'fapiaoNumber', reason: 'fapiao_number_used' })
      }
      const now = this.clock.now()
      const row: FapiaoRow =
        decision.decision === 'issued'
          ? { ...known, status: 'issued', decidedAt: now, fapiaoNumber: decision.fapiaoNumber, reason: null, fileType: decision.file.type }
          : { ...known, status: 'refused', decidedAt: now, fapiaoNumber: null, reason: decision.reason, fileType: null }
      return this.save(tx, row, file)
    })
  }

  /** The issued fapiao's file, for the account's own invoices only. */
  async file(ctx: DeviceContext, invoiceNumber: string): Promise<{ fileType: 'pdf' | 'ofd'; file: Buffer }> {
    const found = await this.store.read(async (tx) => {
      const f = await tx.invoices.fapiao(invoiceNumber)
      return f && f.accountId === ctx.accountId && f.status === 'issued' ? tx.invoices.fapiaoFile(invoiceNumber) : undefined
    })
    if (!found) throw new NotFound('issued fapiao', invoiceNumber)
    return found
  }

  private async save(tx: StoreTx, row: FapiaoRow, file: Buffer | null): Promise<FapiaoRequest> {
    await tx.invoices.putFapiao(row, file)
    const dto = toFapiao(row)
    // An issued fapiao's notice rides in this record (notifications/events.ts).
    await this.feed.append(tx, row.accountId, 'fapiao', dto)
    return dto
  }
}

function checkFile(type: 'pdf' | 'ofd', base64: string): Buffer {
  const bytes = Buffer.from(base64, 'base64')
  if (bytes.length === 0 || bytes.length > FAPIAO_FILE_MAX_BYTES) {
    throw new InvalidInput(`the fapiao file must be 1 byte to ${FAPIAO_FILE_MAX_BYTES} bytes`, { field: 'file', size: bytes.length })
  }
  if (!bytes.subarray(0, MAGIC[type].length).equals(MAGIC[type])) {
    throw new InvalidInput(`the file is not ${type === 'pdf' ? 'a PDF' : 'an OFD (zip) file'}`, { field: 'file.type' })
  }
  return bytes
}

export function toFapiao(r: FapiaoRow): FapiaoRequest {
  return {
    invoiceNumber: r.invoiceNumber,
    status: r.status,
    requestedAt: r.requestedAt,
    ...(r.decidedAt !== null ? { decidedAt: r.decidedAt } : {}),
    ...(r.fapiaoNumber !== null ? { fapiaoNumber: r.fapiaoNumber } : {}),
    ...(r.reason !== null ? { reason: r.reason } : {})
  }
}

