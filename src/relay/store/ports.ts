import type { AuditEntry, ReconciliationDifference, ReconciliationRun } from '../../shared/console/api'
import type { Currency } from '../../shared/money'
import type { BillingPeriod, FeedRecordType, OrderState, PlanCode } from '../../shared/relay-contract'
import type { ProviderName } from '../providers/types'
import type { CouponsRepo } from './coupons'
import type { ConsoleReadsRepo } from './console-reads'
import type { OperatorRole } from '../../shared/console/roles'

// What the relay's domain needs from its database, and nothing of how it is stored. Every
// method may answer now or later (Awaitable): the SQLite store answers at once, a networked one
// (PostgreSQL) with a promise; the domain awaits either. Writes happen only inside a unit of work
// (RelayStore.unit), which is one transaction: all of it commits or none does. Inside a unit's
// work, use only its `tx` (and `tx.nested`): a store may run units one at a time, so starting
// another unit or read from inside one waits for itself; and await nothing but the store (no
// provider call, no timer), or every other unit waits too. A store may run a unit's work more than
// once (PostgreSQL runs again a unit that lost a race): only the committed run counts, so work
// changes nothing outside the store.

export type Awaitable<T> = T | Promise<T>

export interface AccountRow {
  id: string
  walletCurrency: Currency
  firstFreeClaimId: string | null
}

export interface DeviceRow {
  id: string
  accountId: string
  name: string
  enrolledAt: number
  revokedAt: number | null
}

export interface AccountsRepo {
  get(accountId: string): Awaitable<AccountRow | undefined>
  insert(accountId: string, label: string | null, now: number): Awaitable<void>
  /** Records the first-free claim unless one is recorded; false when another was first. */
  claimFirstFree(accountId: string, claimId: string, deviceId: string): Awaitable<boolean>
  insertCode(codeHash: string, accountId: string, now: number, expiresAt: number): Awaitable<void>
  code(codeHash: string): Awaitable<{ accountId: string; expiresAt: number; usedAt: number | null } | undefined>
  useCode(codeHash: string, now: number, deviceId: string): Awaitable<void>
  insertDevice(device: Omit<DeviceRow, 'revokedAt'> & { tokenHash: string }): Awaitable<void>
  deviceByToken(tokenHash: string): Awaitable<DeviceRow | undefined>
  device(deviceId: string): Awaitable<DeviceRow | undefined>
  /** Sets revoked_at unless the device is revoked already. */
  revokeDevice(deviceId: string, now: number): Awaitable<void>
  devices(accountId: string): Awaitable<DeviceRow[]>
}

/** An order as stored (snake_case: the columns, also read by tests and tools). */
export interface OrderRow {
  id: string
  order_no: string
  account_id: string
  device_id: string
  client_key: string
  request_fingerprint: string
  provider: ProviderName
  item_json: string
  subject: string
  amount: number
  currency: Currency
  refunded_amount: number
  state: OrderState
  checkout_json: string | null
  provider_ref: string | null
  provider_payment_id: string | null
  /** A coupon's discount (minor units, the order's currency; `amount` is after it); 0 without one. */
  discount_amount: number
  /** A recharge's bonus, credited as promotion credit when paid; 0 without one. */
  bonus_amount: number
  /** The catalog version that priced it (its invoice's tax rate); null for orders made before it was kept. */
  catalog_version: number | null
  expires_at: number
  created_at: number
  updated_at: number
}

export type NewOrder = Pick<
  OrderRow,
  | 'id'
  | 'order_no'
  | 'account_id'
  | 'device_id'
  | 'client_key'
  | 'request_fingerprint'
  | 'provider'
  | 'item_json'
  | 'subject'
  | 'amount'
  | 'currency'
  | 'expires_at'
  | 'created_at'
> &
  Partial<Pick<OrderRow, 'discount_amount' | 'bonus_amount' | 'catalog_version'>>

export interface OrdersRepo {
  byNo(orderNo: string): Awaitable<OrderRow | undefined>
  byKey(accountId: string, clientKey: string): Awaitable<OrderRow | undefined>
  byId(orderId: string): Awaitable<OrderRow | undefined>
  /** The next order sequence number (a counter that never goes back). */
  nextSeq(): Awaitable<number>
  insert(order: NewOrder): Awaitable<void>
  setState(orderId: string, state: OrderState, now: number): Awaitable<void>
  /** Stores the provider's checkout; the provider reference is kept if one is stored. */
  setCheckout(orderId: string, checkoutJson: string, providerRef: string | null, now: number): Awaitable<void>
  setPaid(orderId: string, providerPaymentId: string, now: number): Awaitable<void>
  setRefunded(orderId: string, state: OrderState, refundedTotal: number, now: number): Awaitable<void>
  logTransition(orderId: string, from: OrderState | 'none', to: OrderState, cause: string, at: number): Awaitable<void>
  /** Open (created or pending) orders whose checkout expired by `now`, oldest first. */
  dueToExpire(now: number, limit: number): Awaitable<OrderRow[]>
  /** Moves an order that is still open to expired; false when it moved on meanwhile. */
  expireIfOpen(orderId: string, now: number): Awaitable<boolean>
}

export interface FeedRow {
  seq: number
  id: string
  timestamp: number
  payload: string
  signature: string
  key_id: string
}

/** The stored signature of a record not signed yet (signing is deferred; feed/feed.ts). */
export const UNSIGNED = ''

export interface FeedRepo {
  /**
   * Inserts a record at the account feed's next sequence number: `build` receives the number
   * (the payload carries it) and returns the payload and signature to store. Numbers increase
   * in commit order; a rolled-back record may leave a gap.
   */
  append(
    record: { id: string; accountId: string; type: FeedRecordType; timestamp: number; keyId: string },
    build: (seq: number) => { payload: string; signature: string }
  ): Awaitable<{ seq: number; payload: string; signature: string }>
  since(accountId: string, afterSeq: number, limit: number): Awaitable<FeedRow[]>
  byId(recordId: string): Awaitable<FeedRow | undefined>
  /** The oldest records whose stored signature is UNSIGNED (in a unit: none another unit is signing). */
  unsigned(limit: number): Awaitable<FeedRow[]>
  unsignedCount(): Awaitable<number>
  /** Stores a signature where none is stored yet. */
  storeSignature(seq: number, signature: string, keyId: string): Awaitable<void>
}

export interface OutboxRecordRow {
  accountId: string
  id: string
  deviceId: string
  kind: string
  fingerprint: string
  body: string
  outcome: string
  receivedAt: number
}

export interface OutboxRepo {
  fingerprint(accountId: string, recordId: string): Awaitable<string | undefined>
  insert(row: OutboxRecordRow): Awaitable<void>
  /** Inserts usage records, skipping ids stored already; returns how many were new. */
  insertUsage(
    accountId: string,
    deviceId: string,
    rows: readonly { id: string; fp: string; body: string }[],
    receivedAt: number
  ): Awaitable<number>
}

export interface TrialRow {
  accountId: string
  planCode: PlanCode
  recordId: string
  deviceId: string
  startedAt: number
  decidedAt: number
}

export interface TrialsRepo {
  /** The account's trial of a plan code, if one was decided. */
  get(accountId: string, planCode: PlanCode): Awaitable<TrialRow | undefined>
  /** Records the trial unless one is recorded for (account, plan code); false when another was first. */
  claim(trial: TrialRow): Awaitable<boolean>
  /** Per plan code, trials decided in [from, to) and how many of those accounts paid for that plan since (not refunded). */
  conversion(from: number, to: number): Awaitable<{ planCode: string; trials: number; converted: number }[]>
}

/** One published catalog version (src/relay/catalog). `document` is its JSON. */
export interface CatalogVersionRow {
  version: number
  effectiveFrom: number
  document: string
  publishedAt: number
}

export interface CatalogRepo {
  /** The highest version published (in force or scheduled). */
  latest(): Awaitable<CatalogVersionRow | undefined>
  /** The highest version whose effectiveFrom is at or before `at`. */
  inForce(at: number): Awaitable<CatalogVersionRow | undefined>
  /** Only the number of that version (no document): for callers that keep parsed versions. */
  versionInForce(at: number): Awaitable<number | undefined>
  byVersion(version: number): Awaitable<CatalogVersionRow | undefined>
  /** The lowest version above `version` (the one that superseded it), if any. */
  after(version: number): Awaitable<CatalogVersionRow | undefined>
  /** Inserts a new version; the store refuses an existing version number. */
  insert(row: CatalogVersionRow): Awaitable<void>
  /** Whether the account's feed carries a record of `version`. */
  delivered(accountId: string, version: number): Awaitable<boolean>
  /** Records that it does unless recorded; false when another pull was first. */
  claimDelivery(accountId: string, version: number, recordId: string, at: number): Awaitable<boolean>
}

export interface JobRow {
  id: string
  kind: string
  key: string
  payload: string
  runAt: number
  attempts: number
  state: 'pending' | 'running' | 'done' | 'dead'
  leaseOwner: string | null
  leaseUntil: number | null
  lastError: string | null
  createdAt: number
  updatedAt: number
}

export interface JobsRepo {
  /** Adds a pending job unless one of this kind and key exists; true when it was added. */
  enqueue(job: Pick<JobRow, 'id' | 'kind' | 'key' | 'payload' | 'runAt' | 'createdAt'>): Awaitable<boolean>
  /** As enqueue, for a caller that does not ask whether the job was new (PostgreSQL: a queued write, no round trip). */
  add(job: Pick<JobRow, 'id' | 'kind' | 'key' | 'payload' | 'runAt' | 'createdAt'>): Awaitable<void>
  /**
   * Leases up to `limit` jobs due at `now` to `owner` until `leaseUntil`, in one statement:
   * pending ones whose time has come, and running ones whose lease ran out (their runner died).
   * Each claim counts an attempt.
   */
  claim(now: number, owner: string, leaseUntil: number, limit: number): Awaitable<JobRow[]>
  /** Extends `owner`'s lease to `leaseUntil` if it still holds it (a job about to run); false when it was lost. */
  renew(id: string, owner: string, leaseUntil: number, now: number): Awaitable<boolean>
  /** Done, if `owner` still holds the lease; false when it was lost (another runner took it). */
  finish(id: string, owner: string, now: number): Awaitable<boolean>
  /** A failed attempt, if `owner` still holds it: pending again at `retryAt`, or dead (null). */
  fail(id: string, owner: string, error: string, retryAt: number | null, now: number): Awaitable<boolean>
  byKey(kind: string, key: string): Awaitable<JobRow | undefined>
  /** Dead jobs, newest first (for operators). */
  dead(limit: number): Awaitable<JobRow[]>
  /** Forgets done jobs finished before `before`; returns how many. */
  purgeDone(before: number): Awaitable<number>
}

export interface GrantRow {
  id: string
  account_id: string
  /** What it came from: a provider order, a wallet purchase, a trial, an operator. */
  source: 'order' | 'wallet' | 'trial' | 'operator'
  /** The provider order that paid for it, or null: the wallet did (purchase_id). */
  order_id: string | null
  purchase_id: string | null
  device_id: string | null
  plan_code: PlanCode
  period: BillingPeriod
  /** What was paid (null: a grant from before prices were kept). */
  price_minor: number | null
  currency: string | null
  starts_at: number
  ends_at: number | null
  carried_ms: number
  /** Comma-separated ids of the grants whose unused time was carried into this one. */
  carried_from: string | null
  status: 'active' | 'replaced' | 'revoked'
}

export interface GrantsRepo {
  /** Active grants not ended by `now`, by start. */
  active(accountId: string, now: number): Awaitable<GrantRow[]>
  insert(grant: Omit<GrantRow, 'status'>): Awaitable<void>
  byOrder(orderId: string): Awaitable<GrantRow | undefined>
  /** Sets a grant's status and dates (a refund, a switch, a shift of a run). */
  update(grantId: string, patch: { status: GrantRow['status']; startsAt: number; endsAt: number | null; carriedMs?: number }): Awaitable<void>
  /** Every active, ending grant of one plan, by start. */
  ofPlan(accountId: string, planCode: PlanCode): Awaitable<GrantRow[]>
  /** The grants whose carried_from names `grantId`. */
  carriedFrom(accountId: string, grantId: string): Awaitable<GrantRow[]>
  /** Every account's grants running at `at` and not revoked (reports: MRR). */
  runningAt(at: number): Awaitable<GrantRow[]>
}

export interface LeaseRow {
  feedId: string
  planCode: string
  debt: number
  issuedAt: number
  validUntil: number
}

export interface LeasesRepo {
  current(deviceId: string): Awaitable<LeaseRow | undefined>
  put(deviceId: string, lease: LeaseRow): Awaitable<void>
}

export interface NotificationLogRow {
  at: number
  provider: ProviderName
  eventId: string | null
  eventType: string | null
  orderNo: string | null
  outcome: string
  reason: string | null
  remoteAddress: string | null
}

export interface NotificationsRepo {
  /** Whether a provider's event id was remembered (replay memory). */
  seen(provider: ProviderName, eventId: string): Awaitable<boolean>
  remember(provider: ProviderName, eventId: string, orderNo: string | null, type: string, at: number): Awaitable<void>
  refundSeen(provider: ProviderName, refundId: string): Awaitable<boolean>
  insertRefund(provider: ProviderName, refundId: string, orderId: string, amount: number, at: number): Awaitable<void>
  log(row: NotificationLogRow): Awaitable<void>
}

export interface LedgerAccountRow {
  id: string
  kind: string
  customerAccountId: string | null
  currency: Currency
  debitsPosted: number
  creditsPosted: number
}

export interface LedgerTransferRow {
  id: string
  kind: string
  debitAccountId: string
  creditAccountId: string
  amount: number
  currency: Currency
  customerAccountId: string | null
  sourceId: string
  at: number
}

/** Everything relay:verify checks, read at once. */
export interface LedgerSnapshot {
  accounts: LedgerAccountRow[]
  transfers: LedgerTransferRow[]
  /** Orders that were paid (paid, partially or fully refunded). */
  paidOrders: { id: string; orderNo: string; amount: number; refunded: number; currency: Currency }[]
  refunds: { provider: string; refundId: string; orderId: string; amount: number }[]
  /** Grants paid from the wallet: each a device's subscription_purchase record. */
  purchases: { accountId: string; purchaseId: string; amount: number }[]
}

/** What an account is opened with. */
export interface LedgerAccountOpening {
  id: string
  kind: string
  customerAccountId: string | null
  currency: Currency
}

export interface LedgerRepo {
  account(accountId: string): Awaitable<LedgerAccountRow | undefined>
  /**
   * Inserts the transfer (its id must be new) and adds it to both accounts' posted sums, opening
   * either account on first use.
   */
  post(transfer: LedgerTransferRow, accounts: { debit: LedgerAccountOpening; credit: LedgerAccountOpening }): Awaitable<void>
  snapshot(): Awaitable<LedgerSnapshot>
  /** The snapshot without its transfers (relay:verify pages through those: transfersPage). */
  books(): Awaitable<Omit<LedgerSnapshot, 'transfers'>>
  /** Every account (a few per customer and currency): what reports read balances and kinds from. */
  accounts(): Awaitable<LedgerAccountRow[]>
  /** Transfers after `afterSeq` made in [from, until), in posting order, `limit` at most (reports page through them). */
  transfersPage(afterSeq: number, from: number, until: number, limit: number): Awaitable<(LedgerTransferRow & { seq: number })[]>
  /** Per account, what transfers made at or after `at` posted: posted sums less these are the balances as of `at`. */
  postedSince(at: number): Awaitable<{ accountId: string; debits: number; credits: number }[]>
}

export type IdentityKind = 'email' | 'sms' | 'host'

export interface SignInCodeRow {
  id: string
  targetKey: string
  codeHash: string
  createdAt: number
  expiresAt: number
  attempts: number
  usedAt: number | null
}

export interface SignInTargetRow {
  targetKey: string
  windowStart: number
  sends: number
  failures: number
  lockedUntil: number
}

/** Sign-in (src/relay/auth): identities, one-time codes, per-target limits, host token ids. */
export interface SignInRepo {
  accountOf(kind: IdentityKind, subject: string): Awaitable<string | undefined>
  insertIdentity(kind: IdentityKind, subject: string, accountId: string, now: number): Awaitable<void>
  identities(accountId: string): Awaitable<{ kind: IdentityKind; subject: string }[]>
  insertCode(row: Omit<SignInCodeRow, 'attempts' | 'usedAt'>): Awaitable<void>
  /** The newest code of a target that is unused and not expired by `now`. */
  liveCode(targetKey: string, now: number): Awaitable<SignInCodeRow | undefined>
  countAttempt(codeId: string): Awaitable<void>
  /** Marks the code used unless it is; false when another request used it first. */
  useCode(codeId: string, now: number): Awaitable<boolean>
  /** Ends every other live code of the target (a new one replaces them). */
  retireCodes(targetKey: string, now: number): Awaitable<void>
  target(targetKey: string): Awaitable<SignInTargetRow | undefined>
  putTarget(row: SignInTargetRow): Awaitable<void>
  /** Remembers a host token id; false when it was seen before (a replay). */
  rememberHostToken(issuer: string, jti: string, expiresAt: number, now: number): Awaitable<boolean>
  /** Forgets expired host token ids and codes (their replay can no longer pass the expiry check). */
  sweep(now: number): Awaitable<void>
}

/** The language of an account's emails (issue 18): set by a device, zh-CN until then. */
export type NoticeLanguage = 'zh-CN' | 'en'

export interface NoticeEmailRow {
  noticeId: string
  recipient: string
  accountId: string
  kind: string
  language: NoticeLanguage
  messageId: string
  sentAt: number
}

export interface DebtEpisodeRow {
  accountId: string
  debtId: string
  sourceId: string
  startedAt: number
  graceEndsAt: number
}

/** Notices, their emails and the dunning state (src/relay/notifications, src/relay/reminders). */
export interface NoticesRepo {
  /** Records a notice unless (account, notice id) is recorded; false when it was. */
  claim(row: { accountId: string; noticeId: string; kind: string; at: number }): Awaitable<boolean>
  language(accountId: string): Awaitable<NoticeLanguage>
  setLanguage(accountId: string, language: NoticeLanguage, now: number): Awaitable<void>
  optedOut(accountId: string, kind: string): Awaitable<boolean>
  /** Records the opt-out unless recorded; false when it was. */
  optOut(accountId: string, kind: string, now: number): Awaitable<boolean>
  email(noticeId: string, recipient: string): Awaitable<NoticeEmailRow | undefined>
  /** Records a sent email; false when one was recorded for (notice, recipient). */
  recordEmail(row: NoticeEmailRow): Awaitable<boolean>
  episode(accountId: string): Awaitable<DebtEpisodeRow | undefined>
  /** Starts the account's debt episode unless one is open; false when one was. */
  startEpisode(row: DebtEpisodeRow): Awaitable<boolean>
  endEpisode(accountId: string): Awaitable<void>
  /** A wallet purchase's outbox record, as the device sent it (reminders read its action). */
  purchase(accountId: string, purchaseId: string): Awaitable<{ body: string; receivedAt: number } | undefined>
}

/** An invoice as stored (src/relay/invoices); money in minor units of `currency`. */
export interface InvoiceRow {
  number: string
  accountId: string
  sourceKind: 'order' | 'wallet'
  sourceId: string
  issuedAt: number
  status: 'issued' | 'paid' | 'partially_credited' | 'credited' | 'void'
  currency: Currency
  total: number
  tax: number
  discount: number
  credited: number
  creditedTax: number
  /** InvoiceLineSchema[] as JSON. */
  lines: string
  /** BillingDetails as JSON, or null. */
  buyer: string | null
  version: number
  updatedAt: number
}

export interface CreditNoteRow {
  number: string
  invoiceNumber: string
  accountId: string
  refundId: string
  issuedAt: number
  currency: Currency
  amount: number
  tax: number
}

/** A credit note and its invoice's lines (InvoiceRow.lines): the rate and kind it credits. */
export interface CreditNoteWithLines extends CreditNoteRow {
  invoiceLines: string
}

export interface FapiaoRow {
  invoiceNumber: string
  accountId: string
  status: 'requested' | 'issued' | 'refused'
  requestedAt: number
  decidedAt: number | null
  fapiaoNumber: string | null
  reason: string | null
  fileType: 'pdf' | 'ofd' | null
}

/** Invoices, credit notes, their counters, billing details, fapiao requests and kept PDFs. */
export interface InvoicesRepo {
  /**
   * Takes the next number of (series, year) inside the caller's transaction: the counter row is
   * incremented there, so a rollback takes the number back with everything else.
   */
  nextNumber(series: string, year: number): Awaitable<number>
  /** The last number taken per (series, year) (checks and tools). */
  counters(): Awaitable<{ series: string; year: number; last: number }[]>
  insert(row: InvoiceRow): Awaitable<void>
  byNumber(number: string): Awaitable<InvoiceRow | undefined>
  bySource(kind: InvoiceRow['sourceKind'], sourceId: string): Awaitable<InvoiceRow | undefined>
  /** Status and credited sums; the version rises by one. */
  update(number: string, patch: { status: InvoiceRow['status']; credited: number; creditedTax: number }, now: number): Awaitable<void>
  ofAccount(accountId: string): Awaitable<InvoiceRow[]>
  insertCreditNote(row: CreditNoteRow): Awaitable<void>
  creditNoteByRefund(refundId: string): Awaitable<CreditNoteRow | undefined>
  creditNotesOf(accountId: string): Awaitable<CreditNoteRow[]>
  /** Invoices issued in [from, to) with a number above `after` ('' for the first page), by number, at most `limit` (the tax report). */
  issuedIn(from: number, to: number, after: string, limit: number): Awaitable<InvoiceRow[]>
  /** Credit notes issued in [from, to), each with its invoice's lines (their rate), as issuedIn pages. */
  creditNotesIn(from: number, to: number, after: string, limit: number): Awaitable<CreditNoteWithLines[]>
  billingDetails(accountId: string): Awaitable<string | undefined>
  putBillingDetails(accountId: string, details: string, now: number): Awaitable<void>
  fapiao(invoiceNumber: string): Awaitable<FapiaoRow | undefined>
  fapiaoOf(accountId: string): Awaitable<FapiaoRow[]>
  /** The request a fapiao number was issued for, if any (a number is the authority's, unique). */
  fapiaoByNumber(fapiaoNumber: string): Awaitable<FapiaoRow | undefined>
  putFapiao(row: FapiaoRow, file: Buffer | null): Awaitable<void>
  fapiaoFile(invoiceNumber: string): Awaitable<{ fileType: 'pdf' | 'ofd'; file: Buffer } | undefined>
  pdf(invoiceNumber: string, lang: string, version: number): Awaitable<Buffer | undefined>
  /** Keeps a rendered PDF unless one is kept for (invoice, lang, version). */
  putPdf(invoiceNumber: string, lang: string, version: number, pdf: Buffer, now: number): Awaitable<void>
}

/** An operator of the console (src/relay/console). */
export interface OperatorRow {
  id: string
  /** Lower case; unique. */
  email: string
  role: OperatorRole
  /** scrypt$N$r$p$salt$hash (src/relay/console/passwords.ts). */
  passwordHash: string
  /** Base32 TOTP secret in force; null: no second factor. */
  totpSecret: string | null
  /** A secret set up and not yet confirmed by a code. */
  totpPending: string | null
  /** The last TOTP time step accepted: a code is good once. */
  totpLastStep: number | null
  /** Failed logins in a row since the last success or lock. */
  failedLogins: number
  lockedUntil: number | null
  disabledAt: number | null
  createdAt: number
}

export type OperatorPatch = Partial<Pick<OperatorRow, 'role' | 'passwordHash' | 'totpSecret' | 'totpPending' | 'totpLastStep' | 'failedLogins' | 'lockedUntil' | 'disabledAt'>>

/** A console session: only hashes of its cookie token and CSRF token are kept. */
export interface OperatorSessionRow {
  tokenHash: string
  operatorId: string
  csrfHash: string
  createdAt: number
  lastSeenAt: number
  /** The absolute end, whatever the activity. */
  expiresAt: number
  address: string | null
  userAgent: string | null
}

export interface OperatorsRepo {
  /** False when the email is taken. */
  insert(row: OperatorRow): Awaitable<boolean>
  byEmail(email: string): Awaitable<OperatorRow | undefined>
  byId(id: string): Awaitable<OperatorRow | undefined>
  list(): Awaitable<OperatorRow[]>
  update(id: string, patch: OperatorPatch): Awaitable<void>
  insertSession(row: OperatorSessionRow): Awaitable<void>
  session(tokenHash: string): Awaitable<OperatorSessionRow | undefined>
  touchSession(tokenHash: string, lastSeenAt: number): Awaitable<void>
  deleteSession(tokenHash: string): Awaitable<boolean>
  /** Every session of the operator; returns how many there were. */
  deleteSessionsOf(operatorId: string): Awaitable<number>
  /** Sessions idle since before `idleBefore` or past their absolute end at `now`. */
  deleteExpiredSessions(now: number, idleBefore: number): Awaitable<number>
}


// The console reads these rows as they are stored: one shape (src/shared/console/api.ts).
export type { AuditEntry } from '../../shared/console/api'
export type ReconciliationRunRow = ReconciliationRun
export type ReconciliationDifferenceRow = ReconciliationDifference

export interface AuditQuery {
  /** Entries with seq below this (the previous page's last), newest first. */
  beforeSeq?: number
  limit: number
  operatorId?: string
  action?: string
  from?: number
  /** Exclusive. */
  to?: number
}

export interface AuditRepo {
  /** Appends inside the unit that does the action, so the log holds exactly what committed. */
  record(entry: AuditEntry): Awaitable<void>
  list(q: AuditQuery): Awaitable<(AuditEntry & { seq: number })[]>
}

/** A refund an operator asked for (src/relay/refunds), by its refund key. */
export interface RefundRequestRow {
  refundKey: string
  orderId: string
  amount: number
  currency: Currency
  reason: string
  /** The operator's email, or "admin-token". */
  requestedBy: string
  /** requested: the provider is being asked; failed: it refused or could not be reached (the same key retries). */
  state: 'requested' | 'pending' | 'succeeded' | 'failed'
  providerRefundId: string | null
  error: string | null
  createdAt: number
  updatedAt: number
}

export interface RefundRequestsRepo {
  /** False when the key is taken. */
  insert(row: RefundRequestRow): Awaitable<boolean>
  get(refundKey: string): Awaitable<RefundRequestRow | undefined>
  update(refundKey: string, patch: Pick<RefundRequestRow, 'state' | 'providerRefundId' | 'error' | 'updatedAt'>): Awaitable<void>
  ofOrder(orderId: string): Awaitable<RefundRequestRow[]>
}

/** A provider bill imported for reconciliation (src/relay/reconcile). */


export interface ReconciliationRepo {
  /** Paid orders of the provider named in `orderNos` or paid in [from, to): number → amount, and which were paid in the period. */
  paidOrders(provider: string, orderNos: string[], from: number, to: number): Awaitable<{ orderNo: string; amount: number; inPeriod: boolean }[]>
  /** Refunds of the provider named in `refundIds` or made in [from, to). */
  refunds(provider: string, refundIds: string[], from: number, to: number): Awaitable<{ refundId: string; orderNo: string; amount: number; inPeriod: boolean }[]>
  insertRun(row: ReconciliationRunRow): Awaitable<void>
  insertDifference(row: ReconciliationDifferenceRow): Awaitable<void>
  runs(limit: number): Awaitable<ReconciliationRunRow[]>
  differences(runId: string): Awaitable<ReconciliationDifferenceRow[]>
  difference(id: string): Awaitable<ReconciliationDifferenceRow | undefined>
  /** False when it was resolved already. */
  resolve(id: string, by: string, resolution: string, at: number): Awaitable<boolean>
}

/** The repositories, as seen inside one unit of work (or by a read). */
export interface StoreTx {
  readonly accounts: AccountsRepo
  readonly signIn: SignInRepo
  readonly orders: OrdersRepo
  readonly feed: FeedRepo
  readonly outbox: OutboxRepo
  readonly grants: GrantsRepo
  readonly trials: TrialsRepo
  readonly catalog: CatalogRepo
  readonly leases: LeasesRepo
  readonly notifications: NotificationsRepo
  readonly ledger: LedgerRepo
  readonly jobs: JobsRepo
  readonly coupons: CouponsRepo
  readonly notices: NoticesRepo
  readonly invoices: InvoicesRepo
  readonly operators: OperatorsRepo
  readonly audit: AuditRepo
  readonly refundRequests: RefundRequestsRepo
  readonly reconciliation: ReconciliationRepo
  /** The operator console's cross-account searches and trails (reads only). */
  readonly consoleReads: ConsoleReadsRepo
  /** Runs `work` so that, should it throw, only its own writes are undone (a savepoint). */
  nested<T>(work: (tx: StoreTx) => Promise<T>): Promise<T>
  /**
   * A hint, before a batch of notifications: what its payments read first. A store that pays a
   * round trip per read (PostgreSQL) reads it all now, in two round trips, and keeps the answers
   * for the unit (its own writes update or drop them); SQLite, whose reads cost microseconds,
   * ignores it. The answers are the ones the reads would give later in the unit.
   */
  readAhead(hint: ReadAhead): Awaitable<void>
}

export interface ReadAhead {
  /** Provider event ids whose replay memory (`notifications.seen`) the batch asks. */
  events: { provider: ProviderName; eventIds: readonly string[] }[]
  /** Orders the batch reads by number (`orders.byNo`); then each one's account, billing details, */
  orderNos: readonly string[]
  /** … and these ledger accounts of the order's account (`ledger.account`: its wallet's balances). */
  ledgerAccounts: (accountId: string, currency: Currency) => string[]
}

export interface RelayStore {
  /** One transaction: resolves with `work`'s value once committed and on disk. */
  unit<T>(work: (tx: StoreTx) => Promise<T>): Promise<T>
  /**
   * One transaction whose value comes once it is committed, and `durable` once it is on disk:
   * several such commits share one disk flush (group commit). Answer a provider only after
   * `durable`.
   */
  unitGrouped<T>(work: (tx: StoreTx) => Promise<T>): Promise<{ value: T; durable: Promise<void> }>
  /**
   * One transaction that a power cut may take back, for writes recomputed identically when lost
   * (feed signatures): no disk flush is made or waited for, and durable reads do not wait on it.
   */
  unitUnsynced<T>(work: (tx: StoreTx) => Promise<T>): Promise<T>
  /** Reads outside a transaction; with `durable`, only once every commit so far is on disk. */
  read<T>(work: (tx: StoreTx) => Promise<T>, opts?: { durable?: boolean }): Promise<T>
  /** Calls `commit` when a grouped unit made now would get its flush at once. */
  whenSlotFree(commit: () => void): void
  /** Resolves once every commit so far is on disk. */
  whenDurable(): Promise<void>
  close(): Promise<void>
}
