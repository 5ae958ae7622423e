import Stripe from 'stripe'
import type { Clock } from '../../../node/clock'
import { BillingError } from '../../../shared/errors'
import {
  NotificationRejected,
  type Checkout,
  type CheckoutRequest,
  type NotificationInput,
  type PaymentProvider,
  type ProviderEvent,
  type ProviderReply,
  type RefundAnswer,
  type RefundRequest
} from '../types'
import { sessionParams } from './checkout'
import type { StripeConfig, StripeConfigInput } from './config'
import { stripeConfigSchema } from './config'
import { mapStripeEvent } from './events'
import { verifyStripeSignature } from './verify'

export { stripeConfigSchema, stripeConfigFromEnv, STRIPE_ENV } from './config'
export type { StripeConfig, StripeConfigInput } from './config'
export { clampSessionExpiry } from './checkout'

export interface StripeProviderDeps {
  clock: Clock
}

/** Wraps an SDK/API failure so the core sees one typed, retryable error without secrets. */
function unavailable(err: unknown, what: string): BillingError {
  if (err instanceof Stripe.errors.StripeError) {
    return new BillingError('UNAVAILABLE', `stripe ${what} failed: ${err.type}${err.code ? ` ${err.code}` : ''}`, {
      provider: 'stripe',
      statusCode: err.statusCode,
      requestId: err.requestId
    })
  }
  return new BillingError('UNAVAILABLE', `stripe ${what} failed: ${err instanceof Error ? err.message : String(err)}`, {
    provider: 'stripe'
  })
}

function json(status: number, body: unknown): ProviderReply {
  return { status, body: JSON.stringify(body), contentType: 'application/json' }
}

export function createStripeProvider(configInput: StripeConfigInput | StripeConfig, deps: StripeProviderDeps): PaymentProvider {
  const config = stripeConfigSchema.parse(configInput)
  const stripe = new Stripe(config.secretKey, {
    maxNetworkRetries: config.maxNetworkRetries,
    timeout: config.timeoutMs,
    telemetry: false,
    ...(config.apiHost ? { host: config.apiHost } : {}),
    ...(config.apiPort ? { port: config.apiPort } : {}),
    ...(config.apiProtocol ? { protocol: config.apiProtocol } : {})
  })
  const livemode = /^(sk|rk)_live_/.test(config.secretKey)

  async function lookupOrderNo(paymentIntentId: string): Promise<string | undefined> {
    try {
      const pi = await stripe.paymentIntents.retrieve(paymentIntentId)
      return pi.metadata?.['order_no']
    } catch (err) {
      // Not a rejection: the event is authentic, we just could not look it up; the core answers
      // 5xx and Stripe retries.
      throw unavailable(err, 'payment intent lookup')
    }
  }

  async function listChargeRefunds(chargeId: string): Promise<Stripe.Refund[]> {
    try {
      // Auto-pagination: every page, 100 at a time.
      return await stripe.refunds.list({ charge: chargeId, limit: 100 }).autoPagingToArray({ limit: 10_000 })
    } catch (err) {
      throw unavailable(err, 'refund list')
    }
  }

  return {
    name: 'stripe',

    async createCheckout(req: CheckoutRequest): Promise<Checkout> {
      const params = sessionParams(req, config, deps.clock.now())
      let session: Stripe.Checkout.Session
      try {
        session = await stripe.checkout.sessions.create(params)
      } catch (err) {
        throw unavailable(err, 'checkout session create')
      }
      if (!session.url) throw unavailable(new Error(`session ${session.id} has no url`), 'checkout session create')
      return { kind: 'url', content: session.url, providerRef: session.id, expiresAt: session.expires_at * 1000 }
    },

    async verifyNotification(input: NotificationInput): Promise<ProviderEvent[]> {
      const event = verifyStripeSignature(stripe.webhooks, input, config)
      if (event.livemode !== livemode) {
        throw new NotificationRejected('wrong_merchant', `livemode ${event.livemode} event for a ${livemode ? 'live' : 'test'} key`)
      }
      return mapStripeEvent(event, { orderNoOf: lookupOrderNo, refundsOf: listChargeRefunds })
    },

    async refund(req: RefundRequest): Promise<RefundAnswer> {
      let refund: Stripe.Refund
      try {
        refund = await stripe.refunds.create(
          { payment_intent: req.providerPaymentId, amount: req.amount.amount, metadata: { order_no: req.orderNo, refund_key: req.refundKey } },
          { idempotencyKey: req.refundKey }
        )
      } catch (err) {
        throw unavailable(err, 'refund create')
      }
      if (refund.status === 'failed' || refund.status === 'canceled') throw unavailable(new Error(`refund ${refund.id} ${refund.status}`), 'refund create')
      return {
        refundId: refund.id,
        status: refund.status === 'succeeded' ? 'succeeded' : 'pending',
        amount: { amount: refund.amount, currency: req.amount.currency }
      }
    },

    // An open session expired now stops taking money; Stripe refuses one already complete.
    async closeCheckout(req) {
      if (!req.providerRef) throw unavailable(new Error(`order ${req.orderNo} has no session`), 'checkout session expire')
      try {
        await stripe.checkout.sessions.expire(req.providerRef)
      } catch (err) {
        throw unavailable(err, 'checkout session expire')
      }
    },

    accepted: () => json(200, { received: true }),
    rejected: (message: string, status = 400) => json(status, { error: message })
  }
}
