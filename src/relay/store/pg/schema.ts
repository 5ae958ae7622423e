import { sql } from 'drizzle-orm'
import { bigint, bigserial, customType, index, integer, pgSequence, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'

// The relay's database on PostgreSQL (migrations/relay-pg, drizzle.relay-pg.config.ts): the same
// tables as the SQLite schema (../sqlite/schema.ts explains each), with money as bigint minor units
// and instants as timestamptz (the repositories convert ms ↔ Date; the domain keeps ms numbers).
// What only PostgreSQL needs: feed_heads (one row per account, locked by each append, so an
// account's records are numbered in commit order across instances) and the sequences.
// Adding a table: declare it here as in the SQLite schema, then `npm run db:generate:relay-pg`.

/** int8 as a JS number: every value here is bounded (MAX_AMOUNT, ms times, counters). */
const int8 = (name: string) => bigint(name, { mode: 'number' })
const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 })
/** Bytes (PDFs, fapiao files): node-postgres hands a Buffer in and out. */
const bytea = customType<{ data: Buffer }>({ dataType: () => 'bytea' })

export const accounts = pgTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    label: text('label'),
    createdAt: at('created_at').notNull(),
    firstFreeClaimId: text('first_free_claim_id'),
    firstFreeDeviceId: text('first_free_device_id'),
    walletCurrency: text('wallet_currency').notNull().default('CNY')
  },
  // The console's account list, newest first; an id prefix by LIKE whatever the collation.
  (t) => [index('accounts_created').on(t.createdAt, t.id), index('accounts_id_pattern').on(t.id.op('text_pattern_ops'))]
)

export const devices = pgTable(
  'devices',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    enrolledAt: at('enrolled_at').notNull(),
    revokedAt: at('revoked_at')
  },
  (t) => [uniqueIndex('devices_token_hash').on(t.tokenHash), index('devices_account').on(t.accountId)]
)

export const enrolmentCodes = pgTable('enrolment_codes', {
  codeHash: text('code_hash').primaryKey(),
  accountId: text('account_id')
    .notNull()
    .references(() => accounts.id),
  createdAt: at('created_at').notNull(),
  expiresAt: at('expires_at').notNull(),
  usedAt: at('used_at'),
  usedByDevice: text('used_by_device')
})

/** Order numbers: nextval never goes back and takes no row lock (instances never wait on it). */
export const orderNoSeq = pgSequence('order_no_seq')

export const orders = pgTable(
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
    amount: int8('amount').notNull(),
    currency: text('currency').notNull(),
    refundedAmount: int8('refunded_amount').notNull().default(0),
    state: text('state').notNull(),
    checkoutJson: text('checkout_json'),
    providerRef: text('provider_ref'),
    providerPaymentId: text('provider_payment_id'),
    /** A coupon's discount (minor units, the order's currency; amount is after it); 0 without one. */
    discountAmount: int8('discount_amount').notNull().default(0),
    /** A recharge's bonus (充值赠送) credited as promotion credit when it is paid; 0 without one. */
    bonusAmount: int8('bonus_amount').notNull().default(0),
    /** The catalog version that priced it (its invoice's tax rate); null for orders made before it was kept. */
    catalogVersion: integer('catalog_version'),
    expiresAt: at('expires_at').notNull(),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull()
  },
  (t) => [
    uniqueIndex('orders_order_no').on(t.orderNo),
    uniqueIndex('orders_client_key').on(t.accountId, t.clientKey),
    index('orders_account').on(t.accountId, t.createdAt),
    index('orders_open_expiry').on(t.state, t.expiresAt),
    // The console's order list, newest first; its search by order number prefix (LIKE, whatever
    // the database's collation) and by provider payment id.
    index('orders_created').on(t.createdAt, t.orderNo),
    index('orders_order_no_pattern').on(t.orderNo.op('text_pattern_ops')),
    index('orders_provider_payment').on(t.providerPaymentId)
  ]
)

export const orderTransitions = pgTable(
  'order_transitions',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    fromState: text('from_state').notNull(),
    toState: text('to_state').notNull(),
    cause: text('cause').notNull(),
    at: at('at').notNull()
  },
  (t) => [index('order_transitions_order').on(t.orderId)]
)

export const refunds = pgTable(
  'refunds',
  {
    provider: text('provider').notNull(),
    refundId: text('refund_id').notNull(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    amount: int8('amount').notNull(),
    at: at('at').notNull()
  },
  (t) => [primaryKey({ columns: [t.provider, t.refundId] })]
)

export const providerEvents = pgTable(
  'provider_events',
  {
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    orderNo: text('order_no'),
    type: text('type').notNull(),
    appliedAt: at('applied_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.provider, t.eventId] })]
)

export const notificationLog = pgTable(
  'notification_log',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    at: at('at').notNull(),
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

export const grants = pgTable(
  'grants',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    source: text('source').notNull().default('order'),
    orderId: text('order_id').references(() => orders.id),
    purchaseId: text('purchase_id'),
    deviceId: text('device_id'),
    planCode: text('plan_code').notNull(),
    period: text('period').notNull(),
    priceMinor: int8('price_minor'),
    currency: text('currency'),
    startsAt: at('starts_at').notNull(),
    endsAt: at('ends_at'),
    /** A duration, not an instant. */
    carriedMs: int8('carried_ms').notNull().default(0),
    carriedFrom: text('carried_from'),
    status: text('status').notNull()
  },
  (t) => [
    index('grants_account').on(t.accountId, t.startsAt),
    uniqueIndex('grants_order').on(t.orderId),
    uniqueIndex('grants_purchase').on(t.accountId, t.purchaseId)
  ]
)

/**
 * Feed numbers: global, unique, taken under the account's feed_heads row lock (repos/feed.ts). One
 * nextval reserves a block of FEED_BLOCK numbers (v … v+63) for the unit that took it, so a unit
 * appending several records to one account pays one round trip for them, not one each.
 */
export const FEED_BLOCK = 64
export const feedSeq = pgSequence('feed_seq', { increment: FEED_BLOCK })

export const feed = pgTable(
  'feed',
  {
    seq: int8('seq').primaryKey(),
    id: text('id').notNull(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    type: text('type').notNull(),
    /** Seconds, as signed in the record (FeedRow.timestamp). */
    timestamp: int8('timestamp').notNull(),
    payload: text('payload').notNull(),
    signature: text('signature').notNull(),
    keyId: text('key_id').notNull()
  },
  (t) => [
    uniqueIndex('feed_id').on(t.id),
    index('feed_account_seq').on(t.accountId, t.seq),
    index('feed_unsigned').on(t.seq).where(sql`signature = ''`)
  ]
)

/** Each account's newest feed number; the append's row lock orders the account's commits. */
export const feedHeads = pgTable('feed_heads', {
  accountId: text('account_id')
    .primaryKey()
    .references(() => accounts.id),
  seq: int8('seq').notNull()
})

export const leases = pgTable('leases', {
  deviceId: text('device_id')
    .primaryKey()
    .references(() => devices.id),
  feedId: text('feed_id').notNull(),
  planCode: text('plan_code').notNull(),
  debt: int8('debt').notNull(),
  issuedAt: at('issued_at').notNull(),
  validUntil: at('valid_until').notNull()
})

export const outboxRecords = pgTable(
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
    receivedAt: at('received_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.accountId, t.id] })]
)

export const trials = pgTable(
  'trials',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    planCode: text('plan_code').notNull(),
    recordId: text('record_id').notNull(),
    deviceId: text('device_id').notNull(),
    /** The device's own clock, any integer it sent (not an instant the relay vouches for). */
    startedAt: int8('started_at').notNull(),
    decidedAt: at('decided_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.accountId, t.planCode] })]
)

export const ledgerAccounts = pgTable(
  'ledger_accounts',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    customerAccountId: text('customer_account_id'),
    currency: text('currency').notNull(),
    debitsPosted: int8('debits_posted').notNull().default(0),
    creditsPosted: int8('credits_posted').notNull().default(0),
    createdAt: at('created_at').notNull()
  },
  (t) => [index('ledger_accounts_customer').on(t.customerAccountId)]
)

/** Immutable (migration 0001's triggers refuse UPDATE and DELETE). */
export const ledgerTransfers = pgTable(
  'ledger_transfers',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    id: text('id').notNull(),
    kind: text('kind').notNull(),
    debitAccountId: text('debit_account_id')
      .notNull()
      .references(() => ledgerAccounts.id),
    creditAccountId: text('credit_account_id')
      .notNull()
      .references(() => ledgerAccounts.id),
    amount: int8('amount').notNull(),
    currency: text('currency').notNull(),
    customerAccountId: text('customer_account_id'),
    sourceId: text('source_id').notNull(),
    at: at('at').notNull()
  },
  (t) => [
    uniqueIndex('ledger_transfers_id').on(t.id),
    index('ledger_transfers_source').on(t.sourceId),
    index('ledger_transfers_debit').on(t.debitAccountId),
    index('ledger_transfers_credit').on(t.creditAccountId),
    index('ledger_transfers_customer').on(t.customerAccountId, t.seq)
  ]
)

/** Named counters (kept for parity with SQLite; order numbers use order_no_seq). */
export const counters = pgTable('counters', {
  name: text('name').primaryKey(),
  value: int8('value').notNull().default(0)
})

/** Immutable; version 1 (the built-in defaults) is seeded by migration 0001. */
export const catalogVersions = pgTable('catalog_versions', {
  version: integer('version').primaryKey(),
  effectiveFrom: at('effective_from').notNull(),
  document: text('document').notNull(),
  publishedAt: at('published_at').notNull()
})

export const catalogDeliveries = pgTable(
  'catalog_deliveries',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    version: integer('version')
      .notNull()
      .references(() => catalogVersions.version),
    recordId: text('record_id').notNull(),
    at: at('at').notNull()
  },
  (t) => [primaryKey({ columns: [t.accountId, t.version] })]
)

export const jobs = pgTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    payload: text('payload').notNull(),
    runAt: at('run_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    state: text('state').notNull(),
    leaseOwner: text('lease_owner'),
    leaseUntil: at('lease_until'),
    lastError: text('last_error'),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull()
  },
  (t) => [uniqueIndex('jobs_kind_key').on(t.kind, t.key), index('jobs_due').on(t.state, t.runAt)]
)

export const accountIdentities = pgTable(
  'account_identities',
  {
    kind: text('kind').notNull(),
    subject: text('subject').notNull(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    createdAt: at('created_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.kind, t.subject] }), index('account_identities_account').on(t.accountId)]
)

export const signInCodes = pgTable(
  'sign_in_codes',
  {
    id: text('id').primaryKey(),
    targetKey: text('target_key').notNull(),
    codeHash: text('code_hash').notNull(),
    createdAt: at('created_at').notNull(),
    expiresAt: at('expires_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    usedAt: at('used_at')
  },
  (t) => [index('sign_in_codes_target').on(t.targetKey, t.createdAt)]
)

export const signInTargets = pgTable('sign_in_targets', {
  targetKey: text('target_key').primaryKey(),
  windowStart: at('window_start').notNull(),
  sends: integer('sends').notNull().default(0),
  failures: integer('failures').notNull().default(0),
  lockedUntil: at('locked_until').notNull()
})

export const hostTokenIds = pgTable(
  'host_token_ids',
  {
    issuer: text('issuer').notNull(),
    jti: text('jti').notNull(),
    expiresAt: at('expires_at').notNull(),
    usedAt: at('used_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.issuer, t.jti] })]
)

// ── Coupons (src/relay/coupons) ───────────────────────────────────────────────────────────
// Flags (active, first_purchase_only) stay integers 0 / 1, as the rows the domain reads (CouponRow).

/** `redeemed` is raised only by a conditional UPDATE (… WHERE redeemed < total_limit). */
export const coupons = pgTable('coupons', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  offJson: text('off_json').notNull(),
  currency: text('currency').notNull(),
  minimum: int8('minimum'),
  maxDiscount: int8('max_discount'),
  totalLimit: integer('total_limit'),
  perAccountLimit: integer('per_account_limit'),
  firstPurchaseOnly: integer('first_purchase_only').notNull().default(0),
  validFrom: at('valid_from'),
  validUntil: at('valid_until'),
  active: integer('active').notNull().default(1),
  appliesJson: text('applies_json').notNull(),
  durationJson: text('duration_json').notNull(),
  redeemed: integer('redeemed').notNull().default(0),
  createdAt: at('created_at').notNull(),
  updatedAt: at('updated_at').notNull()
})

export const promotionCodes = pgTable(
  'promotion_codes',
  {
    code: text('code').primaryKey(),
    couponId: text('coupon_id')
      .notNull()
      .references(() => coupons.id),
    totalLimit: integer('total_limit'),
    perAccountLimit: integer('per_account_limit'),
    validUntil: at('valid_until'),
    active: integer('active').notNull().default(1),
    redeemed: integer('redeemed').notNull().default(0),
    createdAt: at('created_at').notNull()
  },
  (t) => [index('promotion_codes_coupon').on(t.couponId)]
)

export const couponUses = pgTable(
  'coupon_uses',
  {
    scope: text('scope').notNull(),
    accountId: text('account_id').notNull(),
    used: integer('used').notNull()
  },
  (t) => [primaryKey({ columns: [t.scope, t.accountId] })]
)

export const couponRedemptions = pgTable(
  'coupon_redemptions',
  {
    id: text('id').primaryKey(),
    /** Insertion order (SQLite's rowid): `renewable` takes the newest. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    couponId: text('coupon_id').notNull(),
    code: text('code'),
    grantId: text('grant_id'),
    accountId: text('account_id').notNull(),
    orderId: text('order_id'),
    purchaseId: text('purchase_id'),
    state: text('state').notNull(),
    discount: int8('discount').notNull(),
    currency: text('currency').notNull(),
    planCode: text('plan_code'),
    period: text('period'),
    periodsLeft: integer('periods_left'),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull()
  },
  (t) => [
    index('coupon_redemptions_account').on(t.accountId, t.planCode, t.period),
    uniqueIndex('coupon_redemptions_order').on(t.orderId),
    uniqueIndex('coupon_redemptions_purchase').on(t.accountId, t.purchaseId),
    index('coupon_redemptions_coupon').on(t.couponId, t.createdAt)
  ]
)

export const couponGrants = pgTable(
  'coupon_grants',
  {
    id: text('id').primaryKey(),
    couponId: text('coupon_id')
      .notNull()
      .references(() => coupons.id),
    accountId: text('account_id').notNull(),
    code: text('code'),
    state: text('state').notNull(),
    validFrom: at('valid_from').notNull(),
    validUntil: at('valid_until'),
    usedBy: text('used_by'),
    renewalOf: text('renewal_of'),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull()
  },
  (t) => [index('coupon_grants_account').on(t.accountId), index('coupon_grants_coupon').on(t.couponId, t.state)]
)

// ── Notices and email (src/relay/notifications) ───────────────────────────────────────────

export const accountSettings = pgTable('account_settings', {
  accountId: text('account_id')
    .primaryKey()
    .references(() => accounts.id),
  language: text('language').notNull().default('zh-CN'),
  updatedAt: at('updated_at').notNull()
})

export const notices = pgTable(
  'notices',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    noticeId: text('notice_id').notNull(),
    kind: text('kind').notNull(),
    at: at('at').notNull()
  },
  (t) => [primaryKey({ columns: [t.accountId, t.noticeId] })]
)

export const noticeOptOuts = pgTable(
  'notice_opt_outs',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    kind: text('kind').notNull(),
    at: at('at').notNull()
  },
  (t) => [primaryKey({ columns: [t.accountId, t.kind] })]
)

export const noticeEmails = pgTable(
  'notice_emails',
  {
    noticeId: text('notice_id').notNull(),
    recipient: text('recipient').notNull(),
    accountId: text('account_id').notNull(),
    kind: text('kind').notNull(),
    language: text('language').notNull(),
    messageId: text('message_id').notNull(),
    sentAt: at('sent_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.noticeId, t.recipient] })]
)

export const debtEpisodes = pgTable('debt_episodes', {
  accountId: text('account_id')
    .primaryKey()
    .references(() => accounts.id),
  debtId: text('debt_id').notNull(),
  sourceId: text('source_id').notNull(),
  startedAt: at('started_at').notNull(),
  graceEndsAt: at('grace_ends_at').notNull()
})

// ── Invoices (src/relay/invoices) ─────────────────────────────────────────────────────────

export const billingDetails = pgTable('billing_details', {
  accountId: text('account_id')
    .primaryKey()
    .references(() => accounts.id),
  details: text('details').notNull(),
  updatedAt: at('updated_at').notNull()
})

/** The last number per (series, year); the issuer's upsert row-locks it until its commit. */
export const documentCounters = pgTable(
  'document_counters',
  {
    series: text('series').notNull(),
    year: integer('year').notNull(),
    last: integer('last').notNull()
  },
  (t) => [primaryKey({ columns: [t.series, t.year] })]
)

export const invoices = pgTable(
  'invoices',
  {
    number: text('number').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    sourceKind: text('source_kind').notNull(),
    sourceId: text('source_id').notNull(),
    issuedAt: at('issued_at').notNull(),
    status: text('status').notNull(),
    currency: text('currency').notNull(),
    total: int8('total').notNull(),
    tax: int8('tax').notNull(),
    discount: int8('discount').notNull(),
    credited: int8('credited').notNull().default(0),
    creditedTax: int8('credited_tax').notNull().default(0),
    lines: text('lines').notNull(),
    buyer: text('buyer'),
    version: integer('version').notNull().default(1),
    updatedAt: at('updated_at').notNull()
  },
  (t) => [uniqueIndex('invoices_source').on(t.sourceKind, t.sourceId), index('invoices_account').on(t.accountId, t.issuedAt)]
)

export const creditNotes = pgTable(
  'credit_notes',
  {
    number: text('number').primaryKey(),
    invoiceNumber: text('invoice_number')
      .notNull()
      .references(() => invoices.number),
    accountId: text('account_id').notNull(),
    refundId: text('refund_id').notNull(),
    issuedAt: at('issued_at').notNull(),
    currency: text('currency').notNull(),
    amount: int8('amount').notNull(),
    tax: int8('tax').notNull()
  },
  (t) => [
    uniqueIndex('credit_notes_refund').on(t.refundId),
    index('credit_notes_invoice').on(t.invoiceNumber),
    index('credit_notes_account').on(t.accountId)
  ]
)

export const fapiaoRequests = pgTable(
  'fapiao_requests',
  {
    invoiceNumber: text('invoice_number')
      .primaryKey()
      .references(() => invoices.number),
    accountId: text('account_id').notNull(),
    status: text('status').notNull(),
    requestedAt: at('requested_at').notNull(),
    decidedAt: at('decided_at'),
    fapiaoNumber: text('fapiao_number'),
    reason: text('reason'),
    fileType: text('file_type'),
    file: bytea('file')
  },
  (t) => [
    index('fapiao_requests_account').on(t.accountId),
    uniqueIndex('fapiao_requests_fapiao_number').on(t.fapiaoNumber),
    index('fapiao_requests_status').on(t.status, t.requestedAt)
  ]
)

export const invoicePdfs = pgTable(
  'invoice_pdfs',
  {
    invoiceNumber: text('invoice_number')
      .notNull()
      .references(() => invoices.number),
    lang: text('lang').notNull(),
    version: integer('version').notNull(),
    pdf: bytea('pdf').notNull(),
    renderedAt: at('rendered_at').notNull()
  },
  (t) => [primaryKey({ columns: [t.invoiceNumber, t.lang, t.version] })]
)

export const operators = pgTable('operators', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  role: text('role').notNull(),
  passwordHash: text('password_hash').notNull(),
  totpSecret: text('totp_secret'),
  totpPending: text('totp_pending'),
  totpLastStep: int8('totp_last_step'),
  failedLogins: integer('failed_logins').notNull().default(0),
  lockedUntil: at('locked_until'),
  disabledAt: at('disabled_at'),
  createdAt: at('created_at').notNull()
})

export const operatorSessions = pgTable(
  'operator_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    operatorId: text('operator_id')
      .notNull()
      .references(() => operators.id),
    csrfHash: text('csrf_hash').notNull(),
    createdAt: at('created_at').notNull(),
    lastSeenAt: at('last_seen_at').notNull(),
    expiresAt: at('expires_at').notNull(),
    address: text('address'),
    userAgent: text('user_agent')
  },
  (t) => [index('operator_sessions_operator').on(t.operatorId)]
)

/** Append-only (relay_refuse_change triggers, migration 0003). */
export const auditLog = pgTable(
  'audit_log',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    id: text('id').notNull().unique(),
    at: at('at').notNull(),
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

export const refundRequests = pgTable(
  'refund_requests',
  {
    refundKey: text('refund_key').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    amount: int8('amount').notNull(),
    currency: text('currency').notNull(),
    reason: text('reason').notNull(),
    requestedBy: text('requested_by').notNull(),
    state: text('state').notNull(),
    providerRefundId: text('provider_refund_id'),
    error: text('error'),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull()
  },
  (t) => [index('refund_requests_order').on(t.orderId)]
)
/**
 * No rows: every grouped unit (a notification batch, a checkout) takes `LOCK TABLE … IN EXCLUSIVE
 * MODE` on it before its snapshot (unit-of-work.ts), so the group commits of all instances run one
 * after another instead of racing on the rows every payment touches and re-running. Correctness
 * does not rest on it (each unit is still REPEATABLE READ and re-run on a conflict); it is the
 * cross-instance form of the one grouped unit in flight per instance.
 */
export const groupedUnitGate = pgTable('grouped_unit_gate', {
  id: integer('id').primaryKey()
})

export const reconciliationRuns = pgTable('reconciliation_runs', {
  id: text('id').primaryKey(),
  provider: text('provider').notNull(),
  periodFrom: at('period_from').notNull(),
  periodTo: at('period_to').notNull(),
  lines: integer('lines').notNull(),
  differences: integer('differences').notNull(),
  importedAt: at('imported_at').notNull(),
  importedBy: text('imported_by').notNull()
})

export const reconciliationDifferences = pgTable(
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
    billAmount: int8('bill_amount'),
    relayAmount: int8('relay_amount'),
    line: integer('line'),
    resolvedAt: at('resolved_at'),
    resolvedBy: text('resolved_by'),
    resolution: text('resolution')
  },
  (t) => [index('reconciliation_differences_run').on(t.runId)]
)
