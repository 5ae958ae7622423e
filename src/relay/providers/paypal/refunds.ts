import { BillingError, InvalidInput } from '../../../shared/errors'
import type { RefundAnswer, RefundRequest } from '../types'
import { moneyOf, paypalAmount, type PaypalAmount } from './orders'
import type { PaypalRest } from './rest'

// Payments v2 capture refund. orders.provider_payment_id of a PayPal order is its capture id
// (the pipeline stores what captureOrder returns). The refund key is PayPal-Request-Id, so a
// retried call answers the refund already made. The answer's id is the refund resource's id:
// the same id PAYMENT.CAPTURE.REFUNDED carries as its resource id (events.ts), so the answer
// and the notification record one refund.

interface PaypalRefund {
  id?: string
  status?: string
  amount?: PaypalAmount
  status_details?: { reason?: string }
}

// PayPal's field limits (refund_request: note_to_payer ≤ 255, invoice_id and custom_id ≤ 127).
const NOTE_MAX = 255
const ID_MAX = 127

export async function refundCapture(rest: PaypalRest, req: RefundRequest): Promise<RefundAnswer> {
  const captureId = req.providerPaymentId
  if (!/^[A-Za-z0-9-]{1,64}$/.test(captureId)) throw new InvalidInput('malformed paypal capture id', { captureId })
  const body = {
    amount: paypalAmount(req.amount),
    // custom_id rides on the refund resource: its notification then names the order directly.
    custom_id: req.orderNo.slice(0, ID_MAX),
    invoice_id: req.orderNo.slice(0, ID_MAX),
    ...(req.reason.trim() ? { note_to_payer: req.reason.trim().slice(0, NOTE_MAX) } : {})
  }
  const refund = await rest.request<PaypalRefund>('POST', `/v2/payments/captures/${captureId}/refund`, 'refund', body, {
    'paypal-request-id': req.refundKey,
    // The default (minimal) answer has no amount.
    prefer: 'return=representation'
  })
  if (!refund.id) throw new BillingError('UNAVAILABLE', 'paypal refund answered without a refund id', { provider: 'paypal' })
  if (refund.status !== 'COMPLETED' && refund.status !== 'PENDING') {
    // CANCELLED, FAILED (or anything new): no money moved.
    throw new BillingError('UNAVAILABLE', `paypal refund ${refund.id} is ${refund.status ?? 'without status'}`, {
      provider: 'paypal',
      refundStatus: refund.status,
      reason: refund.status_details?.reason
    })
  }
  let amount = req.amount
  try {
    if (refund.amount) amount = moneyOf(refund.amount)
  } catch {
    throw new BillingError('UNAVAILABLE', `paypal refund ${refund.id} answered an amount the relay cannot read`, { provider: 'paypal' })
  }
  if (amount.amount !== req.amount.amount || amount.currency !== req.amount.currency) {
    // Another refund answered under this key: record nothing rather than the wrong amount.
    throw new BillingError('UNAVAILABLE', `paypal refund ${refund.id} is ${refund.amount!.value} ${refund.amount!.currency_code}, not the amount asked for`, {
      provider: 'paypal'
    })
  }
  return { refundId: refund.id, status: refund.status === 'COMPLETED' ? 'succeeded' : 'pending', amount }
}
