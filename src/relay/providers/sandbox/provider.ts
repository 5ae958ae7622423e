import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Clock } from '../../../node/clock'
import { NotificationRejected, type Checkout, type CheckoutRequest, type PaymentProvider, type ProviderEvent, type ProviderName } from '../types'

// A sandbox payment provider for `npm run demo` (RELAY_SANDBOX=1, loopback only): a real adapter
// behind the same interface, standing in for one method. Its checkout is a page on the relay
// itself (/sandbox/checkout/<method>/<orderNo>; the QR of Alipay and WeChat Pay encodes it,
// Stripe and PayPal open it) where the payer pays, fails or lets the order expire. Each choice
// becomes a notification signed with a key made at start-up (HMAC-SHA256 over the raw body,
// header x-sandbox-signature) and is posted to /v1/notify/<method>: the same verification,
// replay and order path as a real provider's.

export interface SandboxCheckout {
  provider: ProviderName
  orderNo: string
  amount: CheckoutRequest['amount']
  subject: string
  expiresAt: number
}

export type SandboxAction = 'pay' | 'fail' | 'expire'

export interface SandboxProvider extends PaymentProvider {
  /** The checkout this sandbox made for an order (kept in memory for its page). */
  checkout(orderNo: string): SandboxCheckout | undefined
  /** Every checkout it made, oldest first. */
  checkouts(): SandboxCheckout[]
  /** The signed notification the payer's choice sends. */
  notification(orderNo: string, action: SandboxAction): { body: string; headers: Record<string, string> } | undefined
}

const QR_METHODS: readonly ProviderName[] = ['alipay', 'wechat']

export function createSandboxProvider(name: ProviderName, opts: { baseUrl: () => string; clock: Clock; secret?: Buffer }): SandboxProvider {
  const secret = opts.secret ?? randomBytes(32)
  const sign = (body: string) => createHmac('sha256', secret).update(body).digest('hex')
  const checkouts = new Map<string, SandboxCheckout>()
  let events = 0
  return {
    name,
    checkout: (orderNo) => checkouts.get(orderNo),
    checkouts: () => [...checkouts.values()],
    notification(orderNo, action) {
      const c = checkouts.get(orderNo)
      if (!c) return undefined
      const eventId = `sbx_${name}_${++events}_${orderNo}`
      const occurredAt = opts.clock.now()
      const event: ProviderEvent =
        action === 'pay'
          ? { type: 'payment.succeeded', eventId, orderNo, providerPaymentId: `sbxpay_${orderNo}`, amount: c.amount, occurredAt }
          : action === 'fail'
            ? { type: 'payment.failed', eventId, orderNo, reason: 'sandbox_declined', occurredAt }
            : { type: 'checkout.expired', eventId, orderNo, occurredAt }
      const body = JSON.stringify({ events: [event] })
      return { body, headers: { 'content-type': 'application/json', 'x-sandbox-signature': sign(body) } }
    },
    async createCheckout(req): Promise<Checkout> {
      checkouts.set(req.orderNo, { provider: name, orderNo: req.orderNo, amount: req.amount, subject: req.subject, expiresAt: req.expiresAt })
      const content = `${opts.baseUrl()}/sandbox/checkout/${name}/${encodeURIComponent(req.orderNo)}`
      return { kind: QR_METHODS.includes(name) ? 'qr' : 'url', content, providerRef: `sbx_${req.orderNo}`, expiresAt: req.expiresAt }
    },
    // As a real provider: a cancelled order's checkout takes no more money (its page is gone).
    async closeCheckout(req) {
      checkouts.delete(req.orderNo)
    },
    async verifyNotification(input) {
      const sig = input.headers['x-sandbox-signature']
      if (typeof sig !== 'string' || !/^[0-9a-f]{64}$/.test(sig)) throw new NotificationRejected('missing_signature', 'no x-sandbox-signature')
      const expected = Buffer.from(sign(input.rawBody.toString('utf8')), 'hex')
      if (!timingSafeEqual(Buffer.from(sig, 'hex'), expected)) throw new NotificationRejected('bad_signature', 'hmac mismatch')
      try {
        return (JSON.parse(input.rawBody.toString('utf8')) as { events: ProviderEvent[] }).events
      } catch {
        throw new NotificationRejected('malformed', 'not JSON')
      }
    },
    accepted: () => ({ status: 200, body: 'success', contentType: 'text/plain' }),
    rejected: (message, status = 400) => ({ status, body: JSON.stringify({ code: 'FAIL', message }), contentType: 'application/json' })
  }
}
