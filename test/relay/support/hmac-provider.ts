import { createHmac, timingSafeEqual } from 'node:crypto'
import {
  NotificationRejected,
  type Checkout,
  type CheckoutRequest,
  type PaymentProvider,
  type ProviderEvent,
  type ProviderName
} from '../../../src/relay/providers/types'

// A tiny provider for core tests: notifications are JSON `{ events: ProviderEvent[] }` with
// header x-test-signature = hex HMAC-SHA256(secret, raw body). It records checkouts and
// captures so tests can see what the relay asked for.

export interface TestProvider extends PaymentProvider {
  checkouts: CheckoutRequest[]
  captures: string[]
  /** Order numbers whose checkout the relay closed (a cancel). */
  closes: string[]
  failNextClose: boolean
  failNextCheckout: boolean
  failNextCapture: boolean
  sign(body: string): string
  /** A signed notification body and its headers. */
  notification(events: ProviderEvent[]): { body: string; headers: Record<string, string> }
}

export function createTestProvider(name: ProviderName = 'stripe', secret = 'test-secret'): TestProvider {
  const sign = (body: string) => createHmac('sha256', secret).update(body).digest('hex')
  const p: TestProvider = {
    name,
    checkouts: [],
    captures: [],
    closes: [],
    failNextClose: false,
    failNextCheckout: false,
    failNextCapture: false,
    sign,
    notification(events) {
      const body = JSON.stringify({ events })
      return { body, headers: { 'content-type': 'application/json', 'x-test-signature': sign(body) } }
    },
    async createCheckout(req: CheckoutRequest): Promise<Checkout> {
      if (p.failNextCheckout) {
        p.failNextCheckout = false
        throw new Error('provider down')
      }
      p.checkouts.push(req)
      return { kind: 'url', content: `https://pay.test/${req.orderNo}`, providerRef: `ref_${req.orderNo}`, expiresAt: req.expiresAt }
    },
    async closeCheckout(req) {
      if (p.failNextClose) {
        p.failNextClose = false
        throw new Error('provider down')
      }
      p.closes.push(req.orderNo)
    },
    async verifyNotification(input) {
      const sig = input.headers['x-test-signature']
      if (typeof sig !== 'string') throw new NotificationRejected('missing_signature', 'no x-test-signature')
      const expected = Buffer.from(sign(input.rawBody.toString('utf8')), 'hex')
      const given = Buffer.from(sig, 'hex')
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new NotificationRejected('bad_signature', 'hmac mismatch')
      }
      try {
        return (JSON.parse(input.rawBody.toString('utf8')) as { events: ProviderEvent[] }).events
      } catch {
        throw new NotificationRejected('malformed', 'not JSON')
      }
    },
    accepted: () => ({ status: 200, body: 'success', contentType: 'text/plain' }),
    rejected: (message, status = 400) => ({ status, body: JSON.stringify({ code: 'FAIL', message }), contentType: 'application/json' }),
    async capture(providerRef, orderNo) {
      if (p.failNextCapture) {
        p.failNextCapture = false
        throw new Error('capture failed')
      }
      p.captures.push(providerRef)
      const req = p.checkouts.find((c) => c.orderNo === orderNo)
      return { captureId: `cap_${orderNo}`, amount: req!.amount }
    }
  }
  return p
}
