import { BillingError, InvalidInput } from '../../../shared/errors'
import { parseMoney, toMajorString, type Money } from '../../../shared/money'
import type { CheckoutRequest } from '../types'
import { PaypalApiError, type PaypalRest } from './rest'

// Orders v2: create (intent CAPTURE) and capture. Amounts cross as PayPal's decimal strings,
// produced and read by the money module, never through a float.

export interface PaypalAmount {
  currency_code: string
  value: string
}

export interface PaypalCapture {
  id: string
  status: string
  amount?: PaypalAmount
  custom_id?: string
}

export interface PaypalOrder {
  id: string
  status: string
  links?: Array<{ href: string; rel: string; method?: string }>
  purchase_units?: Array<{
    reference_id?: string
    custom_id?: string
    amount?: PaypalAmount
    payments?: { captures?: PaypalCapture[] }
  }>
}

export function paypalAmount(m: Money): PaypalAmount {
  return { currency_code: m.currency, value: toMajorString(m) }
}

export function moneyOf(a: PaypalAmount | undefined): Money {
  if (!a) throw new InvalidInput('paypal amount missing')
  return parseMoney(a.value, a.currency_code)
}

export function orderBody(req: CheckoutRequest, urls: { returnUrl: string; cancelUrl: string }) {
  return {
    intent: 'CAPTURE',
    purchase_units: [
      {
        reference_id: req.orderNo,
        custom_id: req.orderNo,
        invoice_id: req.orderNo,
        description: req.subject.slice(0, 127),
        amount: paypalAmount(req.amount)
      }
    ],
    payment_source: {
      paypal: {
        experience_context: {
          return_url: req.returnUrl ?? urls.returnUrl,
          cancel_url: req.cancelUrl ?? urls.cancelUrl,
          user_action: 'PAY_NOW',
          shipping_preference: 'NO_SHIPPING'
        }
      }
    }
  }
}

export async function createOrder(
  rest: PaypalRest,
  req: CheckoutRequest,
  urls: { returnUrl: string; cancelUrl: string }
): Promise<{ orderId: string; approveUrl: string }> {
  // PayPal-Request-Id makes a retried create return the same order instead of a second one.
  const order = await rest.request<PaypalOrder>('POST', '/v2/checkout/orders', 'order create', orderBody(req, urls), {
    'paypal-request-id': `order-${req.orderNo}`
  })
  // 'payer-action' with payment_source.paypal; 'approve' on the older application_context flow.
  const link = order.links?.find((l) => l.rel === 'payer-action') ?? order.links?.find((l) => l.rel === 'approve')
  if (!order.id || !link) throw new PaypalApiError(200, 'no approve link', undefined, 'order create')
  return { orderId: order.id, approveUrl: link.href }
}

export interface CaptureResult {
  captureId: string
  amount: Money
  /** PENDING: PayPal holds the funds back; PAYMENT.CAPTURE.COMPLETED (or DENIED) follows. */
  pending: boolean
}

function completedCapture(order: PaypalOrder, orderNo: string): CaptureResult {
  const unit = order.purchase_units?.[0]
  const ref = unit?.custom_id ?? unit?.reference_id
  if (ref !== undefined && ref !== orderNo) {
    throw new InvalidInput(`paypal order ${order.id} belongs to ${ref}, not ${orderNo}`, { providerRef: order.id })
  }
  const capture = unit?.payments?.captures?.[0]
  if (!capture) throw new PaypalApiError(200, 'no capture in response', undefined, 'order capture')
  // PENDING (e.g. eCheck) has an id but no money yet: the PAYMENT.CAPTURE.COMPLETED webhook
  // is what pays the order.
  if (capture.status !== 'COMPLETED' && capture.status !== 'PENDING') {
    throw new BillingError('UNAVAILABLE', `paypal capture ${capture.id} is ${capture.status}`, {
      provider: 'paypal',
      captureStatus: capture.status
    })
  }
  return { captureId: capture.id, amount: moneyOf(capture.amount), pending: capture.status === 'PENDING' }
}

export async function captureOrder(
  rest: PaypalRest,
  orderId: string,
  orderNo: string
): Promise<CaptureResult> {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(orderId)) throw new InvalidInput('malformed paypal order id', { orderId })
  const path = `/v2/checkout/orders/${orderId}`
  try {
    const order = await rest.request<PaypalOrder>('POST', `${path}/capture`, 'order capture', {}, {
      'paypal-request-id': `capture-${orderId}`
    })
    return completedCapture(order, orderNo)
  } catch (err) {
    // Captured already (by an earlier attempt whose answer was lost): read the capture back.
    if (err instanceof PaypalApiError && err.issue === 'ORDER_ALREADY_CAPTURED') {
      return completedCapture(await rest.request<PaypalOrder>('GET', path, 'order read'), orderNo)
    }
    throw err
  }
}

/**
 * A cancelled order's close. PayPal has no call to void an order before approval, and needs
 * none while no money can move: nothing moves until the relay captures, and the relay captures
 * no cancelled order. So the order is read, and the close refused (the relay then keeps its
 * order open) once it is approved or has a capture: a capture may be under way or pending.
 */
export async function closeOrder(rest: PaypalRest, orderId: string | null): Promise<void> {
  if (!orderId || !/^[A-Za-z0-9-]{1,64}$/.test(orderId)) throw new BillingError('UNAVAILABLE', 'PayPal: no order to close yet')
  const order = await rest.request<PaypalOrder>('GET', `/v2/checkout/orders/${orderId}`, 'order read')
  const captured = order.purchase_units?.some((u) => (u.payments?.captures?.length ?? 0) > 0) ?? false
  if (captured || !UNAPPROVED.has(order.status)) {
    throw new BillingError('UNAVAILABLE', `PayPal: order ${orderId} is ${order.status}${captured ? ' with a capture' : ''}; it may be paid, so it stays open`, { orderId, status: order.status })
  }
}

/** Statuses in which the buyer has not approved the order (or it is void): no capture can follow without the relay. */
const UNAPPROVED = new Set(['CREATED', 'SAVED', 'PAYER_ACTION_REQUIRED', 'VOIDED'])

/** The relay order number stored on a capture (used when a refund event lacks custom_id). */
export async function captureCustomId(rest: PaypalRest, captureId: string): Promise<string | undefined> {
  if (!/^[A-Za-z0-9-]{1,64}$/.test(captureId)) return undefined
  const capture = await rest.request<PaypalCapture>('GET', `/v2/payments/captures/${captureId}`, 'capture read')
  return capture.custom_id
}
