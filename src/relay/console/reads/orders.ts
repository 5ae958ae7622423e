import { z } from 'zod'
import type { ConsoleOrder, ConsoleOrderDetail, ConsoleOrderPage } from '../../../shared/console/api'
import { NotFound } from '../../../shared/errors'
import { OrderStateSchema } from '../../../shared/relay-contract'
import type { OrderSearch } from '../../store/console-reads'
import type { OrderRow, RelayStore } from '../../store/ports'
import { CursorSchema, LimitSchema, paged } from './paging'

// The console's order screens: a search over every account's orders, newest first, and one
// order's whole trail (its transitions, the provider notifications about it, the ledger transfers
// it caused, the refunds operators asked for).

const instant = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER)

export const OrderQuerySchema = z.strictObject({
  /** An order number or its beginning (any case), or a provider payment id. */
  q: z.string().trim().min(1).max(200).optional(),
  account: z.string().trim().min(1).max(100).optional(),
  provider: z.string().trim().min(1).max(40).optional(),
  state: OrderStateSchema.optional(),
  from: instant.optional(),
  to: instant.optional(),
  before: CursorSchema.optional(),
  limit: LimitSchema
})

/** What an order number may be made of: a prefix of anything else matches no order number. */
const ORDER_NO_CHARS = /^[A-Za-z0-9]+$/

export function toConsoleOrder(r: OrderRow): ConsoleOrder {
  const money = (amount: number) => ({ amount, currency: r.currency })
  return {
    orderNo: r.order_no,
    accountId: r.account_id,
    deviceId: r.device_id,
    provider: r.provider,
    subject: r.subject,
    amount: money(r.amount),
    discount: money(r.discount_amount),
    refunded: money(r.refunded_amount),
    state: r.state,
    providerPaymentId: r.provider_payment_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at
  }
}

export async function searchOrders(store: RelayStore, query: unknown): Promise<ConsoleOrderPage> {
  const q = OrderQuerySchema.parse(query)
  const search: OrderSearch = {
    ...(q.q !== undefined ? { paymentId: q.q } : {}),
    ...(q.q !== undefined && ORDER_NO_CHARS.test(q.q) ? { orderNoPrefix: q.q.toUpperCase() } : {}),
    ...(q.account !== undefined ? { accountId: q.account } : {}),
    ...(q.provider !== undefined ? { provider: q.provider } : {}),
    ...(q.state !== undefined ? { state: q.state } : {}),
    ...(q.from !== undefined ? { from: q.from } : {}),
    ...(q.to !== undefined ? { to: q.to } : {}),
    ...(q.before !== undefined ? { before: q.before } : {}),
    limit: q.limit
  }
  const rows = await store.read(async (tx) => tx.consoleReads.orders(search), { durable: true })
  const page = paged(rows, q.limit, toConsoleOrder, (r) => ({ at: r.created_at, key: r.order_no }))
  return { orders: page.items, next: page.next }
}

export async function orderDetail(store: RelayStore, orderNo: string): Promise<ConsoleOrderDetail> {
  return store.read(
    async (tx) => {
      const order = await tx.orders.byNo(orderNo)
      if (!order) throw new NotFound('order', orderNo.slice(0, 60))
      const r = tx.consoleReads
      const [transitions, notifications, transfers] = [await r.transitions(order.id), await r.notificationsOf(order.order_no), await r.transfersOfOrder(order.id, order.order_no)]
      const refunds = []
      for (const x of await tx.refundRequests.ofOrder(order.id)) {
        // As the refund desk shows it: a pending refund whose notification was recorded since has succeeded.
        const recorded = x.state === 'pending' && x.providerRefundId !== null && (await tx.notifications.refundSeen(order.provider, x.providerRefundId))
        refunds.push({ refundKey: x.refundKey, amount: { amount: x.amount, currency: x.currency }, state: recorded ? 'succeeded' : x.state, reason: x.reason, at: x.createdAt })
      }
      return {
        order: { ...toConsoleOrder(order), item: JSON.parse(order.item_json) as unknown },
        transitions,
        notifications: notifications.map((n) => ({ provider: n.provider, eventId: n.eventId, type: n.eventType ?? '', outcome: n.outcome, at: n.at })),
        transfers: transfers.map((t) => ({ id: t.id, kind: t.kind, debit: t.debitAccountId, credit: t.creditAccountId, amount: { amount: t.amount, currency: t.currency }, at: t.at })),
        refunds
      }
    },
    { durable: true }
  )
}
