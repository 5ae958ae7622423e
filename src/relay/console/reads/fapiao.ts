import { z } from 'zod'
import type { ConsoleFapiaoList } from '../../../shared/console/api'
import type { FapiaoKeyset } from '../../store/console-reads'
import type { RelayStore } from '../../store/ports'
import { CursorSchema, LimitSchema, paged } from './paging'

// The fapiao desk's queue (申请发票): requests with their invoice's total and the buyer's 抬头,
// pending ones oldest first (the longest waiting on top), decided ones newest decision first, in
// pages. The cursor is the paging cursor whose key says which part of the queue it is in
// (`r:` waiting, `d:` decided) before the invoice number.

const QueueCursorSchema = CursorSchema.refine((k) => /^[rd]:\S+$/.test(k.key), 'a cursor from the previous page (its `next`)').transform((k): FapiaoKeyset => ({ decided: k.key.startsWith('d:'), at: k.at, invoiceNumber: k.key.slice(2) }))

export const FapiaoQuerySchema = z.strictObject({
  status: z.enum(['requested', 'issued', 'refused']).optional(),
  after: QueueCursorSchema.optional(),
  limit: LimitSchema
})

function titleOf(buyer: string | null): string | null {
  if (buyer === null) return null
  try {
    const title = (JSON.parse(buyer) as { title?: unknown }).title
    return typeof title === 'string' ? title : null
  } catch {
    return null
  }
}

export async function fapiaoList(store: RelayStore, query: unknown): Promise<ConsoleFapiaoList> {
  const q = FapiaoQuerySchema.parse(query)
  const rows = await store.read(async (tx) =>
    tx.consoleReads.fapiao({ ...(q.status ? { status: q.status } : {}), ...(q.after ? { after: q.after } : {}), limit: q.limit })
  )
  const page = paged(
    rows,
    q.limit,
    (r) => ({
      invoiceNumber: r.invoiceNumber,
      accountId: r.accountId,
      status: r.status,
      requestedAt: r.requestedAt,
      decidedAt: r.decidedAt,
      fapiaoNumber: r.fapiaoNumber,
      reason: r.reason,
      total: { amount: r.total, currency: r.currency },
      title: titleOf(r.buyer)
    }),
    (r) => (r.status === 'requested' || r.decidedAt === null ? { at: r.requestedAt, key: `r:${r.invoiceNumber}` } : { at: r.decidedAt, key: `d:${r.invoiceNumber}` })
  )
  return { requests: page.items, next: page.next }
}
