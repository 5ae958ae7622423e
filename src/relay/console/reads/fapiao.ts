import { z } from 'zod'
import type { ConsoleFapiaoList } from '../../../shared/console/api'
import type { RelayStore } from '../../store/ports'

// The fapiao desk's queue (申请发票): requests with their invoice's total and the buyer's 抬头,
// pending ones oldest first (the longest waiting on top), decided ones newest decision first.

export const FapiaoQuerySchema = z.strictObject({ status: z.enum(['requested', 'issued', 'refused']).optional() })

/** The most one list holds: a desk that falls this far behind pages by status. */
const FAPIAO_LIST_MAX = 500

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
  const { status } = FapiaoQuerySchema.parse(query)
  const rows = await store.read(async (tx) => tx.consoleReads.fapiao(status, FAPIAO_LIST_MAX))
  return {
    requests: rows.map((r) => ({
      invoiceNumber: r.invoiceNumber,
      accountId: r.accountId,
      status: r.status,
      requestedAt: r.requestedAt,
      decidedAt: r.decidedAt,
      fapiaoNumber: r.fapiaoNumber,
      reason: r.reason,
      total: { amount: r.total, currency: r.currency },
      title: titleOf(r.buyer)
    }))
  }
}
