import type { LedgerSnapshot, LedgerTransferRow, StoreTx } from '../store/ports'
import { NORMAL_SIDE, type LedgerAccountKind } from './chart'

// The books' checks, over everything the relay's ledger holds (npm run relay:verify):
// - every transfer moves a positive integer amount between two accounts of its currency;
// - every account's cached posted debits and credits equal its transfers;
// - per currency, all debits equal all credits (the transfers sum to zero);
// - no wallet and no receivable is below zero on its normal side;
// - every paid order has exactly one payment transfer of its amount, and no payment transfer is
//   without a paid order; every refund exactly one refund transfer of its amount, and an order's
//   refund transfers add up to what it says was refunded;
// - every wallet-paid grant has exactly one subscription_purchase transfer of its price, and no
//   purchase transfer is without its grant (an order or purchase a coupon made free has none);
// - no promotion credit (recharge bonuses) is below zero.
// The transfers, the largest part by far, are read in pages and folded in one at a time
// (checkBooks), so memory grows with accounts and orders, not with the ledger's history.

export interface LedgerReport {
  ok: boolean
  accounts: number
  transfers: number
  /** Per currency: the total posted on each side (equal when the books balance). */
  totals: Record<string, { debits: number; credits: number }>
  breaks: string[]
}

/** Transfers read per page by checkBooks. */
export const VERIFY_PAGE = 5_000

/** The checks over a snapshot held in memory (tests, small books). */
export function verifyLedger(books: LedgerSnapshot): LedgerReport {
  const check = new BooksCheck(books.accounts)
  for (const t of books.transfers) check.add(t)
  return check.finish(books)
}

/**
 * relay:verify's check, inside one read (one snapshot on either store): the accounts, orders,
 * refunds and purchases at once, the transfers in pages of `page`.
 */
export async function checkBooks(tx: StoreTx, page = VERIFY_PAGE): Promise<LedgerReport> {
  const books = await tx.ledger.books()
  const check = new BooksCheck(books.accounts)
  for (let after = 0; ; ) {
    const rows = await tx.ledger.transfersPage(after, 0, END_OF_TIME, page)
    for (const t of rows) check.add(t)
    if (rows.length < page) break
    after = rows.at(-1)!.seq
  }
  return check.finish(books)
}

/** The largest instant a Date holds (transfersPage's open end). */
const END_OF_TIME = 8_640_000_000_000_000

class BooksCheck {
  private readonly breaks: string[] = []
  private readonly accounts: Map<string, LedgerSnapshot['accounts'][number]>
  private readonly recomputed: Map<string, { debits: number; credits: number }>
  private readonly payments = new Map<string, { count: number; amount: number }>()
  private readonly refundTransfers = new Map<string, { count: number; amount: number }>()
  private readonly purchaseTransfers = new Map<string, { count: number; amount: number }>()
  private transfers = 0

  constructor(accounts: LedgerSnapshot['accounts']) {
    this.accounts = new Map(accounts.map((a) => [a.id, a]))
    this.recomputed = new Map(accounts.map((a) => [a.id, { debits: 0, credits: 0 }]))
  }

  // A transfer id is unique by the stores' own index (ledger_transfers_id), so it is not tracked here.
  add(t: LedgerTransferRow): void {
    const { breaks, accounts, recomputed } = this
    this.transfers++
    if (!Number.isSafeInteger(t.amount) || t.amount <= 0) breaks.push(`transfer ${t.id}: amount ${t.amount} is not a positive integer`)
    for (const side of [t.debitAccountId, t.creditAccountId]) {
      const account = accounts.get(side)
      if (!account) breaks.push(`transfer ${t.id}: account ${side} does not exist`)
      else if (account.currency !== t.currency) breaks.push(`transfer ${t.id}: ${t.currency} on ${side}, an account in ${account.currency}`)
    }
    if (t.debitAccountId === t.creditAccountId) breaks.push(`transfer ${t.id}: debits and credits one account`)
    const debit = recomputed.get(t.debitAccountId)
    const credit = recomputed.get(t.creditAccountId)
    if (debit) debit.debits += t.amount
    if (credit) credit.credits += t.amount
    const tally = t.kind === 'payment' ? this.payments : t.kind === 'refund' ? this.refundTransfers : t.kind === 'subscription_purchase' ? this.purchaseTransfers : undefined
    if (tally) {
      // A purchase record id is unique within its account only.
      const source = t.kind === 'subscription_purchase' ? `${t.customerAccountId}:${t.sourceId}` : t.sourceId
      const seen = tally.get(source) ?? { count: 0, amount: 0 }
      tally.set(source, { count: seen.count + 1, amount: seen.amount + t.amount })
    }
  }

  finish(books: Omit<LedgerSnapshot, 'transfers'>): LedgerReport {
    const { breaks, recomputed, payments, refundTransfers, purchaseTransfers } = this
    const totals: LedgerReport['totals'] = {}
    for (const a of books.accounts) {
      const r = recomputed.get(a.id)!
      if (r.debits !== a.debitsPosted || r.credits !== a.creditsPosted) {
        breaks.push(
          `account ${a.id}: cached debits ${a.debitsPosted} / credits ${a.creditsPosted}, its transfers give ${r.debits} / ${r.credits}`
        )
      }
      const total = (totals[a.currency] ??= { debits: 0, credits: 0 })
      total.debits += r.debits
      total.credits += r.credits
      const kind = a.kind as LedgerAccountKind
      if (kind === 'customer_wallet' || kind === 'receivable' || kind === 'promotion_credit') {
        const balance = NORMAL_SIDE[kind] === 'credit' ? r.credits - r.debits : r.debits - r.credits
        if (balance < 0) breaks.push(`account ${a.id}: ${kind} balance ${balance} is below zero`)
      }
    }
    for (const [currency, t] of Object.entries(totals)) {
      if (t.debits !== t.credits) breaks.push(`currency ${currency}: debits ${t.debits} and credits ${t.credits} do not sum to zero`)
    }

    const paidIds = new Set<string>()
    const refundedByOrder = new Map<string, number>()
    for (const o of books.paidOrders) {
      paidIds.add(o.id)
      const p = payments.get(o.id)
      // A coupon may make an order free: paid with no money, so no payment transfer.
      if (o.amount === 0 && !p) continue
      if (!p) breaks.push(`order ${o.orderNo}: paid without a payment transfer`)
      else if (p.count !== 1) breaks.push(`order ${o.orderNo}: ${p.count} payment transfers`)
      else if (p.amount !== o.amount) breaks.push(`order ${o.orderNo}: paid ${o.amount}, its payment transfer ${p.amount}`)
    }
    for (const source of payments.keys()) {
      // Payments name their order; one without a paid order is money from nowhere.
      if (!paidIds.has(source)) breaks.push(`payment transfer for order ${source}: no paid order`)
    }
    const refundIds = new Set<string>()
    for (const r of books.refunds) {
      const source = `${r.provider}:${r.refundId}`
      refundIds.add(source)
      const t = refundTransfers.get(source)
      if (!t) breaks.push(`refund ${source}: no refund transfer`)
      else if (t.count !== 1) breaks.push(`refund ${source}: ${t.count} refund transfers`)
      else if (t.amount !== r.amount) breaks.push(`refund ${source}: refunded ${r.amount}, its transfer ${t.amount}`)
      refundedByOrder.set(r.orderId, (refundedByOrder.get(r.orderId) ?? 0) + r.amount)
    }
    for (const source of refundTransfers.keys()) {
      if (!refundIds.has(source)) breaks.push(`refund transfer for ${source}: no refund recorded`)
    }
    const purchaseIds = new Set<string>()
    for (const p of books.purchases) {
      const source = `${p.accountId}:${p.purchaseId}`
      purchaseIds.add(source)
      const t = purchaseTransfers.get(source)
      if (p.amount === 0 && !t) continue
      if (!t) breaks.push(`purchase ${source}: a wallet-paid grant without its purchase transfer`)
      else if (t.count !== 1) breaks.push(`purchase ${source}: ${t.count} purchase transfers`)
      else if (t.amount !== p.amount) breaks.push(`purchase ${source}: priced ${p.amount}, its transfer ${t.amount}`)
    }
    for (const source of purchaseTransfers.keys()) {
      if (!purchaseIds.has(source)) breaks.push(`purchase transfer for ${source}: no grant`)
    }
    for (const o of books.paidOrders) {
      const refunded = refundedByOrder.get(o.id) ?? 0
      if (refunded !== o.refunded) breaks.push(`order ${o.orderNo}: says ${o.refunded} refunded, its refunds add up to ${refunded}`)
    }
    return { ok: breaks.length === 0, accounts: books.accounts.length, transfers: this.transfers, totals, breaks }
  }
}
