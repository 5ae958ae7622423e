import type { Currency } from '../../shared/money'
import type { CatalogVersionRow, FapiaoRow, GrantRow, LedgerAccountRow, LedgerTransferRow, OrderRow, Awaitable } from './ports'
import type { RedemptionRow } from './coupons'

// What the operator console's screens read across accounts (src/relay/console/reads): searches and
// pages of orders and accounts, an order's trail, an account's books. Reads only; every list is
// bounded by a limit, and pages are keyset cursors (newest first), never offsets.

/** A keyset position: the last row of the previous page (created_at, then its unique key). */
export interface Keyset {
  at: number
  key: string
}

export interface OrderSearch {
  /** An order number prefix (upper case), matched by range on the unique order number. */
  orderNoPrefix?: string
  /** A provider payment id, matched exactly (either of the two matches). */
  paymentId?: string
  accountId?: string
  provider?: string
  state?: string
  /** created_at ≥ from. */
  from?: number
  /** created_at < to. */
  to?: number
  /** Orders before this position (created_at, order_no), newest first. */
  before?: Keyset
  limit: number
}

export interface AccountListRow {
  id: string
  walletCurrency: Currency
  createdAt: number
  devices: number
}

export interface AccountSearch {
  /** An account id prefix. */
  idPrefix?: string
  /** These account ids (an identity's), besides the prefix's. */
  ids?: string[]
  before?: Keyset
  limit: number
}

export interface FapiaoListRow extends FapiaoRow {
  total: number
  currency: Currency
  /** The invoice's buyer (billing details when issued) as JSON, else the account's billing details now. */
  buyer: string | null
}

/**
 * A position in the fapiao queue (the last row of the previous page): the waiting requests come
 * first, oldest first (`at` = requested at), then the decided ones, newest decision first (`at` =
 * decided at); ties by invoice number.
 */
export interface FapiaoKeyset {
  decided: boolean
  at: number
  invoiceNumber: string
}

export interface FapiaoSearch {
  status?: FapiaoRow['status']
  after?: FapiaoKeyset
  limit: number
}

export interface ConsoleReadsRepo {
  orders(q: OrderSearch): Awaitable<OrderRow[]>
  transitions(orderId: string): Awaitable<{ from: string; to: string; cause: string; at: number }[]>
  notificationsOf(orderNo: string): Awaitable<{ provider: string; eventId: string | null; eventType: string | null; outcome: string; at: number }[]>
  /**
   * The transfers that belong to an order: its own (payment, discount, bonus: source = order id),
   * its provider refunds' (`provider:refundId`), its invoice's VAT and its credit notes' reversals.
   */
  transfersOfOrder(orderId: string, orderNo: string): Awaitable<LedgerTransferRow[]>
  accounts(q: AccountSearch): Awaitable<AccountListRow[]>
  /** Grants of these accounts running at `at` and active. */
  runningGrants(accountIds: string[], at: number): Awaitable<GrantRow[]>
  /** Every grant of the account, newest start first. */
  grantsOf(accountId: string): Awaitable<GrantRow[]>
  /** The account's own ledger accounts (wallet, promotion credit, debt…). */
  ledgerAccountsOf(accountId: string): Awaitable<LedgerAccountRow[]>
  /** The account's transfers, newest first. */
  transfersOf(accountId: string, limit: number): Awaitable<LedgerTransferRow[]>
  /** Fapiao requests of one status, or all, in queue order (FapiaoKeyset), after a position. */
  fapiao(q: FapiaoSearch): Awaitable<FapiaoListRow[]>
  /** A coupon's redemptions, newest first (created_at, then id), before a position, with the order number they discounted. */
  redemptions(couponId: string, q: { before?: Keyset; limit: number }): Awaitable<(RedemptionRow & { order_no: string | null })[]>
  /** Every published catalog version, newest first. */
  catalogVersions(limit: number): Awaitable<CatalogVersionRow[]>
}
