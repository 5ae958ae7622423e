import type Stripe from 'stripe'
import { CURRENCIES, money, type Money } from '../../../shared/money'
import { NotificationRejected, type ProviderEvent } from '../types'

// Maps a verified Stripe event to the relay's normalised events.
//
// Refunds: `charge.refunded` carries the charge's cumulative amount_refunded, and since API
// version 2022-11-15 its refund list is no longer included. So each refund is taken from a
// refund object: `refund.created` / `refund.updated` once its status is `succeeded`, the
// refunds embedded in a `charge.refunded` when an older API version still embeds them, or
// else the charge's refunds listed through the API (an endpoint subscribed to
// `charge.refunded` alone still records every refund). Several of these describe the same
// refund, so a refund's replay key (eventId) is the refund id, not the event id: the core's
// replay check then gives exactly one effect per refund whichever events arrive, in whatever
// order, and a refund listed again by a later `charge.refunded` adds nothing. A refund that
// fails after a pending answer (status failed or canceled, on any of its three events) is a
// `refund.failed` keyed `<refund id>:failed`.

/** What the mapper asks Stripe's API (through the SDK; failures are retryable). */
export interface StripeLookups {
  /** The relay order number of a PaymentIntent (for refunds made outside the relay). */
  orderNoOf(paymentIntentId: string): Promise<string | undefined>
  /** Every refund of a charge, all pages. */
  refundsOf(chargeId: string): Promise<Stripe.Refund[]>
}

function toMoney(amount: number | null | undefined, currency: string | null | undefined): Money {
  const code = (currency ?? '').toUpperCase()
  if (typeof amount !== 'number' || !Object.prototype.hasOwnProperty.call(CURRENCIES, code)) {
    throw new NotificationRejected('malformed', 'amount or currency is not supported')
  }
  return money(amount, code)
}

function idOf(ref: string | { id: string } | null | undefined): string | undefined {
  return typeof ref === 'string' ? ref : (ref?.id ?? undefined)
}

function sessionOrderNo(session: Stripe.Checkout.Session): string {
  const orderNo = session.client_reference_id ?? session.metadata?.['order_no']
  if (!orderNo) throw new NotificationRejected('malformed', `session ${session.id} has no order number`)
  return orderNo
}

async function refundOrderNo(
  refund: Stripe.Refund,
  known: string | undefined,
  lookups: StripeLookups
): Promise<string> {
  const direct = known ?? refund.metadata?.['order_no']
  if (direct) return direct
  const pi = idOf(refund.payment_intent)
  const found = pi ? await lookups.orderNoOf(pi) : undefined
  if (!found) throw new NotificationRejected('malformed', `refund ${refund.id} has no order number`)
  return found
}

function refundEvent(refund: Stripe.Refund, orderNo: string): ProviderEvent {
  return {
    type: 'refund.succeeded',
    eventId: refund.id,
    orderNo,
    refundId: refund.id,
    amount: toMoney(refund.amount, refund.currency),
    occurredAt: refund.created * 1000
  }
}

export async function mapStripeEvent(event: Stripe.Event, lookups: StripeLookups): Promise<ProviderEvent[]> {
  const occurredAt = event.created * 1000
  const eventId = event.id
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      const session = event.data.object
      // A completed session may still await a delayed method (bank debits): fulfil only once paid;
      // async_payment_succeeded follows when it is.
      if (session.payment_status !== 'paid') {
        return [{ type: 'ignored', eventId, reason: `payment_status ${session.payment_status}` }]
      }
      return [
        {
          type: 'payment.succeeded',
          eventId,
          orderNo: sessionOrderNo(session),
          providerPaymentId: idOf(session.payment_intent) ?? session.id,
          amount: toMoney(session.amount_total, session.currency),
          occurredAt
        }
      ]
    }
    case 'checkout.session.async_payment_failed':
      return [
        {
          type: 'payment.failed',
          eventId,
          orderNo: sessionOrderNo(event.data.object),
          reason: 'async_payment_failed',
          occurredAt
        }
      ]
    case 'checkout.session.expired':
      return [{ type: 'checkout.expired', eventId, orderNo: sessionOrderNo(event.data.object), occurredAt }]
    case 'refund.created':
    case 'refund.updated':
    case 'refund.failed': {
      const refund = event.data.object
      if (refund.status === 'failed' || refund.status === 'canceled') {
        const orderNo = await refundOrderNo(refund, undefined, lookups)
        const reason = `${refund.status}${refund.failure_reason ? `: ${refund.failure_reason}` : ''}`
        return [{ type: 'refund.failed', eventId: `${refund.id}:failed`, orderNo, refundId: refund.id, reason, occurredAt }]
      }
      if (refund.status !== 'succeeded') {
        return [{ type: 'ignored', eventId, reason: `refund ${refund.id} status ${refund.status}` }]
      }
      return [refundEvent(refund, await refundOrderNo(refund, undefined, lookups))]
    }
    case 'charge.refunded': {
      const charge = event.data.object
      const embedded = charge.refunds
      const all = embedded && !embedded.has_more ? embedded.data : await lookups.refundsOf(charge.id)
      const refunds = all.filter((r) => r.status === 'succeeded')
      if (refunds.length === 0) return [{ type: 'ignored', eventId, reason: 'no succeeded refund on the charge' }]
      const known = charge.metadata?.['order_no']
      const out: ProviderEvent[] = []
      for (const refund of refunds) out.push(refundEvent(refund, await refundOrderNo(refund, known, lookups)))
      return out
    }
    default:
      return [{ type: 'ignored', eventId, reason: `unhandled event type ${event.type}` }]
  }
}
