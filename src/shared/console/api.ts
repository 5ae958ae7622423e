import type { Money } from '../money'

// What the console's screens read from the relay (src/relay/http/console-*.ts) beyond the routes
// that already answer with their domain objects (reports, refunds, audit, reconciliation,
// coupons, fapiao decisions). One file both sides import, so a field renamed on one side
// fails the other's typecheck. Times are epoch ms; money is integer minor units + currency.

export interface ConsoleOrder {
  orderNo: string
  accountId: string
  deviceId: string
  provider: string
  subject: string
  /** What was charged, after any coupon. */
  amount: Money
  discount: Money
  refunded: Money
  state: string
  providerPaymentId: string | null
  createdAt: number
  updatedAt: number
}

/** GET /v1/console/orders?q=&account=&provider=&state=&from=&to=&before=&limit= (newest first; `next` pages on). */
export interface ConsoleOrderPage {
  orders: ConsoleOrder[]
  /** Pass as `before` for the next page; null at the end. */
  next: string | null
}

/** GET /v1/console/orders/:orderNo */
export interface ConsoleOrderDetail {
  order: ConsoleOrder & { item: unknown }
  transitions: { from: string; to: string; cause: string; at: number }[]
  notifications: { provider: string; eventId: string | null; type: string; outcome: string; at: number }[]
  transfers: { id: string; kind: string; debit: string; credit: string; amount: Money; at: number }[]
  refunds: { refundKey: string; amount: Money; state: string; reason: string; at: number }[]
}

export interface ConsoleAccountSummary {
  accountId: string
  walletCurrency: string
  /** Devices enrolled and not revoked. */
  devices: number
  /** The plan in force now, or null. */
  plan: { planCode: string; period: string; endsAt: number | null } | null
  createdAt: number | null
}

/** GET /v1/console/accounts?q=&before=&limit= */
export interface ConsoleAccountPage {
  accounts: ConsoleAccountSummary[]
  next: string | null
}

/** GET /v1/console/accounts/:accountId */
export interface ConsoleAccountDetail {
  account: ConsoleAccountSummary
  identities: { kind: string; subject: string }[]
  devices: { deviceId: string; name: string; enrolledAt: number; revokedAt: number | null }[]
  grants: { grantId: string; source: string; planCode: string; period: string; startsAt: number; endsAt: number | null; status: string }[]
  /** Ledger balances of the account's own ledger accounts (wallet, promotion credit, debt), by kind. */
  balances: { kind: string; balance: Money }[]
  /** The account's latest ledger transfers, newest first. */
  transfers: { id: string; kind: string; amount: Money; sourceId: string; at: number }[]
  orders: ConsoleOrder[]
}

/** GET /v1/console/fapiao?status=requested|issued|refused */
export interface ConsoleFapiaoList {
  requests: {
    invoiceNumber: string
    accountId: string
    status: 'requested' | 'issued' | 'refused'
    requestedAt: number
    decidedAt: number | null
    fapiaoNumber: string | null
    reason: string | null
    total: Money
    title: string | null
  }[]
  /** The cursor of the next page (`after`), null at the end. */
  next: string | null
}

/** A redemption's state: reserved by an open order → consumed when paid | released; consumed → returned by a full refund. */
export type RedemptionState = 'reserved' | 'consumed' | 'released' | 'returned'

/** GET /v1/console/coupons/:couponId/redemptions */
export interface ConsoleRedemptions {
  redemptions: { redemptionId: string; accountId: string; orderNo: string | null; code: string | null; state: RedemptionState; discount: Money; at: number }[]
  /** The cursor of the next page (`before`), null at the end. */
  next: string | null
}

/** GET /v1/console/catalog/versions (newest first) */
export interface ConsoleCatalogVersions {
  versions: { version: number; effectiveFrom: number; publishedAt: number; inForce: boolean; document: unknown }[]
}

/** POST /v1/console/catalog/preview {document, effectiveFrom}: what a publish would change, for whom. */
export interface ConsoleCatalogPreview {
  effectiveFrom: number
  /**
   * Per plan and period (`field` 'plan': added, before null, or dropped, after null; else a plan
   * field or `limits.<key>`); document-wide rules (rechargeRules, featurePrices, paymentMethods,
   * taxRate, rechargeBonuses, reminders) with planCode '' and period null.
   */
  changes: { planCode: string; period: string | null; field: string; before: unknown; after: unknown }[]
  /** Accounts whose next renewal or purchase the changes reach, by plan. */
  affected: { planCode: string; activeSubscriptions: number }[]
}

/**
 * GET /v1/console/reports/tax?from=&to= : VAT the invoices booked, per currency and rate. An
 * invoice counts in the range it was issued in, a credit note in the range it was issued in (the
 * tax it gives back lowers the month of the credit note, never the invoice's month).
 */
export interface ConsoleTaxReport {
  from: number
  to: number
  timeZone: string
  /**
   * Per (currency, rate, booked). invoices / gross / tax / net: the invoice lines issued in the
   * range (gross VAT included, net = gross − tax); creditNotes / credited / creditedTax: the
   * credit notes issued in the range on invoices at that rate; payable = tax − creditedTax.
   * booked: whether the ledger books the VAT as tax payable (plan lines); a recharge's invoice
   * prints its VAT but books none (the money stays a wallet liability), so its row is false.
   */
  rows: {
    currency: string
    rate: string
    invoices: number
    gross: number
    tax: number
    net: number
    credited: number
    creditedTax: number
    booked: boolean
    creditNotes: number
    payable: number
  }[]
  /** currency → the booked rows' payable: over all time, the tax payable account's posted balance. */
  payable: Record<string, number>
}

/** GET /v1/console/reports/statement?bucket=month|year&period=2026-12 : the monthly or annual financial report. */
export interface ConsoleStatement {
  bucket: 'month' | 'year'
  period: string
  from: number
  to: number
  timeZone: string
  /** Per currency: revenue lines, refunds, discounts, tax, money in by provider, wallet liability at the end. */
  currencies: Record<
    string,
    {
      gross: number
      discounts: number
      refunds: number
      promotions: number
      net: number
      tax: number
      providers: Record<string, number>
      walletLiability: { wallets: number; promotionCredit: number }
      mrrAtEnd: number
    }
  >
}

/** GET /v1/console/reconciliation → { runs }: one bill imported. */
export interface ReconciliationRun {
  id: string
  provider: string
  periodFrom: number
  periodTo: number
  lines: number
  differences: number
  importedAt: number
  importedBy: string
}

/** GET /v1/console/reconciliation/runs/:runId → { differences }: one line of a bill that differs from the books. */
export interface ReconciliationDifference {
  id: string
  runId: string
  provider: string
  kind: string
  orderNo: string
  refundId: string | null
  billAmount: number | null
  relayAmount: number | null
  line: number | null
  resolvedAt: number | null
  resolvedBy: string | null
  resolution: string | null
}

/** One line of the append-only audit log: who did what, when, from where, before and after. */
export interface AuditEntry {
  id: string
  at: number
  /** Null for the command line (`relay -- operator add`). */
  operatorId: string | null
  /** The operator's email, or "cli". */
  actor: string
  action: string
  target: string | null
  address: string | null
  /** JSON of the state before and after, when the action changes one. */
  before: string | null
  after: string | null
}
