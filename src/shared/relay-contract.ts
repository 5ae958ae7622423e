import { z } from 'zod'
import { CatalogDocumentSchema } from './catalog'

// The contract between the relay (src/relay) and the app's sync client: HTTP request and
// response bodies, and the signed feed envelope with its record payloads. zod is the single
// source; types come from z.infer. No node imports here: the app's renderer-safe code may
// read it. Signature verification is the Node kernel's (src/node/feed), used by app and relay.

export const RELAY_API_VERSION = 'v1'

// ── Shared pieces (contract-base.ts) ──────────────────────────────────────────────────────
export * from './contract-base'
import {
  BillingPeriodSchema,
  CheckoutItemSchema,
  ClientIdSchema,
  CurrencySchema,
  MoneySchema,
  PlanCodeSchema,
  PlanLimitsSchema,
  ProviderNameSchema
} from './contract-base'
import { CouponGrantSchema } from './billing/coupons'
import { CreditNoteSchema, FapiaoRequestSchema, InvoiceSchema } from './billing/invoices'

/** Every error answer: `{ error: { code, message, details? } }` with a stable code (src/shared/errors.ts). */
export const ErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() })
})
export type ErrorBody = z.infer<typeof ErrorBodySchema>

// ── Enrolment ─────────────────────────────────────────────────────────────────────────────
/** POST /v1/admin/enrolments (Authorization: Bearer <admin token>). Omit accountId for a new account. */
export const CreateEnrolmentRequestSchema = z.strictObject({
  accountId: z.string().min(1).max(64).optional(),
  label: z.string().max(200).optional()
})
export const CreateEnrolmentResponseSchema = z.object({
  accountId: z.string(),
  code: z.string(),
  expiresAt: z.number().int()
})

/** POST /v1/enrol: exchanges a one-time code for a device token (shown once, stored hashed). */
export const EnrolRequestSchema = z.strictObject({
  code: z.string().min(8).max(128),
  deviceName: z.string().min(1).max(100)
})
export const EnrolResponseSchema = z.object({
  accountId: z.string(),
  deviceId: z.string(),
  deviceToken: z.string()
})
export type EnrolResponse = z.infer<typeof EnrolResponseSchema>

// ── Sign-in (src/relay/auth) ──────────────────────────────────────────────────────────────
export const SignInMethodSchema = z.enum(['email', 'sms'])
export type SignInMethod = z.infer<typeof SignInMethodSchema>

/** GET /v1/auth/methods (public): the sign-in methods this relay has switched on. */
export const SignInMethodsResponseSchema = z.object({ methods: z.array(SignInMethodSchema), host: z.boolean() })

/** POST /v1/auth/code: sends a one-time code. The answer is the same for every target. */
export const SignInCodeRequestSchema = z.strictObject({
  method: SignInMethodSchema,
  /** An email address, or a mobile number (E.164; 11 digits starting with 1 count as +86). */
  target: z.string().min(3).max(254)
})
export const SignInCodeResponseSchema = z.object({ sent: z.literal(true), expiresAt: z.number().int() })

/** POST /v1/auth/verify: the code buys this device a token; the account is made when new. */
export const SignInVerifyRequestSchema = z.strictObject({
  method: SignInMethodSchema,
  target: z.string().min(3).max(254),
  code: z.string().regex(/^\d{6}$/, 'a code is 6 digits'),
  deviceName: z.string().min(1).max(100)
})

/** POST /v1/auth/host: a host app's short-lived signed token (JWT) buys this device a token. */
export const HostSignInRequestSchema = z.strictObject({
  token: z.string().min(16).max(8192),
  deviceName: z.string().min(1).max(100)
})

export const SignInResponseSchema = EnrolResponseSchema.extend({ newAccount: z.boolean() })
export type SignInResponse = z.infer<typeof SignInResponseSchema>

/** POST /v1/devices/:deviceId/revoke (a device of the caller's own account, itself included). */
export const RevokeResponseSchema = z.object({ deviceId: z.string(), revokedAt: z.number().int() })

export const DeviceSchema = z.object({
  deviceId: z.string(),
  name: z.string(),
  enrolledAt: z.number().int(),
  revokedAt: z.number().int().nullable()
})
/** GET /v1/account */
export const AccountResponseSchema = z.object({
  accountId: z.string(),
  deviceId: z.string(),
  devices: z.array(DeviceSchema),
  firstFreeUsed: z.boolean(),
  /** bonus: promotion credit (recharge bonuses); absent from relays before it. */
  wallet: z.object({ balance: MoneySchema, debt: MoneySchema, bonus: MoneySchema.optional() })
})

// ── Prices ────────────────────────────────────────────────────────────────────────────────
export const PlanPriceSchema = z.object({
  planCode: PlanCodeSchema,
  period: BillingPeriodSchema,
  price: MoneySchema,
  limits: PlanLimitsSchema
})
export const RechargeRulesSchema = z.object({
  currency: CurrencySchema,
  min: z.number().int().positive(),
  max: z.number().int().positive(),
  presets: z.array(z.number().int().positive())
})
export type RechargeRules = z.infer<typeof RechargeRulesSchema>
/**
 * GET /v1/prices (public): the catalog version in force. `plans` and `recharge` are its
 * summary in the shape older apps read; `catalog` is the whole document (unsigned here: the
 * app gates by the signed `catalog` feed record only).
 */
export const PricesResponseSchema = z.object({
  plans: z.array(PlanPriceSchema),
  recharge: RechargeRulesSchema,
  catalog: z.object({ version: z.number().int(), effectiveFrom: z.number().int(), document: CatalogDocumentSchema }).optional()
})
export type PricesResponse = z.infer<typeof PricesResponseSchema>

// ── Checkouts and orders ──────────────────────────────────────────────────────────────────

/** POST /v1/checkouts with header `Idempotency-Key` (ClientIdSchema). */
export const CreateCheckoutRequestSchema = z.strictObject({
  provider: ProviderNameSchema,
  item: CheckoutItemSchema,
  mode: z.enum(['qr', 'page', 'wap']).optional(),
  returnUrl: z.url().max(2000).optional(),
  cancelUrl: z.url().max(2000).optional(),
  /** A promotion code; the checkout prices exactly as POST /v1/quotes did (src/shared/billing/coupons.ts). */
  code: z.string().trim().min(3).max(40).regex(/^[A-Za-z0-9_-]+$/).transform((s) => s.toUpperCase()).optional()
})
export type CreateCheckoutRequest = z.infer<typeof CreateCheckoutRequestSchema>

export const OrderStateSchema = z.enum([
  'created',
  'pending',
  'paid',
  'partially_refunded',
  'refunded',
  'failed',
  'expired',
  'cancelled'
])
export type OrderState = z.infer<typeof OrderStateSchema>

export const OrderSchema = z.object({
  orderNo: z.string(),
  provider: ProviderNameSchema,
  item: CheckoutItemSchema,
  amount: MoneySchema,
  refunded: MoneySchema,
  /** The coupon's discount (amount is after it); absent without a coupon. */
  discount: MoneySchema.optional(),
  state: OrderStateSchema,
  createdAt: z.number().int(),
  updatedAt: z.number().int()
})
export type OrderDto = z.infer<typeof OrderSchema>

export const CheckoutSchema = z.object({
  kind: z.enum(['qr', 'url']),
  content: z.string(),
  providerRef: z.string().optional(),
  expiresAt: z.number().int()
})
export const CreateCheckoutResponseSchema = z.object({ order: OrderSchema, checkout: CheckoutSchema })
export type CreateCheckoutResponse = z.infer<typeof CreateCheckoutResponseSchema>
/** GET /v1/orders/:orderNo */
export const OrderResponseSchema = z.object({ order: OrderSchema })

// ── Feed: the signed envelope ─────────────────────────────────────────────────────────────
/**
 * One feed record, signed in the Standard Webhooks v1a style (Ed25519):
 *   signed content = `${id}.${timestamp}.${payload}`   (UTF-8)
 *   signature      = "v1a," + base64(ed25519(signed content))
 * `payload` is the exact JSON string that was signed; parse it only after verifying, with
 * FeedPayloadSchema. `timestamp` is seconds since the epoch. `keyId` is not signed (it only
 * picks the pinned key). `cursor` is the record's sequence number as a decimal string; the
 * same number is signed inside the payload (`seq`), and the app stores a cursor only after
 * checking the two are equal and increasing.
 */
export const FeedEnvelopeSchema = z.object({
  id: z.string(),
  timestamp: z.number().int(),
  payload: z.string(),
  signature: z.string().startsWith('v1a,'),
  keyId: z.string(),
  cursor: z.string()
})
export type FeedEnvelope = z.infer<typeof FeedEnvelopeSchema>

export const PaymentConfirmedSchema = z.object({
  orderNo: z.string(),
  provider: ProviderNameSchema,
  providerPaymentId: z.string(),
  item: CheckoutItemSchema,
  amount: MoneySchema,
  paidAt: z.number().int(),
  /** Recharges: promotion credit granted beside the amount (充值赠送), a wallet entry of its own. */
  bonus: MoneySchema.optional(),
  /** The coupon's discount on this order (amount is what was paid, after it). */
  discount: MoneySchema.optional()
})
export const RefundSchema = z.object({
  orderNo: z.string(),
  refundId: z.string(),
  item: CheckoutItemSchema,
  /** This refund. */
  amount: MoneySchema,
  /** All refunds of the order so far, this one included. */
  totalRefunded: MoneySchema,
  orderState: OrderStateSchema,
  refundedAt: z.number().int(),
  /**
   * A recharge's bonus taken back with this refund from promotion credit (its share of the
   * order's bonus). What of that share was already spent comes as a separate wallet_debit of
   * feature BONUS_WITHDRAWAL_FEATURE, which the wallet's cash pays.
   */
  bonusWithdrawn: MoneySchema.optional()
})
/** The feature of the relay's wallet_debit that takes back a bonus already spent (cash pays it, never promotion credit). */
export const BONUS_WITHDRAWAL_FEATURE = 'recharge_bonus'
/** The deviceId of a wallet_debit the relay itself made (no device spent). */
export const RELAY_DEVICE_ID = 'relay'
/**
 * The relay's subscription record (one grant = one paid period, or a run's share of one), whatever
 * paid for it: a provider order (`source` 'order', `orderNo` its order number) or the wallet
 * (`source` 'wallet': a device's subscription_purchase outbox record, `orderNo` = `purchaseId` =
 * that record's id, `deviceId` the device that sent it). The device mirrors it; on conflict the
 * relay's dates win (docs/sync.md, "Plan grants").
 * - 'active': in force from startsAt to endsAt (a plan switch's carried time is in endsAt).
 * - 'replaced': another plan took its place at `endsAt` (its unused time was carried over).
 * - 'revoked': refunded: the grant ends at `endsAt`, and the plan's access (this grant's run of
 *   back-to-back grants) now ends at `accessUntil` (≤ now: ended now) and does not renew; null:
 *   nothing ahead was this order's, access is unchanged.
 * - 'shortened': time carried into this grant at a switch was refunded: its run now ends at
 *   `accessUntil`.
 */
export const SubscriptionGrantSchema = z.object({
  grantId: z.string(),
  orderNo: z.string(),
  source: z.enum(['order', 'wallet', 'trial', 'operator']).default('order'),
  purchaseId: z.string().nullable().default(null),
  deviceId: z.string().nullable().default(null),
  planCode: PlanCodeSchema,
  period: BillingPeriodSchema,
  startsAt: z.number().int(),
  /** null: lifetime. */
  endsAt: z.number().int().nullable(),
  status: z.enum(['active', 'replaced', 'revoked', 'shortened']),
  /** 'revoked' / 'shortened' only: when the plan's access now ends (null: not known, the grant's own end). */
  accessUntil: z.number().int().nullable().default(null)
})
export const EntitlementLeaseSchema = z.object({
  leaseId: z.string(),
  accountId: z.string(),
  deviceId: z.string(),
  planCode: PlanCodeSchema,
  period: BillingPeriodSchema.nullable(),
  limits: PlanLimitsSchema,
  /** The subscription period the lease covers (null end: lifetime / FREE). */
  periodStart: z.number().int(),
  periodEnd: z.number().int().nullable(),
  issuedAt: z.number().int(),
  /** Honour offline until this instant (plus the app's grace period). */
  validUntil: z.number().int(),
  /** Outstanding debt; paid use stops while it is above zero. */
  debt: MoneySchema,
  /**
   * The payment methods a checkout can use now: the catalog's that this relay has switched on
   * (absent in leases from before it was sent: the catalog's apply).
   */
  paymentMethods: z.array(ProviderNameSchema).optional()
})
export type EntitlementLease = z.infer<typeof EntitlementLeaseSchema>
export const DebtSchema = z.object({
  debtId: z.string(),
  /** The outbox record that caused it (or the payment that settled it). */
  sourceId: z.string(),
  reason: z.enum(['overdraft', 'first_free_lost', 'settled']),
  /** This change: positive adds debt, negative settles it. */
  change: MoneySchema,
  /** Debt outstanding after this record. */
  outstanding: MoneySchema
})
/** A device's wallet debit or a relay charge, mirrored so every device of the account converges. */
export const WalletDebitSchema = z.object({
  sourceId: z.string(),
  deviceId: z.string(),
  amount: MoneySchema,
  feature: z.string(),
  /** 'first_free_lost': a first-free claim that lost became this charge. */
  reason: z.enum(['debit', 'first_free_lost']),
  occurredAt: z.number().int()
})
export const FirstFreeDecisionSchema = z.object({
  /** The outbox record id of the claim that won for this account. */
  winningClaimId: z.string(),
  deviceId: z.string(),
  feature: z.string(),
  decidedAt: z.number().int()
})

/**
 * The relay's decision on a device's trial_start: the first trial it commits for an (account,
 * plan code) is confirmed; every later one, from any device or install, is refused and the app
 * that started it ends it. Every device of the account marks that plan's trial as used.
 */
export const TrialDecisionSchema = z.strictObject({
  /** The trial_start outbox record decided. */
  recordId: z.string(),
  planCode: PlanCodeSchema,
  /** The device that sent it. */
  deviceId: z.string(),
  outcome: z.enum(['confirmed', 'refused']),
  decidedAt: z.number().int()
})

/**
 * A catalog version (plans, prices, limits, recharge rules, prices per use, payment methods),
 * the one in force when the account's device pulled. The app keeps the newest valid one and
 * prices and gates by it; compiled defaults (version 1) apply until the first arrives.
 */
export const CatalogRecordSchema = z.strictObject({
  document: CatalogDocumentSchema,
  /** When the relay's operator published it (ms). */
  publishedAt: z.number().int()
})

/**
 * An order that will not be paid through its checkout any more: expired (its checkout passed
 * expiresAt, or the provider closed it) or failed. The app drops its pending checkout. Money
 * that still arrives later is recorded and reported as payment_confirmed as usual.
 */
export const OrderClosedSchema = z.object({
  orderNo: z.string(),
  provider: ProviderNameSchema,
  item: CheckoutItemSchema,
  state: z.enum(['expired', 'failed', 'cancelled']),
  /** 'checkout_expired' (the relay's sweeper) or the provider's cause. */
  reason: z.string(),
  closedAt: z.number().int()
})

/** What a notice is about (issue 18): each kind has its text in the app, in the user's language. */
export const NOTICE_KINDS = [
  'payment_received',
  'recharge_credited',
  'subscription_started',
  'subscription_renewed',
  'subscription_cancelled',
  'subscription_expired',
  'subscription_ending',
  'renewal_short',
  'trial_ending',
  'past_due',
  'refund',
  'invoice_issued',
  'credit_note',
  'fapiao_issued',
  'debt_created'
] as const
export const NoticeKindSchema = z.enum(NOTICE_KINDS)
export type NoticeKind = z.infer<typeof NoticeKindSchema>

/**
 * A notice for the account's devices (and, by the relay's own rules, an email). It carries facts,
 * never text: the app writes the sentence in the user's language from `kind` and `params`.
 * `noticeId` is the key of the event it tells about, so one event is one notice on every device.
 */
export const NoticeSchema = z.strictObject({
  noticeId: z.string().min(1).max(200),
  kind: NoticeKindSchema,
  at: z.number().int(),
  params: z.strictObject({
    orderNo: z.string().optional(),
    amount: MoneySchema.optional(),
    planCode: PlanCodeSchema.optional(),
    period: BillingPeriodSchema.optional(),
    endsAt: z.number().int().optional(),
    daysLeft: z.number().int().nonnegative().optional(),
    shortfall: MoneySchema.optional(),
    invoiceNo: z.string().optional(),
    creditNoteNo: z.string().optional(),
    fapiaoNo: z.string().optional(),
    /** past_due: the day of the grace period (0, 3, 7) */
    graceDay: z.number().int().nonnegative().optional()
  })
})
export type Notice = z.infer<typeof NoticeSchema>

/** The languages of the relay's emails to an account. */
export const NoticeLanguageSchema = z.enum(['zh-CN', 'en'])
/** PUT /v1/account/language (device): the language of the account's emails (zh-CN until set). */
export const AccountLanguageRequestSchema = z.strictObject({ language: NoticeLanguageSchema })

/**
 * Every record's payload: `{ v: 1, seq, type, accountId, data, notice? }`. `seq` is the record's
 * place in the relay's feed (a global sequence, increasing, with gaps: other accounts' records);
 * the envelope's `cursor` must equal it. It is signed with the record, so a relay reply
 * cannot position the app's cursor past records it has not seen. `notice`: the notice the
 * record's event causes (a payment's "付款成功", an invoice's "发票开具"), carried in the same
 * record; a notice with no event record of its own (a reminder) is a 'notice' record. A riding
 * notice this app cannot read (a kind from a newer relay) is dropped, never the record with it.
 */
const RidingNoticeSchema = z.unknown().transform((n) => {
  const parsed = NoticeSchema.safeParse(n)
  return parsed.success ? parsed.data : undefined
})
const feedRecord = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({ v: z.literal(1), seq: z.number().int().positive(), type: z.literal(type), accountId: z.string(), data, notice: RidingNoticeSchema.optional() })

export const FeedPayloadSchema = z.discriminatedUnion('type', [
  feedRecord('payment_confirmed', PaymentConfirmedSchema),
  feedRecord('refund', RefundSchema),
  feedRecord('subscription_grant', SubscriptionGrantSchema),
  feedRecord('entitlement_lease', EntitlementLeaseSchema),
  feedRecord('debt', DebtSchema),
  feedRecord('wallet_debit', WalletDebitSchema),
  feedRecord('first_free', FirstFreeDecisionSchema),
  feedRecord('order_closed', OrderClosedSchema),
  feedRecord('trial_decision', TrialDecisionSchema),
  feedRecord('catalog', CatalogRecordSchema),
  feedRecord('notice', NoticeSchema),
  feedRecord('coupon_grant', CouponGrantSchema),
  feedRecord('invoice', InvoiceSchema),
  feedRecord('credit_note', CreditNoteSchema),
  feedRecord('fapiao', FapiaoRequestSchema)
])
export type FeedPayload = z.infer<typeof FeedPayloadSchema>
export type FeedRecordType = FeedPayload['type']
export type FeedData<T extends FeedRecordType> = Extract<FeedPayload, { type: T }>['data']

/**
 * GET /v1/feed?cursor=<opaque>&limit=<1..500>&nonce=<random>. Omit cursor to start from the
 * beginning. `nonce` (required): fresh random per request; the page signature covers it, so
 * an answer recorded earlier cannot be replayed as this one (its serverTime anchors the app's
 * clock). A request without one is refused (400 INVALID_INPUT at `nonce`).
 */
export const FeedQuerySchema = z.strictObject({
  cursor: z.string().regex(/^\d{1,18}$/).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  nonce: z
    .string({ error: (issue) => (issue.input === undefined ? 'required: a fresh random value per request (16–64 chars of [A-Za-z0-9_-])' : undefined) })
    .regex(/^[A-Za-z0-9_-]{16,64}$/, 'expected 16–64 chars of [A-Za-z0-9_-]')
})

/**
 * The page signature: one Ed25519 signature by the relay's key over feedPageStatement() of
 * the page, so a reader verifies a page once and then each record by hashing its signed bytes
 * (`${id}.${timestamp}.${payload}`, UTF-8) and comparing with `recordHashes` at the same
 * position. The records' own signatures stay in their envelopes for readers of single records.
 */
export const FeedPageSignatureSchema = z.object({
  /** Picks the pinned key; not signed. */
  keyId: z.string(),
  /** sha256 (lowercase hex) of each record's signed bytes, in the order of `records`. */
  recordHashes: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(500),
  /** "v1a," + base64(ed25519(feedPageStatement(...))) */
  signature: z.string().startsWith('v1a,')
})
export type FeedPageSignature = z.infer<typeof FeedPageSignatureSchema>

export const FeedPageSchema = z.object({
  records: z.array(FeedEnvelopeSchema),
  /** Pass back as `cursor`; equals the request's cursor when nothing new. */
  nextCursor: z.string(),
  hasMore: z.boolean(),
  /** The relay's clock (ms) when it answered: the app's anchor against clock tampering. */
  serverTime: z.number().int(),
  /** Absent only from relays older than the page signature, which this app refuses. */
  pageSignature: FeedPageSignatureSchema.optional()
})
export type FeedPage = z.infer<typeof FeedPageSchema>

/**
 * The exact text a page signature signs (UTF-8). JSON of an array of plain values, so it is
 * unambiguous whatever the account id contains. It binds the page to the account that asked,
 * the cursor it asked from (null: from the start), the records in order, the page's
 * nextCursor, hasMore and serverTime, and the request's nonce: a record moved to another page,
 * dropped, added or reordered, or a page replayed for another cursor, account or request, no
 * longer matches.
 */
export function feedPageStatement(p: {
  accountId: string
  cursor: string | null
  recordHashes: readonly string[]
  nextCursor: string
  hasMore: boolean
  serverTime: number
  nonce: string
}): string {
  return JSON.stringify(['relay-feed-page/v2', p.accountId, p.cursor, p.recordHashes, p.nextCursor, p.hasMore, p.serverTime, p.nonce])
}

/** POST /v1/lease: the current lease for the calling device (re-used while fresh). */
export const LeaseResponseSchema = z.object({ lease: FeedEnvelopeSchema, serverTime: z.number().int() })

// ── Outbox ────────────────────────────────────────────────────────────────────────────────
export const OutboxRecordSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    id: ClientIdSchema,
    kind: z.literal('usage'),
    feature: z.string().min(1).max(64),
    quantity: z.number().int().positive().max(1_000_000),
    occurredAt: z.number().int()
  }),
  z.strictObject({
    id: ClientIdSchema,
    kind: z.literal('wallet_debit'),
    amount: MoneySchema,
    feature: z.string().min(1).max(64),
    occurredAt: z.number().int()
  }),
  z.strictObject({
    id: ClientIdSchema,
    kind: z.literal('first_free_claim'),
    feature: z.string().min(1).max(64),
    /** What the use costs when it is not free: charged if the claim loses. */
    price: MoneySchema,
    occurredAt: z.number().int()
  }),
  z.strictObject({
    id: ClientIdSchema,
    kind: z.literal('subscription_purchase'),
    planCode: PlanCodeSchema,
    period: BillingPeriodSchema,
    /** What the device charged its wallet: the price of (planCode, period) in catalogVersion, less `coupon.discount`. */
    price: MoneySchema,
    /** The catalog version the device priced it by (the relay checks the price against it). */
    catalogVersion: z.number().int().positive(),
    /**
     * An account-bound coupon (a coupon_grant record) used for it, offline or online, and the
     * discount the device took. The relay confirms the use once; a refused use is charged at the
     * list price (the difference from the wallet, or as debt), by the same rule as first-free.
     */
    coupon: z.strictObject({ grantId: z.string().min(1).max(128), discount: MoneySchema }).optional(),
    /** subscribe: a new subscription; renew / auto_renew: one more period of the running one. */
    action: z.enum(['subscribe', 'renew', 'auto_renew']),
    /** The period paid as the device counted it (the relay's record may differ and wins). */
    periodStart: z.number().int(),
    periodEnd: z.number().int().nullable(),
    occurredAt: z.number().int()
  }),
  z.strictObject({
    id: ClientIdSchema,
    kind: z.literal('trial_start'),
    planCode: PlanCodeSchema,
    period: BillingPeriodSchema,
    startedAt: z.number().int(),
    /** The end of the trial as started locally (provisional until the relay decides). */
    endsAt: z.number().int()
  })
])
export type OutboxRecord = z.infer<typeof OutboxRecordSchema>

/** POST /v1/outbox */
export const OutboxBatchSchema = z.strictObject({ records: z.array(OutboxRecordSchema).min(1).max(500) })
export type OutboxBatch = z.infer<typeof OutboxBatchSchema>
export const OutboxAckSchema = z.object({
  /** Ids now durable on the relay (including ones accepted before: a resend is harmless). */
  accepted: z.array(z.string()),
  /**
   * Ids refused for good, each with a stable code: IDEMPOTENCY_CONFLICT (the id was used before
   * for different content), CURRENCY_MISMATCH, INVALID_AMOUNT (a debit or first-free price
   * that is not above zero), INVALID_INPUT (a trial_start of the FREE plan, or one that ends
   * before it starts), PRICE_MISMATCH / NOT_SOLD / CATALOG_VERSION (a subscription_purchase whose
   * price is not its catalog version's, of a plan that version does not sell, or priced by a
   * version that was not in force when it was bought). A trial refused because the account used it already is accepted: the
   * refusal is its `trial_decision` feed record.
   */
  rejected: z.array(z.object({ id: z.string(), code: z.string(), message: z.string() }))
})
export type OutboxAck = z.infer<typeof OutboxAckSchema>

export const HealthResponseSchema = z.object({
  status: z.literal('ok'),
  providers: z.array(ProviderNameSchema),
  publicKey: z.string(),
  keyId: z.string(),
  time: z.number().int(),
  /** Feed records not signed yet (the relay signs them while idle, or when first served). */
  signingBacklog: z.number().int().nonnegative().optional(),
  /**
   * Share of the last 10 s the relay's event loop was busy, 0–1: its bound on notifications per
   * second. Near 1, notifications queue and replies slow down.
   */
  eventLoopUtilization: z.number().min(0).max(1).optional()
})
