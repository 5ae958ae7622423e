import type { BillLine } from './bills'

// A provider's bill against the relay's books for the bill's period: every line the relay does
// not hold or holds with another amount, and everything the relay holds for that provider and
// period that the bill lacks. The relay's side is given as plain facts (reconcile/service.ts
// reads them), so the rules are tested on their own.

export type DifferenceKind =
  | 'missing_here' // the bill has a payment the relay has not recorded as paid
  | 'missing_there' // the relay has a payment the bill lacks
  | 'amount_differs'
  | 'refund_missing_here'
  | 'refund_missing_there'
  | 'refund_differs'
  | 'duplicate_in_bill'

export interface Difference {
  kind: DifferenceKind
  orderNo: string
  refundId: string | null
  /** Minor units; null where that side has nothing. */
  billAmount: number | null
  relayAmount: number | null
  /** The bill's line, when the difference starts from one. */
  line: number | null
}

export interface RelayFacts {
  /** Paid orders of this provider named by the bill, or paid within its period: order number → amount paid. */
  paid: Map<string, number>
  /** Of those, the ones paid within the period (the bill should list each). */
  paidInPeriod: Set<string>
  /** Refunds of this provider named by the bill or made within its period: refund id → { order, amount }. */
  refunds: Map<string, { orderNo: string; amount: number }>
  refundsInPeriod: Set<string>
}

export function matchBill(lines: BillLine[], facts: RelayFacts): Difference[] {
  const out: Difference[] = []
  const seenPayments = new Set<string>()
  const seenRefunds = new Set<string>()
  for (const l of lines) {
    if (l.kind === 'payment') {
      if (seenPayments.has(l.orderNo)) {
        out.push({ kind: 'duplicate_in_bill', orderNo: l.orderNo, refundId: null, billAmount: l.amount, relayAmount: facts.paid.get(l.orderNo) ?? null, line: l.line })
        continue
      }
      seenPayments.add(l.orderNo)
      const paid = facts.paid.get(l.orderNo)
      if (paid === undefined) out.push({ kind: 'missing_here', orderNo: l.orderNo, refundId: null, billAmount: l.amount, relayAmount: null, line: l.line })
      else if (paid !== l.amount) out.push({ kind: 'amount_differs', orderNo: l.orderNo, refundId: null, billAmount: l.amount, relayAmount: paid, line: l.line })
    } else {
      const id = l.refundId ?? ''
      if (seenRefunds.has(id)) {
        out.push({ kind: 'duplicate_in_bill', orderNo: l.orderNo, refundId: id, billAmount: l.amount, relayAmount: facts.refunds.get(id)?.amount ?? null, line: l.line })
        continue
      }
      seenRefunds.add(id)
      const r = facts.refunds.get(id)
      if (!r) out.push({ kind: 'refund_missing_here', orderNo: l.orderNo, refundId: id, billAmount: l.amount, relayAmount: null, line: l.line })
      else if (r.amount !== l.amount) out.push({ kind: 'refund_differs', orderNo: l.orderNo, refundId: id, billAmount: l.amount, relayAmount: r.amount, line: l.line })
    }
  }
  for (const orderNo of [...facts.paidInPeriod].sort()) {
    if (!seenPayments.has(orderNo)) out.push({ kind: 'missing_there', orderNo, refundId: null, billAmount: null, relayAmount: facts.paid.get(orderNo) ?? null, line: null })
  }
  for (const id of [...facts.refundsInPeriod].sort()) {
    const r = facts.refunds.get(id)!
    if (!seenRefunds.has(id)) out.push({ kind: 'refund_missing_there', orderNo: r.orderNo, refundId: id, billAmount: null, relayAmount: r.amount, line: null })
  }
  return out
}
