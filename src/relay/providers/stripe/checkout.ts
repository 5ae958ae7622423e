import type Stripe from 'stripe'
import type { CheckoutRequest } from '../types'

// Stripe accepts a Checkout Session's expires_at only between 30 minutes and 24 hours after
// creation. Its clock and ours differ a little, so keep a minute of margin on both ends.
export const STRIPE_MIN_EXPIRY_SECONDS = 30 * 60 + 60
export const STRIPE_MAX_EXPIRY_SECONDS = 24 * 60 * 60 - 60

/** The session's expiry (epoch seconds): the order's expiry clamped into Stripe's window. */
export function clampSessionExpiry(expiresAtMs: number, nowMs: number): number {
  const now = Math.floor(nowMs / 1000)
  const wanted = Math.floor(expiresAtMs / 1000)
  return Math.min(Math.max(wanted, now + STRIPE_MIN_EXPIRY_SECONDS), now + STRIPE_MAX_EXPIRY_SECONDS)
}

export interface SessionUrls {
  successUrl: string
  cancelUrl: string
}

/**
 * The Checkout Session for one relay order. The order number travels three ways:
 * client_reference_id and metadata on the session (session events), and the PaymentIntent's
 * metadata, which Stripe copies to the charge (refund events arrive on the charge/refund).
 */
export function sessionParams(
  req: CheckoutRequest,
  urls: SessionUrls,
  nowMs: number
): Stripe.Checkout.SessionCreateParams {
  const orderMeta = { order_no: req.orderNo }
  return {
    mode: 'payment',
    client_reference_id: req.orderNo,
    metadata: orderMeta,
    payment_intent_data: { metadata: orderMeta },
    line_items: [
      {
        quantity: 1,
        price_data: {
          currency: req.amount.currency.toLowerCase(),
          // Stripe's unit_amount is in the currency's minor unit, as Money is (JPY: 0 digits).
          unit_amount: req.amount.amount,
          product_data: { name: req.subject }
        }
      }
    ],
    expires_at: clampSessionExpiry(req.expiresAt, nowMs),
    success_url: req.returnUrl ?? urls.successUrl,
    cancel_url: req.cancelUrl ?? urls.cancelUrl
  }
}
