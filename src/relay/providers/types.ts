import type { ProviderName } from '../../shared/catalog'
import type { Money } from '../../shared/money'

// The one interface every payment provider adapter implements. An adapter owns the
// provider's protocol: building checkouts through the provider's SDK and verifying its
// notifications on the raw body (signature, timestamp window, app/merchant id, decryption).
// It does not know orders: matching the order, amounts, replays and state transitions are
// the relay core's job, done once for all providers.

export type { ProviderName }

export interface CheckoutRequest {
  /** The relay's unique order number; the provider's out_trade_no / client_reference_id. */
  orderNo: string
  /** Computed by the relay from its own price list, never taken from a client. */
  amount: Money
  subject: string
  /** When the checkout stops accepting payment (epoch ms). */
  expiresAt: number
  /** Alipay: 'qr' (precreate), 'page' (PC web), 'wap'; others ignore it. */
  mode?: 'qr' | 'page' | 'wap'
  returnUrl?: string
  cancelUrl?: string
}

export interface Checkout {
  /** 'qr': `content` is drawn as a QR code in the app; 'url': opened in the system browser. */
  kind: 'qr' | 'url'
  content: string
  /** The provider's id for this checkout (Stripe session id, PayPal order id, …). */
  providerRef?: string
  expiresAt: number
}

export interface NotificationInput {
  rawBody: Buffer
  headers: Record<string, string | string[] | undefined>
  receivedAt: number
}

/** A verified notification, normalised. `eventId` is unique per provider (replay key). */
export type ProviderEvent =
  | {
      type: 'payment.succeeded'
      eventId: string
      orderNo: string
      providerPaymentId: string
      amount: Money
      occurredAt: number
    }
  | {
      /** PayPal: the buyer approved; the relay must capture (then a capture event follows). */
      type: 'payment.approved'
      eventId: string
      orderNo: string
      providerRef: string
      amount: Money
      occurredAt: number
    }
  | { type: 'payment.failed'; eventId: string; orderNo: string; reason: string; occurredAt: number }
  | { type: 'checkout.expired'; eventId: string; orderNo: string; occurredAt: number }
  | {
      type: 'refund.succeeded'
      eventId: string
      orderNo: string
      /** Unique among this provider's refunds (not only within the order): each is recorded once by it. */
      refundId: string
      /** This refund's amount; where only `cumulative` is known (Alipay), that total. */
      amount: Money
      /**
       * Total refunded on the order so far, where the provider reports only that (Alipay's
       * refund_fee). When present the core applies `cumulative − already refunded`, so two
       * partial refunds are never summed twice.
       */
      cumulative?: Money
      occurredAt: number
    }
  /**
   * A refund the provider had answered pending has failed or was cancelled (Stripe: status
   * failed / canceled); the money stayed with the merchant. `eventId` is `<refundId>:failed`.
   */
  | { type: 'refund.failed'; eventId: string; orderNo: string; refundId: string; reason: string; occurredAt: number }
  /** Authentic but nothing to do (e.g. a Stripe session completed with payment still pending). */
  | { type: 'ignored'; eventId: string; reason: string }

export type RejectReason =
  | 'missing_signature'
  | 'bad_signature'
  | 'timestamp_out_of_window'
  | 'malformed'
  | 'wrong_merchant'
  | 'decryption_failed'
  | 'untrusted_certificate'

/** Thrown by verifyNotification; the core logs the reason and answers with `reject`. */
export class NotificationRejected extends Error {
  constructor(
    readonly reason: RejectReason,
    detail: string
  ) {
    super(`${reason}: ${detail}`)
    this.name = 'NotificationRejected'
  }
}

/** What the HTTP layer sends back; each provider expects its own shape. */
export interface ProviderReply {
  status: number
  body: string
  contentType: string
}

export interface PaymentProvider {
  readonly name: ProviderName
  createCheckout(req: CheckoutRequest): Promise<Checkout>
  /** Verifies on the raw body and normalises; throws NotificationRejected. */
  verifyNotification(input: NotificationInput): Promise<ProviderEvent[]>
  /** Reply once the effect is durable (Alipay: exactly "success"; WeChat: 204). */
  accepted(): ProviderReply
  /** Reply that makes the provider retry later (WeChat: {"code":"FAIL","message":…}). */
  rejected(message: string, status?: number): ProviderReply
  /**
   * PayPal only: capture an approved order; returns the capture id. `pending`: the capture
   * exists but no money has moved yet (e.g. an eCheck); its completion event pays the order.
   */
  capture?(providerRef: string, orderNo: string): Promise<{ captureId: string; amount: Money; pending?: boolean }>
  /**
   * Refunds part or all of a paid order through the provider's refund API, idempotent by
   * `refundKey` (the same key twice is one refund). Throws a BillingError UNAVAILABLE when the
   * provider cannot be reached or refuses; the refund is then not made.
   */
  refund?(req: RefundRequest): Promise<RefundAnswer>
  /**
   * Alipay and WeChat Pay: the trade bill of one day (`YYYY-MM-DD`, China time) fetched through
   * the provider's bill API, as the CSV text src/relay/reconcile/bills.ts reads. Throws a
   * BillingError UNAVAILABLE when the provider cannot be reached, refuses, or has no bill yet.
   */
  tradeBill?(date: string): Promise<string>
  /**
   * Closes the checkout of an order the customer cancelled, so its QR code or page stops taking
   * money (Stripe: the session expired; Alipay: alipay.trade.close; WeChat Pay: the close API;
   * PayPal: nothing, as the relay captures no cancelled order). Throws when the provider refuses
   * or cannot be reached: the order then stays open (orders/checkouts.ts).
   */
  closeCheckout?(req: { orderNo: string; providerRef: string | null }): Promise<void>
}

export interface RefundRequest {
  orderNo: string
  /** The provider's payment of the order (orders.provider_payment_id). */
  providerPaymentId: string
  refundKey: string
  amount: Money
  /** The order's whole amount (WeChat Pay and Alipay want it beside the refund). */
  orderAmount: Money
  reason: string
}

export interface RefundAnswer {
  /** The provider's refund id: the same one its refund notification names. */
  refundId: string
  /** succeeded: the money is on its way back; pending: the provider's notification will say. */
  status: 'succeeded' | 'pending'
  amount: Money
  /** Total refunded on the order, where the provider answers only that (Alipay). */
  cumulative?: Money
}
