import { sql } from 'drizzle-orm'
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

// The relay's own database (migrations/relay, drizzle.relay.config.ts). It is the
// authoritative record per account. Orders, order_transitions and notification_log are the
// audit trail: who (account, device, provider), what, when, why. Rows are never deleted.
// Hot paths use statements prepared once by each store class; drizzle is for the schema.

export const accounts = sqliteTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    label: text('label'),
    createdAt: integer('created_at').notNull(),
    /** Outbox record id of the first-free claim that won; null while unused. */
    firstFreeClaimId: text('first_free_claim_id'),
    firstFreeDeviceId: text('first_free_device_id'),
    /** The wallet's currency; its balance and debt are the ledger's (ledger_accounts). */
    walletCurrency: text('wallet_currency').notNull().default('CNY')
  },
  // The console's account list, newest first (src/relay/console/reads).
  (t) => [index('accounts_created').on(t.createdAt, t.id)]
)

export const devices = sqliteTable(
  'devices',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    /** sha256(token) hex: the token itself is shown once and never stored. */
    tokenHash: text('token_hash').notNull(),
    enrolledAt: integer('enrolled_at').notNull(),
    revokedAt: integer('revoked_at')
  },
  (t) => [uniqueIndex('devices_token_hash').on(t.tokenHash), index('devices_account').on(t.accountId)]
)

export const enrolmentCodes = sqliteTable('enrolment_codes', {
  codeHash: text('code_hash').primaryKey(),
  accountId: text('account_id')
    .notNull()
    .references(() => accounts.id),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
  usedAt: integer('used_at'),
  usedByDevice: text('used_by_device')
})

export const orders = sqliteTable(
  'orders',
  {
    id: text('id').primaryKey(),
    orderNo: text('order_no').notNull(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    deviceId: text('device_id').notNull(),
    clientKey: text('client_key').notNull(),
    requestFingerprint: text('request_fingerprint').notNull(),
    provider: text('provider').notNull(),
    itemJson: text('item_json').notNull(),
    subject: text('subject').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    refundedAmount: integer('refunded_amount').notNull().default(0),
    state: text('state').notNull(),
    checkoutJson: text('checkout_json'),
    providerRef: text('provider_ref'),
    providerPaymentId: text('provider_payment_id'),
    /** A coupon's discount (minor units, the order's currency; amount is after it); 0 without one. */
    discountAmount: integer('discount_amount').notNull().default(0),
    /** A recharge's bonus (充值赠送) credited as promotion credit when it is paid; 0 without one. */
    bonusAmount: integer('bonus_amount').notNull().default(0),
    /** The catalog version that priced it (its invoice's tax rate); null for orders made before it was kept. */
    catalogVersion: integer('catalog_version'),
    expiresAt: integer('expires_at').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [
    uniqueIndex('orders_order_no').on(t.orderNo),
    uniqueIndex('orders_client_key').on(t.accountId, t.clientKey),
    index('orders_account').on(t.accountId, t.createdAt),
    // The sweeper's scan: open orders by checkout expiry.
    index('orders_open_expiry').on(t.state, t.expiresAt),
    // The console's order list, newest first, and its search by provider payment id.
    index('orders_created').on(t.createdAt, t.orderNo),
    index('orders_provider_payment').on(t.providerPaymentId)
  ]
)

/** Every state change of an order, with its cause (a provider event id, 'checkout', …). */
export const orderTransitions = sqliteTable(
  'order_transitions',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    fromState: text('from_state').notNull(),
    toState: text('to_state').notNull(),
    cause: text('cause').notNull(),
    at: integer('at').notNull()
  },
  (t) => [index('order_transitions_order').on(t.orderId)]
)

export const refunds = sqliteTable(
  'refunds',
  {
    provider: text('provider').notNull(),
    refundId: text('refund_id').notNull(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    amount: integer('amount').notNull(),
    at: integer('at').notNull()
  },
  (t) => [primaryKey({ columns: [t.provider, t.refundId] })]
)

/** The replay guard: an event id applied once per provider. */
export const providerEvents = sqliteTable(
  'provider_events',
  {
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    orderNo: text('order_no'),
    type: text('type').notNull(),
    appliedAt: integer('applied_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.provider, t.eventId] })]
)

/** Every notification outcome, accepted or not, with the reason (audit; never holds payer data). */
export const notificationLog = sqliteTable(
  'notification_log',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    provider: text('provider').notNull(),
    eventId: text('event_id'),
    eventType: text('event_type'),
    orderNo: text('order_no'),
    outcome: text('outcome').notNull(),
    reason: text('reason'),
    remoteAddress: text('remote_address')
  },
  (t) => [index('notification_log_order').on(t.orderNo)]
)

export const grants = sqliteTable(
  'grants',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    /** What it came from: order (a provider payment), wallet, trial or operator. */
    source: text('source').notNull().default('order'),
    /** The provider order that paid for it; null when the wallet did (purchaseId). */
    orderId: text('order_id').references(() => orders.id),
    /** The device's subscription_purchase outbox record that paid for it from the wallet. */
    purchaseId: text('purchase_id'),
    deviceId: text('device_id'),
    planCode: text('plan_code').notNull(),
    period: text('period').notNull(),
    /** What was paid for it (minor units; null for grants from before prices were kept). */
    priceMinor: integer('price_minor'),
    currency: text('currency'),
    startsAt: integer('starts_at').notNull(),
    endsAt: integer('ends_at'),
    /** Time carried over from the grants it replaced (in endsAt already), and which they were. */
    carriedMs: integer('carried_ms').notNull().default(0),
    carriedFrom: text('carried_from'),
    status: text('status').notNull()
  },
  (t) => [
    index('grants_account').on(t.accountId, t.startsAt),
    uniqueIndex('grants_order').on(t.orderId),
    uniqueIndex('grants_purchase').on(t.accountId, t.purchaseId)
  ]
)

/** The signed per-account feed; seq is the cursor. */
export const feed = sqliteTable(
  'feed',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    type: text('type').notNull(),
    timestamp: integer('timestamp').notNull(),
    payload: text('payload').notNull(),
    signature: text('signature').notNull(),
    keyId: text('key_id').notNull()
  },
  (t) => [
    uniqueIndex('feed_id').on(t.id),
    index('feed_account_seq').on(t.accountId, t.seq),
    // The records still waiting for their signature (feed/signer.ts): a handful, not the feed.
    index('feed_unsigned').on(t.seq).where(sql`signature = ''`)
  ]
)

export const leases = sqliteTable('leases', {
  deviceId: text('device_id')
    .primaryKey()
    .references(() => devices.id),
  feedId: text('feed_id').notNull(),
  planCode: text('plan_code').notNull(),
  debt: integer('debt').notNull(),
  issuedAt: integer('issued_at').notNull(),
  validUntil: integer('valid_until').notNull()
})

/**
 * Each device outbox record, kept by id with a fingerprint: a resend is acknowledged, not reapplied.
 * The table is WITHOUT ROWID (migrations/relay/0003, hand-written: drizzle cannot declare it);
 * a future drizzle migration that rebuilds this table must keep that clause.
 */
export const outboxRecords = sqliteTable(
  'outbox_records',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    id: text('id').notNull(),
    deviceId: text('device_id').notNull(),
    kind: text('kind').notNull(),
    fingerprint: text('fingerprint').notNull(),
    body: text('body').notNull(),
    outcome: text('outcome').notNull(),
    receivedAt: integer('received_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.accountId, t.id] })]
)

/**
 * Trials, once per account and plan code: the first trial_start the relay commits for the pair
 * is the one (record_id, from device_id); every later one is refused (src/relay/outbox).
 */
export const trials = sqliteTable(
  'trials',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    planCode: text('plan_code').notNull(),
    /** The trial_start outbox record that won. */
    recordId: text('record_id').notNull(),
    deviceId: text('device_id').notNull(),
    /** When the device started it (its own clock). */
    startedAt: integer('started_at').notNull(),
    decidedAt: integer('decided_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.accountId, t.planCode] })]
)

/**
 * The double-entry ledger's accounts (src/relay/ledger/chart.ts names them). Posted debits and
 * credits are caches of the transfers; `npm run relay:verify` recomputes them.
 */
export const ledgerAccounts = sqliteTable(
  'ledger_accounts',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    /** The customer account it belongs to; null for the business's own accounts. */
    customerAccountId: text('customer_account_id'),
    currency: text('currency').notNull(),
    debitsPosted: integer('debits_posted').notNull().default(0),
    creditsPosted: integer('credits_posted').notNull().default(0),
    createdAt: integer('created_at').notNull()
  },
  (t) => [index('ledger_accounts_customer').on(t.customerAccountId)]
)

/** Immutable transfers: one amount from a debit account to a credit account, once per id. */
export const ledgerTransfers = sqliteTable(
  'ledger_transfers',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull(),
    kind: text('kind').notNull(),
    debitAccountId: text('debit_account_id')
      .notNull()
      .references(() => ledgerAccounts.id),
    creditAccountId: text('credit_account_id')
      .notNull()
      .references(() => ledgerAccounts.id),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    customerAccountId: text('customer_account_id'),
    /** What it belongs to: an order id, a refund id, an outbox record id. */
    sourceId: text('source_id').notNull(),
    at: integer('at').notNull()
  },
  (t) => [
    uniqueIndex('ledger_transfers_id').on(t.id),
    index('ledger_transfers_source').on(t.sourceId),
    index('ledger_transfers_debit').on(t.debitAccountId),
    index('ledger_transfers_credit').on(t.creditAccountId),
    // An account's latest transfers (the console's account screen).
    index('ledger_transfers_customer').on(t.customerAccountId, t.seq)
  ]
)

/** Named counters (order number sequence). */
export const counters = sqliteTable('counters', {
  name: text('name').primaryKey(),
  value: integer('value').notNull().default(sql`0`)
})

/**
 * The catalog as data (src/relay/catalog): one row per published version, never updated or
 * deleted (triggers in migration 0006 refuse both). `document` is the validated document as
 * JSON (src/shared/catalog/document.ts). The version in force at a time is the highest version
 * whose effective_from is at or before it; publish keeps effective_from ordered like version.
 * Migration 0006 seeds version 1, the built-in defaults, in force from 0.
 */
export const catalogVersions = sqliteTable('catalog_versions', {
  version: integer('version').primaryKey(),
  effectiveFrom: integer('effective_from').notNull(),
  document: text('document').notNull(),
  publishedAt: integer('published_at').notNull()
})

/**
 * Which catalog version each account's feed carries (the `catalog` record appended on that
 * account's first pull after the version came into force). One row per (account, version).
 */
export const catalogDeliveries = sqliteTable(
  'catalog_deliveries',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    version: integer('version')
      .notNull()
      .references(() => catalogVersions.version),
    recordId: text('record_id').notNull(),
    at: integer('at').notNull()
  },
  (t) => [primaryKey({ columns: [t.accountId, t.version] })]
)

/** Durable jobs (src/relay/jobs): enqueued with the fact that causes them, run at least once, their effect at most once. */
export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    /** Unique per kind: enqueueing the same key again is a no-op. */
    key: text('key').notNull(),
    payload: text('payload').notNull(),
    runAt: integer('run_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** pending → running (leased) → done | pending again (retry) | dead (after its last attempt). */
    state: text('state').notNull(),
    leaseOwner: text('lease_owner'),
    leaseUntil: integer('lease_until'),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [uniqueIndex('jobs_kind_key').on(t.kind, t.key), index('jobs_due').on(t.state, t.runAt)]
)

// ── Sign-in (src/relay/auth) ──────────────────────────────────────────────────────────────

/** How a person signs in to an account: an email, a mobile number, or a host app's user id. */
export const accountIdentities = sqliteTable(
  'account_identities',
  {
    /** 'email' | 'sms' | 'host' */
    kind: text('kind').notNull(),
    /** The normalised address or number; for 'host', issuer + NUL + the token's sub. */
    subject: text('subject').notNull(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    createdAt: integer('created_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.kind, t.subject] }), index('account_identities_account').on(t.accountId)]
)

/** One-time codes: only an HMAC of the code and of its target is kept. */
export const signInCodes = sqliteTable(
  'sign_in_codes',
  {
    id: text('id').primaryKey(),
    /** HMAC(kind + target) with the relay's auth secret. */
    targetKey: text('target_key').notNull(),
    codeHash: text('code_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    /** Wrong entries against this code; at the limit the code is dead. */
    attempts: integer('attempts').notNull().default(0),
    usedAt: integer('used_at')
  },
  (t) => [index('sign_in_codes_target').on(t.targetKey, t.createdAt)]
)

/** Per-target counters: codes sent and failures in the current window, and a lockout. */
export const signInTargets = sqliteTable('sign_in_targets', {
  targetKey: text('target_key').primaryKey(),
  windowStart: integer('window_start').notNull(),
  sends: integer('sends').notNull().default(0),
  failures: integer('failures').notNull().default(0),
  lockedUntil: integer('locked_until').notNull().default(0)
})

/** Host sign-in tokens seen (issuer, jti), kept until they expire: a replay is refused. */
export const hostTokenIds = sqliteTable(
  'host_token_ids',
  {
    issuer: text('issuer').notNull(),
    jti: text('jti').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.issuer, t.jti] })]
)

// ── Coupons (src/relay/coupons) ───────────────────────────────────────────────────────────
/**
 * A coupon definition. `redeemed` counts live redemptions (reserved, consumed) and grants; it is
 * raised only by a conditional UPDATE (… WHERE redeemed < total_limit), so limits hold under
 * any concurrency.
 */
export const coupons = sqliteTable('coupons', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** CouponOffSchema JSON: a percent (decimal string) or an amount. */
  offJson: text('off_json').notNull(),
  currency: text('currency').notNull(),
  minimum: integer('minimum'),
  maxDiscount: integer('max_discount'),
  totalLimit: integer('total_limit'),
  perAccountLimit: integer('per_account_limit'),
  firstPurchaseOnly: integer('first_purchase_only').notNull().default(0),
  validFrom: integer('valid_from'),
  validUntil: integer('valid_until'),
  active: integer('active').notNull().default(1),
  /** {plans: 'all' | [{planCode, period?}], recharge: boolean} */
  appliesJson: text('applies_json').notNull(),
  /** CouponDurationSchema JSON. */
  durationJson: text('duration_json').notNull(),
  redeemed: integer('redeemed').notNull().default(0),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull()
})

/** Promotion codes (upper-cased), several per coupon, each with its own limits and expiry. */
export const promotionCodes = sqliteTable(
  'promotion_codes',
  {
    code: text('code').primaryKey(),
    couponId: text('coupon_id')
      .notNull()
      .references(() => coupons.id),
    totalLimit: integer('total_limit'),
    perAccountLimit: integer('per_account_limit'),
    validUntil: integer('valid_until'),
    active: integer('active').notNull().default(1),
    redeemed: integer('redeemed').notNull().default(0),
    createdAt: integer('created_at').notNull()
  },
  (t) => [index('promotion_codes_coupon').on(t.couponId)]
)

/** Live uses per account of a coupon (`coupon:<id>`) or a code (`code:<CODE>`), for the per-account limits. */
export const couponUses = sqliteTable(
  'coupon_uses',
  {
    scope: text('scope').notNull(),
    accountId: text('account_id').notNull(),
    used: integer('used').notNull()
  },
  (t) => [primaryKey({ columns: [t.scope, t.accountId] })]
)

/** One redemption per order or wallet purchase: reserved → consumed | released; consumed → returned. */
export const couponRedemptions = sqliteTable(
  'coupon_redemptions',
  {
    id: text('id').primaryKey(),
    couponId: text('coupon_id').notNull(),
    code: text('code'),
    grantId: text('grant_id'),
    accountId: text('account_id').notNull(),
    orderId: text('order_id'),
    purchaseId: text('purchase_id'),
    state: text('state').notNull(),
    discount: integer('discount').notNull(),
    currency: text('currency').notNull(),
    /** The plan it discounted (null: a recharge), and how many renewals it still discounts (null: every one). */
    planCode: text('plan_code'),
    period: text('period'),
    periodsLeft: integer('periods_left'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [
    index('coupon_redemptions_account').on(t.accountId, t.planCode, t.period),
    uniqueIndex('coupon_redemptions_order').on(t.orderId),
    uniqueIndex('coupon_redemptions_purchase').on(t.accountId, t.purchaseId),
    index('coupon_redemptions_coupon').on(t.couponId, t.createdAt)
  ]
)

/** Account-bound coupons: one grant, used once (available → used; revoked by an operator). */
export const couponGrants = sqliteTable(
  'coupon_grants',
  {
    id: text('id').primaryKey(),
    couponId: text('coupon_id')
      .notNull()
      .references(() => coupons.id),
    accountId: text('account_id').notNull(),
    /** The promotion code it was claimed with (a wallet quote with a code), or null (an operator's grant). */
    code: text('code'),
    state: text('state').notNull(),
    validFrom: integer('valid_from').notNull(),
    validUntil: integer('valid_until'),
    usedBy: text('used_by'),
    /** A renewal's grant: the redemption whose repeating or forever coupon it continues. */
    renewalOf: text('renewal_of'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [index('coupon_grants_account').on(t.accountId), index('coupon_grants_coupon').on(t.couponId, t.state)]
)
// ── Notices and email (src/relay/notifications) ───────────────────────────────────────────

/** Per-account settings the device sets: the language of the relay's emails. */
export const accountSettings = sqliteTable('account_settings', {
  accountId: text('account_id')
    .primaryKey()
    .references(() => accounts.id),
  /** 'zh-CN' | 'en' */
  language: text('language').notNull().default('zh-CN'),
  updatedAt: integer('updated_at').notNull()
})

/** The notices with a feed record of their own (reminders): one per (account, notice id), whoever asks again. Notices riding in their event's record have no row. */
export const notices = sqliteTable(
  'notices',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    /** The key of the event it tells about (NoticeSchema.noticeId). */
    noticeId: text('notice_id').notNull(),
    kind: text('kind').notNull(),
    at: integer('at').notNull()
  },
  (t) => [primaryKey({ columns: [t.accountId, t.noticeId] })]
)

/** Notice kinds an account opted out of by email (an unsubscribe link); the feed record stays. */
export const noticeOptOuts = sqliteTable(
  'notice_opt_outs',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    kind: text('kind').notNull(),
    at: integer('at').notNull()
  },
  (t) => [primaryKey({ columns: [t.accountId, t.kind] })]
)

/** Every notice email handed to the SMTP server: one per (notice, recipient), never a second. */
export const noticeEmails = sqliteTable(
  'notice_emails',
  {
    noticeId: text('notice_id').notNull(),
    recipient: text('recipient').notNull(),
    accountId: text('account_id').notNull(),
    kind: text('kind').notNull(),
    language: text('language').notNull(),
    messageId: text('message_id').notNull(),
    sentAt: integer('sent_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.noticeId, t.recipient] })]
)

/** An account's debt outstanding now (src/relay/reminders/dunning.ts): its grace runs from startedAt. */
export const debtEpisodes = sqliteTable('debt_episodes', {
  accountId: text('account_id')
    .primaryKey()
    .references(() => accounts.id),
  /** The debt record that started it: the key of its notices. */
  debtId: text('debt_id').notNull(),
  /** What made the debt (the outbox record or refund id). */
  sourceId: text('source_id').notNull(),
  startedAt: integer('started_at').notNull(),
  graceEndsAt: integer('grace_ends_at').notNull()
})
// ── Invoices (src/relay/invoices) ─────────────────────────────────────────────────────────

/** 开票信息 per account, as validated by BillingDetailsSchema (JSON). */
export const billingDetails = sqliteTable('billing_details', {
  accountId: text('account_id')
    .primaryKey()
    .references(() => accounts.id),
  details: text('details').notNull(),
  updatedAt: integer('updated_at').notNull()
})

/** The last number used per (series, year): incremented inside the issuing transaction. */
export const documentCounters = sqliteTable(
  'document_counters',
  {
    series: text('series').notNull(),
    year: integer('year').notNull(),
    last: integer('last').notNull()
  },
  (t) => [primaryKey({ columns: [t.series, t.year] })]
)

export const invoices = sqliteTable(
  'invoices',
  {
    number: text('number').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    /** 'order' (orders.order_no) or 'wallet' (a subscription_purchase record id). */
    sourceKind: text('source_kind').notNull(),
    sourceId: text('source_id').notNull(),
    issuedAt: integer('issued_at').notNull(),
    status: text('status').notNull(),
    currency: text('currency').notNull(),
    total: integer('total').notNull(),
    tax: integer('tax').notNull(),
    discount: integer('discount').notNull(),
    credited: integer('credited').notNull().default(0),
    creditedTax: integer('credited_tax').notNull().default(0),
    /** InvoiceLineSchema[] as JSON. */
    lines: text('lines').notNull(),
    /** The buyer's billing details when issued (JSON), or null. */
    buyer: text('buyer'),
    /** Rises with every change of status or credit: a PDF is kept per version. */
    version: integer('version').notNull().default(1),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [uniqueIndex('invoices_source').on(t.sourceKind, t.sourceId), index('invoices_account').on(t.accountId, t.issuedAt)]
)

export const creditNotes = sqliteTable(
  'credit_notes',
  {
    number: text('number').primaryKey(),
    invoiceNumber: text('invoice_number')
      .notNull()
      .references(() => invoices.number),
    accountId: text('account_id').notNull(),
    /** The relay's refund id (provider:refundId): one credit note per refund. */
    refundId: text('refund_id').notNull(),
    issuedAt: integer('issued_at').notNull(),
    currency: text('currency').notNull(),
    amount: integer('amount').notNull(),
    tax: integer('tax').notNull()
  },
  (t) => [uniqueIndex('credit_notes_refund').on(t.refundId), index('credit_notes_invoice').on(t.invoiceNumber), index('credit_notes_account').on(t.accountId)]
)

/** 申请发票: one request per invoice; the operator issues it (number + file) or refuses it. */
export const fapiaoRequests = sqliteTable(
  'fapiao_requests',
  {
    invoiceNumber: text('invoice_number')
      .primaryKey()
      .references(() => invoices.number),
    accountId: text('account_id').notNull(),
    status: text('status').notNull(),
    requestedAt: integer('requested_at').notNull(),
    decidedAt: integer('decided_at'),
    fapiaoNumber: text('fapiao_number'),
    reason: text('reason'),
    /** 'pdf' | 'ofd' */
    fileType: text('file_type'),
    file: blob('file', { mode: 'buffer' })
  },
  (t) => [
    index('fapiao_requests_account').on(t.accountId),
    uniqueIndex('fapiao_requests_fapiao_number').on(t.fapiaoNumber),
    // The fapiao desk's queue by status.
    index('fapiao_requests_status').on(t.status, t.requestedAt)
  ]
)

/** Rendered invoice PDFs, kept per (invoice, language, invoice version). */
export const invoicePdfs = sqliteTable(
  'invoice_pdfs',
  {
    invoiceNumber: text('invoice_number')
      .notNull()
      .references(() => invoices.number),
    lang: text('lang').notNull(),
    version: integer('version').notNull(),
    pdf: blob('pdf', { mode: 'buffer' }).notNull(),
    renderedAt: integer('rendered_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.invoiceNumber, t.lang, t.version] })]
)

/**
 * Operators of the console (src/relay/console): a unique email, a scrypt hash, a role, the
 * lockout counter and the TOTP second factor.
 */
export const operators = sqliteTable('operators', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  role: text('role').notNull(),
  passwordHash: text('password_hash').notNull(),
  totpSecret: text('totp_secret'),
  totpPending: text('totp_pending'),
  totpLastStep: integer('totp_last_step'),
  failedLogins: integer('failed_logins').notNull().default(0),
  lockedUntil: integer('locked_until'),
  disabledAt: integer('disabled_at'),
  createdAt: integer('created_at').notNull()
})

/** Console sessions, by the sha256 of the cookie's token; the CSRF token is kept as a hash too. */
export const operatorSessions = sqliteTable(
  'operator_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    operatorId: text('operator_id')
      .notNull()
      .references(() => operators.id),
    csrfHash: text('csrf_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    address: text('address'),
    userAgent: text('user_agent')
  },
  (t) => [index('operator_sessions_operator').on(t.operatorId)]
)

/** The audit log: append-only (triggers refuse UPDATE and DELETE, migration 0013). */
export const auditLog = sqliteTable(
  'audit_log',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull().unique(),
    at: integer('at').notNull(),
    operatorId: text('operator_id'),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target'),
    address: text('address'),
    before: text('before'),
    after: text('after')
  },
  (t) => [index('audit_log_at').on(t.at)]
)

/**
 * Refunds an operator asked for (src/relay/refunds), by refund key: requested, then the
 * provider's answer (succeeded or pending; failed with its error, retried by the same key).
 * The refund itself is recorded once, in `refunds`, by the answer or the notification, first wins.
 */
export const refundRequests = sqliteTable(
  'refund_requests',
  {
    refundKey: text('refund_key').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    reason: text('reason').notNull(),
    requestedBy: text('requested_by').notNull(),
    state: text('state').notNull(),
    providerRefundId: text('provider_refund_id'),
    error: text('error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull()
  },
  (t) => [index('refund_requests_order').on(t.orderId)]
)

/** Bills imported from a provider (src/relay/reconcile): one row per import. */
export const reconciliationRuns = sqliteTable('reconciliation_runs', {
  id: text('id').primaryKey(),
  provider: text('provider').notNull(),
  periodFrom: integer('period_from').notNull(),
  periodTo: integer('period_to').notNull(),
  lines: integer('lines').notNull(),
  differences: integer('differences').notNull(),
  importedAt: integer('imported_at').notNull(),
  importedBy: text('imported_by').notNull()
})

/** What an import found; an operator resolves each with a reason. */
export const reconciliationDifferences = sqliteTable(
  'reconciliation_differences',
  {
    id: text('id').primaryKey(),
    runId: text('run_id')
      .notNull()
      .references(() => reconciliationRuns.id),
    provider: text('provider').notNull(),
    kind: text('kind').notNull(),
    orderNo: text('order_no').notNull(),
    refundId: text('refund_id'),
    billAmount: integer('bill_amount'),
    relayAmount: integer('relay_amount'),
    line: integer('line'),
    resolvedAt: integer('resolved_at'),
    resolvedBy: text('resolved_by'),
    resolution: text('resolution')
  },
  (t) => [index('reconciliation_differences_run').on(t.runId)]
)
