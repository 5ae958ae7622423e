import type { BillingDb } from '../db/open'
import type { Clock } from '../../node/clock'
import type { IdSource } from '../../node/ids'
import type { Currency, Money } from '../../shared/money'
import type { Provider } from './accounts'

/** Minor units in the wallet's currency, or Money (whose currency must be the wallet's). */
export type MoneyInput = Money | number

export interface WalletDeps {
  db: BillingDb
  clock: Clock
  ids: IdSource
  /** The user account this wallet belongs to; first-free is once per account. Default 'local'. */
  accountId?: string
  /** Default 'CNY'. */
  currency?: Currency
  /**
   * Called inside the transaction for wallet debits, settled holds, first-free claims and
   * refunds (the sync outbox writes its rows here). Throwing rolls the operation back.
   */
  onRecord?: (record: WalletRecord) => void
  /** Release holds past their expiry while opening (default true). */
  expireHoldsOnOpen?: boolean
}

/**
 * The operation a ledger row belongs to. Debt repayment legs carry their operation's type.
 * 'align': the split between cash, promotion credit and debt moved to the relay's (Wallet.alignDebt).
 */
export const ENTRY_TYPES = ['recharge', 'consume', 'hold', 'settle', 'void', 'expire', 'first_free', 'refund', 'align'] as const
export type EntryType = (typeof ENTRY_TYPES)[number]

export interface RechargeInput {
  key: string
  paymentId: string
  provider: Provider
  amount: MoneyInput
  /** Promotion credit given with it (充值赠送): spendable after the cash, never refunded as cash. */
  bonus?: MoneyInput
}
export interface RechargeResult {
  entryId: string
  paymentId: string
  provider: Provider
  amount: Money
  /** Promotion credit given with it (zero without a bonus). */
  bonus: Money
  /** Part of the recharge that went to outstanding debt. */
  repaidDebt: Money
  balance: Money
  debt: Money
  at: number
}

export interface ConsumeInput {
  key: string
  amount: MoneyInput
  feature: string
  reason: string
}
export interface ConsumeResult {
  entryId: string
  amount: Money
  feature: string
  reason: string
  balance: Money
  at: number
}

export interface HoldInput {
  key: string
  amount: MoneyInput
  feature: string
  reason: string
  ttlMs: number
}
export interface HoldResult {
  holdId: string
  entryId: string
  amount: Money
  expiresAt: number
  balance: Money
  at: number
}

export interface SettleInput {
  key: string
  holdId: string
  /** Default: the whole hold. Less settles part and returns the remainder to the wallet. */
  amount?: MoneyInput
}
export interface SettleResult {
  holdId: string
  entryId: string
  settled: Money
  released: Money
  balance: Money
  at: number
}

export interface VoidInput {
  key: string
  holdId: string
}
export interface VoidResult {
  holdId: string
  entryId: string
  released: Money
  balance: Money
  at: number
}

export interface ExpiredHold {
  holdId: string
  entryId: string
  released: Money
}

export type HoldStatus = 'pending' | 'settled' | 'voided' | 'expired'
export interface HoldInfo {
  holdId: string
  amount: Money
  feature: string
  reason: string
  status: HoldStatus
  settled: Money | null
  createdAt: number
  expiresAt: number
  closedAt: number | null
}

export interface ChargeInput {
  key: string
  price: MoneyInput
  feature: string
  reason: string
}
export type ChargeOutcome =
  | { outcome: 'paid'; entryId: string; price: Money; balance: Money; at: number }
  | { outcome: 'first_free'; entryId: string; price: Money; balance: Money; at: number }
  | { outcome: 'needs_recharge'; price: Money; shortfall: Money; balance: Money; debt: Money }

export type FirstFreeInput = ChargeInput
export interface FirstFreeResult {
  entryId: string
  price: Money
  balance: Money
  at: number
}

export interface RefundInput {
  key: string
  refundId: string
  paymentId: string
  amount: MoneyInput
}
/** A debit that may exceed the balance: the wallet pays what it holds, the rest becomes debt. */
export interface OverflowingDebitResult {
  entryId: string
  amount: Money
  /** Taken from the wallet balance. */
  fromWallet: Money
  /** Taken from promotion credit (never for a refund, which gives back cash only). */
  fromBonus: Money
  /** What the wallet could not cover, now owed. */
  toDebt: Money
  balance: Money
  debt: Money
  at: number
}
export interface RefundResult extends OverflowingDebitResult {
  refundId: string
  paymentId: string
}

/** A debit made outside this wallet (another device of the account, or a relay charge). */
export interface ExternalDebitInput {
  key: string
  amount: MoneyInput
  /** The device that spent, when known (stored as the entry's ref). */
  deviceId?: string
  feature: string
  reason: string
  /**
   * Whether promotion credit pays what the cash does not (default true: a spend). False for
   * the relay taking back a bonus already spent, which the cash must pay.
   */
  useBonus?: boolean
}

/** The relay took back (part of) a recharge's bonus with its refund: promotion credit first, then the wallet. */
export interface BonusWithdrawalInput {
  key: string
  refundId: string
  amount: MoneyInput
}
export type BonusWithdrawalResult = OverflowingDebitResult

/** The relay's outstanding debt, to align this wallet's split with (nothing of this device unsynced). */
export interface AlignDebtInput {
  debt: MoneyInput | 0
}
export interface AlignDebtResult {
  /** Whether anything moved. */
  moved: boolean
  balance: Money
  bonus: Money
  debt: Money
}
export type ExternalDebitResult = OverflowingDebitResult

/** The relay accepted another device's first-free claim for this account. */
export interface FirstFreeElsewhereInput {
  key: string
  /** The winning claim's id (the other device's outbox record id). */
  claimId: string
  deviceId: string
  feature: string
}
export interface FirstFreeElsewhereResult {
  /** False when this account already had a claim here (this device's own claim stands or lost). */
  recorded: boolean
  claimId: string
  deviceId: string
}

export interface HistoryQuery {
  types?: readonly EntryType[]
  /** Inclusive, epoch ms. */
  from?: number
  /** Exclusive, epoch ms. */
  to?: number
  /** 1..500 */
  limit: number
  /** nextCursor of the previous page. */
  cursor?: string | null
}
export interface HistoryEntry {
  seq: number
  entryId: string
  key: string | null
  leg: number
  type: EntryType
  debitAccount: string
  creditAccount: string
  amount: Money
  /** Signed effect on this wallet's balance, minor units (0 for legs that do not touch it). */
  walletDelta: number
  /** How this row changed promotion credit (0 for most rows). */
  bonusDelta: number
  ref: string | null
  feature: string | null
  reason: string | null
  at: number
}
export interface HistoryPage {
  items: HistoryEntry[]
  nextCursor: string | null
}

/** What the sync outbox needs to report. `id` is the entry id of the operation's first leg. */
export type WalletRecord =
  | {
      kind: 'wallet_debit'
      id: string
      key: string
      accountId: string
      amount: Money
      feature: string
      reason: string
      at: number
    }
  | {
      kind: 'hold_settled'
      id: string
      key: string
      accountId: string
      holdId: string
      settled: Money
      released: Money
      feature: string
      reason: string
      at: number
    }
  | {
      kind: 'first_free_claim'
      id: string
      key: string
      accountId: string
      price: Money
      feature: string
      reason: string
      at: number
    }
  | {
      kind: 'refund'
      id: string
      key: string
      accountId: string
      refundId: string
      paymentId: string
      amount: Money
      fromWallet: Money
      toDebt: Money
      at: number
    }

export type VerifyProblemKind =
  | 'chain'
  | 'checkpoint'
  | 'sequence'
  | 'head'
  | 'entry'
  | 'balance'
  | 'cache'
  | 'sum'
  | 'sign'
  | 'holds'
  | 'claims'
  | 'payments'
export interface VerifyProblem {
  kind: VerifyProblemKind
  message: string
  details?: Record<string, unknown>
}
export interface VerifyReport {
  ok: boolean
  problems: VerifyProblem[]
  entries: number
  accounts: number
  /** The chain's last entry and each account's sum of entries there (a checkpoint's figures). */
  tail: { seq: number; hash: string; count: number; sums: Record<string, number> }
}
