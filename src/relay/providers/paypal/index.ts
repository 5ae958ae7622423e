import type { Clock } from '../../../node/clock'
import {
  type Checkout,
  type CheckoutRequest,
  type NotificationInput,
  type PaymentProvider,
  type ProviderEvent,
  type ProviderReply,
  type RefundRequest
} from '../types'
import { fetchCertificate, trustAnchors, type CertificateSource } from './certificates'
import { paypalConfigSchema, type PaypalConfig, type PaypalConfigInput } from './config'
import { mapPaypalEvent } from './events'
import { captureCustomId, captureOrder, closeOrder, createOrder } from './orders'
import { refundCapture } from './refunds'
import { createPaypalRest } from './rest'
import { verifyPaypalTransmission } from './verify'

export { paypalConfigSchema, paypalConfigFromEnv, PAYPAL_ENV, PAYPAL_CERT_HOSTS } from './config'
export type { PaypalConfig, PaypalConfigInput } from './config'
export type { CertificateSource } from './certificates'
export { PaypalApiError } from './rest'
export { signedMessage } from './verify'

export interface PaypalProviderDeps {
  clock: Clock
  /** Fetches the PEM chain at a pinned cert URL; defaults to an https fetch. */
  certificateSource?: CertificateSource
  /** fetch for the REST API (tests may pass their own); defaults to the global fetch. */
  fetch?: typeof fetch
}

// PayPal serves few signing certificates; keep each fetched chain (it is re-validated against
// the clock on every use). Bounded so odd URLs on a pinned host cannot grow it without end.
const MAX_CACHED_CHAINS = 16

function json(status: number, body: unknown): ProviderReply {
  return { status, body: JSON.stringify(body), contentType: 'application/json' }
}

export function createPaypalProvider(configInput: PaypalConfigInput | PaypalConfig, deps: PaypalProviderDeps): PaymentProvider {
  const config = paypalConfigSchema.parse(configInput)
  const rest = createPaypalRest({
    baseUrl: config.baseUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    timeoutMs: config.timeoutMs,
    clock: deps.clock,
    ...(deps.fetch ? { fetch: deps.fetch } : {})
  })
  const source = deps.certificateSource ?? fetchCertificate(config.timeoutMs)
  const anchors = trustAnchors(config.trustedCaPem)
  const chains = new Map<string, Promise<string>>()

  function loadChain(url: string): Promise<string> {
    let chain = chains.get(url)
    if (!chain) {
      if (chains.size >= MAX_CACHED_CHAINS) chains.delete(chains.keys().next().value!)
      chain = source(url)
      chains.set(url, chain)
      // A failed fetch is forgotten, so the next delivery tries again.
      chain.catch(() => chains.delete(url))
    }
    return chain
  }

  return {
    name: 'paypal',

    async createCheckout(req: CheckoutRequest): Promise<Checkout> {
      const { orderId, approveUrl } = await createOrder(rest, req, config)
      return { kind: 'url', content: approveUrl, providerRef: orderId, expiresAt: req.expiresAt }
    },

    async verifyNotification(input: NotificationInput): Promise<ProviderEvent[]> {
      const event = await verifyPaypalTransmission(input, {
        webhookId: config.webhookId,
        certHosts: config.certHosts,
        anchors,
        toleranceSeconds: config.toleranceSeconds,
        futureSkewSeconds: config.futureSkewSeconds,
        loadChain
      })
      return mapPaypalEvent(event, (captureId) => captureCustomId(rest, captureId))
    },

    capture: (providerRef: string, orderNo: string) => captureOrder(rest, providerRef, orderNo),
    closeCheckout: (req) => closeOrder(rest, req.providerRef),

    refund: (req: RefundRequest) => refundCapture(rest, req),

    accepted: () => json(200, { received: true }),
    rejected: (message: string, status = 400) => json(status, { error: message })
  }
}
