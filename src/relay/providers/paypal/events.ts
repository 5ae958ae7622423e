import type { Money } from '../../../shared/money'
import { NotificationRejected, type ProviderEvent } from '../types'
import { moneyOf, type PaypalAmount } from './orders'

// Maps a verified PayPal webhook event to the relay's normalised events.
// eventId is PayPal's event id (WH-…): redeliveries of one event keep it, and PayPal sends
// one PAYMENT.CAPTURE.REFUNDED per refund, whose resource is that refund (its own amount).

interface PaypalWebhookEvent {
  id?: unknown
  event_type?: unknown
  create_time?: unknown
  resource?: Record<string, unknown>
}

interface Resource {
  id?: string
  status?: string
  amount?: PaypalAmount
  custom_id?: string
  status_details?: { reason?: string }
  purchase_units?: Array<{ reference_id?: string; custom_id?: string; amount?: PaypalAmount }>
  links?: Array<{ href?: string; rel?: string }>
}

/** Finds the order number of a refunded capture when the refund resource has no custom_id. */
export type CaptureOrderNoLookup = (captureId: string) => Promise<string | undefined>

function amountOf(a: PaypalAmount | undefined): Money {
  try {
    return moneyOf(a)
  } catch {
    throw new NotificationRejected('malformed', 'amount is not a supported value and currency_code')
  }
}

function need<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null || value === '') throw new NotificationRejected('malformed', `${what} missing`)
  return value
}

/** The capture a refund belongs to, from its `up` link (only the id is used: no URL is followed). */
function refundedCaptureId(refund: Resource): string | undefined {
  const up = refund.links?.find((l) => l.rel === 'up')?.href
  return up ? /\/v2\/payments\/captures\/([A-Za-z0-9-]+)\/?$/.exec(up)?.[1] : undefined
}

export async function mapPaypalEvent(raw: unknown, lookup: CaptureOrderNoLookup): Promise<ProviderEvent[]> {
  const event = (raw ?? {}) as PaypalWebhookEvent
  if (typeof event.id !== 'string' || typeof event.event_type !== 'string' || typeof event.resource !== 'object') {
    throw new NotificationRejected('malformed', 'not a PayPal webhook event')
  }
  const eventId = event.id
  const created = typeof event.create_time === 'string' ? Date.parse(event.create_time) : NaN
  if (Number.isNaN(created)) throw new NotificationRejected('malformed', 'create_time missing')
  const r = event.resource as Resource
  switch (event.event_type) {
    case 'CHECKOUT.ORDER.APPROVED': {
      const unit = need(r.purchase_units?.[0], 'purchase unit')
      return [
        {
          type: 'payment.approved',
          eventId,
          orderNo: need(unit.custom_id ?? unit.reference_id, 'custom_id'),
          providerRef: need(r.id, 'order id'),
          amount: amountOf(unit.amount),
          occurredAt: created
        }
      ]
    }
    case 'PAYMENT.CAPTURE.COMPLETED':
      return [
        {
          type: 'payment.succeeded',
          eventId,
          orderNo: need(r.custom_id, 'custom_id'),
          providerPaymentId: need(r.id, 'capture id'),
          amount: amountOf(r.amount),
          occurredAt: created
        }
      ]
    case 'PAYMENT.CAPTURE.DENIED':
      return [
        {
          type: 'payment.failed',
          eventId,
          orderNo: need(r.custom_id, 'custom_id'),
          reason: r.status_details?.reason ?? 'DENIED',
          occurredAt: created
        }
      ]
    case 'PAYMENT.CAPTURE.REFUNDED': {
      if (r.status !== undefined && r.status !== 'COMPLETED') {
        return [{ type: 'ignored', eventId, reason: `refund status ${r.status}` }]
      }
      let orderNo = r.custom_id
      if (!orderNo) {
        const captureId = refundedCaptureId(r)
        orderNo = captureId ? await lookup(captureId) : undefined
      }
      return [
        {
          type: 'refund.succeeded',
          eventId,
          orderNo: need(orderNo, 'custom_id'),
          // The refund resource's id: what the refund API answered the console (refunds.ts).
          refundId: need(r.id, 'refund id'),
          amount: amountOf(r.amount),
          occurredAt: created
        }
      ]
    }
    default:
      return [{ type: 'ignored', eventId, reason: `unhandled event type ${event.event_type}` }]
  }
}
