// Tables of the wallet domain (owned by src/main/wallet).
import { sql } from 'drizzle-orm'
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * Ledger accounts with a cached balance (credits − debits), updated in the same transaction
 * as the entries that move it. `last_seq`/`last_hash` name the newest entry that touched the
 * account, so a deleted tail of the hash chain is still detected by verify().
 * Ids read `<kind>:<currency>:<owner>`, e.g. `wallet:CNY:local`, `clearing.alipay:CNY:local`.
 */
export const walletAccounts = sqliteTable(
  'wallet_accounts',
  {
    id: text('id').primaryKey(),
    owner: text('owner').notNull(),
    kind: text('kind').notNull(),
    currency: text('currency').notNull(),
    balance: integer('balance').notNull().default(0),
    lastSeq: integer('last_seq').notNull().default(0),
    lastHash: text('last_hash'),
    createdAt: integer('created_at').notNull()
  },
  (t) => [
    // Last line of defence behind the code's checks: a wallet or holds account never goes
    // below zero, and debt is only ever owed (≤ 0).
    check('wallet_accounts_wallet_nonneg', sql`${t.kind} NOT IN ('wallet', 'holds') OR ${t.balance} >= 0`),
    check('wallet_accounts_debt_nonpos', sql`${t.kind} <> 'debt' OR ${t.balance} <= 0`)
  ]
)

/**
 * Append-only, hash-chained transfers: each row debits one account and credits another.
 * One operation (recharge, settle, refund…) writes one or more legs sharing its idempotency
 * key; leg 0 carries the request fingerprint and the JSON result replayed for that key.
 * System operations (hold expiry) have no key. `seq` is the rowid and the chain order;
 * `created_at` is non-decreasing along seq (a clock moved back records the last time seen).
 */
export const walletEntries = sqliteTable(
  'wallet_entries',
  {
    seq: integer('seq').primaryKey(),
    id: text('id').notNull(),
    opKey: text('op_key'),
    leg: integer('leg').notNull(),
    type: text('type').notNull(),
    owner: text('owner').notNull(),
    debitAccount: text('debit_account')
      .notNull()
      .references(() => walletAccounts.id),
    creditAccount: text('credit_account')
      .notNull()
      .references(() => walletAccounts.id),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    ref: text('ref'),
    feature: text('feature'),
    reason: text('reason'),
    fingerprint: text('fingerprint'),
    result: text('result'),
    createdAt: integer('created_at').notNull(),
    hash: text('hash').notNull()
  },
  (t) => [
    // The hot path (consume, the paid rule) writes three b-tree pages per commit: this
    // table, this key index and the accounts row. Hence no index on `id` (ids come from the
    // IdSource, unique by construction) and no time index: created_at never decreases along
    // seq, so history finds a time window by binary search on the primary key.
    uniqueIndex('wallet_entries_key_uq').on(t.opKey, t.leg),
    // history() by type, for every type but the dense 'consume' (which scans by seq).
    index('wallet_entries_type_idx')
      .on(t.owner, t.currency, t.type)
      .where(sql`type <> 'consume'`),
    check('wallet_entries_amount_pos', sql`${t.amount} > 0`),
    check('wallet_entries_distinct', sql`${t.debitAccount} <> ${t.creditAccount}`)
  ]
)

/**
 * Two-phase reservations. Money sits in the holds account while `status` is 'pending'.
 * `bonus_amount`: the part of `amount` taken from promotion credit (充值赠送), which goes back
 * there (not into the wallet's cash) when the hold releases it.
 */
export const walletHolds = sqliteTable(
  'wallet_holds',
  {
    id: text('id').primaryKey(),
    owner: text('owner').notNull(),
    currency: text('currency').notNull(),
    amount: integer('amount').notNull(),
    bonusAmount: integer('bonus_amount').notNull().default(0),
    feature: text('feature').notNull(),
    reason: text('reason').notNull(),
    status: text('status').notNull(),
    openKey: text('open_key').notNull(),
    closeKey: text('close_key'),
    settledAmount: integer('settled_amount'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    closedAt: integer('closed_at')
  },
  (t) => [
    index('wallet_holds_pending_idx').on(t.status, t.expiresAt),
    check('wallet_holds_amount_pos', sql`${t.amount} > 0`)
  ]
)

/** Confirmed payments credited to the wallet: one row per payment id, so a payment credits once. */
export const walletPayments = sqliteTable('wallet_payments', {
  paymentId: text('payment_id').primaryKey(),
  owner: text('owner').notNull(),
  provider: text('provider').notNull(),
  amount: integer('amount').notNull(),
  currency: text('currency').notNull(),
  refunded: integer('refunded').notNull().default(0),
  opKey: text('op_key').notNull(),
  createdAt: integer('created_at').notNull()
})

/** Refunds of recharges: one row per refund id; `to_debt` is the part the wallet could not cover. */
export const walletRefunds = sqliteTable(
  'wallet_refunds',
  {
    refundId: text('refund_id').primaryKey(),
    paymentId: text('payment_id')
      .notNull()
      .references(() => walletPayments.paymentId),
    amount: integer('amount').notNull(),
    fromWallet: integer('from_wallet').notNull(),
    toDebt: integer('to_debt').notNull(),
    opKey: text('op_key').notNull(),
    createdAt: integer('created_at').notNull()
  },
  (t) => [index('wallet_refunds_payment_idx').on(t.paymentId)]
)

/**
 * First-free is once per account: the primary key is the account id. A claim made here points
 * at its first_free ledger entry; a claim the relay accepted from another device of the account
 * has no entry here and names that device's claim instead (markFirstFreeTakenElsewhere).
 */
export const walletFirstFreeClaims = sqliteTable(
  'wallet_first_free_claims',
  {
    accountId: text('account_id').primaryKey(),
    entryId: text('entry_id'),
    opKey: text('op_key').notNull(),
    feature: text('feature').notNull(),
    price: integer('price').notNull(),
    currency: text('currency').notNull(),
    /** The winning claim's id and device when it was made elsewhere; null for a claim made here. */
    elsewhereClaimId: text('elsewhere_claim_id'),
    elsewhereDeviceId: text('elsewhere_device_id'),
    createdAt: integer('created_at').notNull()
  },
  (t) => [check('wallet_first_free_claims_origin', sql`(${t.entryId} IS NULL) = (${t.elsewhereClaimId} IS NOT NULL)`)]
)
