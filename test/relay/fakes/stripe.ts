import { createHmac } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

// A fake of the slice of Stripe's API the relay calls, on 127.0.0.1, so the real stripe SDK
// runs end to end (host/port/protocol options, maxNetworkRetries 0). Plus the signing side of
// Stripe webhooks and builders for the event payloads the relay handles.

export interface RecordedStripeRequest {
  method: string
  path: string
  authorization: string | undefined
  idempotencyKey: string | undefined
  /** The form body decoded into nested objects/arrays, as Stripe reads it. */
  params: Record<string, unknown>
}

export interface FakeStripe {
  host: '127.0.0.1'
  port: number
  /** Config overrides that point the relay's Stripe provider at this fake. */
  apiConfig: { apiHost: string; apiPort: number; apiProtocol: 'http'; maxNetworkRetries: 0 }
  requests: RecordedStripeRequest[]
  sessions: Map<string, Record<string, unknown>>
  paymentIntents: Map<string, { id: string; metadata: Record<string, string> }>
  /** Refunds by charge id, oldest first, as GET /v1/refunds?charge= lists them (newest first). */
  refunds: Map<string, ReturnType<typeof refundObject>[]>
  /** Records a refund of a charge (what the dashboard or the API would have made). */
  addRefund(o: RefundOptions): void
  /** The next API call answers with this HTTP status and a Stripe error body. */
  failNext(status: number, message?: string): void
  /** The status POST /v1/refunds gives new refunds (succeeded by default; pending as for some methods). */
  refundsAnswer(status: 'succeeded' | 'pending'): void
  close(): Promise<void>
}

/** Decodes `a[b][0][c]=v` form fields (what the SDK sends) into nested values. */
export function parseStripeForm(body: string): Record<string, unknown> {
  const root: Record<string, unknown> = {}
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, '').split('[')
    let node: Record<string, unknown> | unknown[] = root
    path.forEach((segment, i) => {
      const last = i === path.length - 1
      const nextIsIndex = /^\d+$/.test(path[i + 1] ?? '')
      const slot = node as Record<string, unknown>
      if (last) slot[segment] = value
      else {
        slot[segment] ??= nextIsIndex ? [] : {}
        node = slot[segment] as Record<string, unknown>
      }
    })
  }
  return root
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

export async function startFakeStripe(opts: {
  apiKey: string
  /** The fake's clock (epoch ms) for created / expires_at checks; defaults to Date.now. */
  now?: () => number
}): Promise<FakeStripe> {
  const now = opts.now ?? Date.now
  const requests: RecordedStripeRequest[] = []
  const sessions = new Map<string, Record<string, unknown>>()
  const paymentIntents = new Map<string, { id: string; metadata: Record<string, string> }>()
  const refunds = new Map<string, ReturnType<typeof refundObject>[]>()
  let failure: { status: number; message: string } | undefined
  let seq = 0
  const refundsByKey = new Map<string, { body: string; refund: ReturnType<typeof refundObject> }>()
  const chargeAmounts = new Map<string, number>()
  const currencies = new Map<string, string>()
  let refundStatus: 'succeeded' | 'pending' = 'succeeded'

  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const params = parseStripeForm(body)
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      authorization: req.headers.authorization,
      idempotencyKey: req.headers['idempotency-key'] as string | undefined,
      params
    })
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_fake_${++seq}` })
      res.end(JSON.stringify(payload))
    }
    const error = (status: number, message: string, type = 'invalid_request_error') =>
      send(status, { error: { type, message } })

    if (req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      return error(401, 'Invalid API Key provided')
    }
    if (failure) {
      const f = failure
      failure = undefined
      return error(f.status, f.message, f.status >= 500 ? 'api_error' : 'invalid_request_error')
    }
    if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
      const created = Math.floor(now() / 1000)
      const expiresAt = Number(params['expires_at'] ?? created + 86_400)
      if (expiresAt < created + 30 * 60 || expiresAt > created + 86_400) {
        return error(400, 'expires_at must be between 30 minutes and 24 hours from creation')
      }
      const items = params['line_items'] as Array<Record<string, any>> | undefined
      const item = items?.[0]
      if (params['mode'] !== 'payment' || !item?.price_data?.unit_amount || !item.price_data.currency) {
        return error(400, 'mode payment with one price_data line item is required')
      }
      const id = `cs_test_fake${++seq}`
      const piId = `pi_fake${seq}`
      const piData = params['payment_intent_data'] as { metadata?: Record<string, string> } | undefined
      paymentIntents.set(piId, { id: piId, metadata: piData?.metadata ?? {} })
      chargeAmounts.set(piId, Number(item.price_data.unit_amount) * Number(item.quantity ?? 1))
      currencies.set(piId, String(item.price_data.currency))
      const session = {
        id,
        object: 'checkout.session',
        mode: 'payment',
        status: 'open',
        payment_status: 'unpaid',
        livemode: false,
        created,
        expires_at: expiresAt,
        amount_total: Number(item.price_data.unit_amount) * Number(item.quantity ?? 1),
        currency: item.price_data.currency,
        client_reference_id: params['client_reference_id'] ?? null,
        metadata: params['metadata'] ?? {},
        success_url: params['success_url'],
        cancel_url: params['cancel_url'],
        payment_intent: piId,
        url: `https://checkout.stripe.test/c/pay/${id}`
      }
      sessions.set(id, session)
      return send(200, session)
    }
    // As Stripe: only an open session can be expired.
    const expire = /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/.exec(url.pathname)
    if (req.method === 'POST' && expire) {
      const session = sessions.get(decodeURIComponent(expire[1]!))
      if (!session) return error(404, 'No such checkout.session')
      if (session.status !== 'open') return error(400, 'Only Checkout Sessions with a status in [open] can be expired.')
      session.status = 'expired'
      return send(200, session)
    }
    const pi = /^\/v1\/payment_intents\/([^/]+)$/.exec(url.pathname)
    if (req.method === 'GET' && pi) {
      const found = paymentIntents.get(decodeURIComponent(pi[1]!))
      if (!found) return error(404, 'No such payment_intent')
      return send(200, { object: 'payment_intent', ...found })
    }
    if (req.method === 'POST' && url.pathname === '/v1/refunds') {
      // Stripe's idempotency: the same key answers the first response again, other parameters 400.
      const key = req.headers['idempotency-key'] as string | undefined
      const seen = key ? refundsByKey.get(key) : undefined
      if (seen) return seen.body === body ? send(200, seen.refund) : error(400, 'Keys for idempotent requests can only be used with the same parameters they were first used with.', 'idempotency_error')
      const piId = String(params['payment_intent'] ?? '')
      if (!paymentIntents.has(piId)) return error(404, `No such payment_intent: '${piId}'`)
      const amount = Number(params['amount'])
      const chargeId = `ch_${piId}`
      // A failed or canceled refund gives its amount back, as at Stripe.
      const done = (refunds.get(chargeId) ?? []).filter((r) => r.status !== 'failed' && r.status !== 'canceled').reduce((sum, r) => sum + r.amount, 0)
      if (!Number.isSafeInteger(amount) || amount <= 0 || amount + done > (chargeAmounts.get(piId) ?? Infinity)) {
        return error(400, `Refund amount (${amount}) is greater than unrefunded amount on charge`)
      }
      const refund = refundObject({
        refundId: `re_fake${++seq}`,
        amount,
        currency: currencies.get(piId) ?? 'cny',
        paymentIntentId: piId,
        chargeId,
        created: Math.floor(now() / 1000),
        status: refundStatus,
        metadata: (params['metadata'] as Record<string, string>) ?? {}
      })
      refunds.set(chargeId, [...(refunds.get(chargeId) ?? []), refund])
      if (key) refundsByKey.set(key, { body, refund })
      return send(200, refund)
    }
    if (req.method === 'GET' && url.pathname === '/v1/refunds') {
      // Newest first, cursor-paged by starting_after, as Stripe lists.
      const charge = url.searchParams.get('charge')
      if (!charge) return error(400, 'the fake lists refunds of one charge only')
      const all = [...(refunds.get(charge) ?? [])].reverse()
      const after = url.searchParams.get('starting_after')
      const from = after ? all.findIndex((r) => r.id === after) + 1 : 0
      const limit = Number(url.searchParams.get('limit') ?? 10)
      const data = all.slice(from, from + limit)
      return send(200, { object: 'list', url: '/v1/refunds', data, has_more: from + limit < all.length })
    }
    return error(404, `Unrecognized request URL (${req.method}: ${url.pathname})`)
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    host: '127.0.0.1',
    port,
    apiConfig: { apiHost: '127.0.0.1', apiPort: port, apiProtocol: 'http', maxNetworkRetries: 0 },
    requests,
    sessions,
    paymentIntents,
    refunds,
    addRefund(o) {
      const r = refundObject(o)
      refunds.set(r.charge, [...(refunds.get(r.charge) ?? []), r])
    },
    failNext(status, message = 'fake failure') {
      failure = { status, message }
    },
    refundsAnswer(status) {
      refundStatus = status
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      })
  }
}

// ---- Webhook signing -------------------------------------------------------------------

/** The Stripe-Signature header for `payload`: v1 = HMAC-SHA256(secret, `${t}.${payload}`). */
export function signStripeEvent(payload: string, secret: string, timestamp: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex')
  return `t=${timestamp},v1=${v1}`
}

let eventSeq = 0

/** A Stripe event envelope around `object`. `created` is epoch seconds. */
export function stripeEvent(
  type: string,
  object: Record<string, unknown>,
  opts: { id?: string; created: number; livemode?: boolean }
): Record<string, unknown> {
  return {
    id: opts.id ?? `evt_fake${++eventSeq}`,
    object: 'event',
    api_version: '2025-01-27.acacia',
    created: opts.created,
    livemode: opts.livemode ?? false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object }
  }
}

export interface SessionEventOptions {
  orderNo: string
  /** Minor units. */
  amount: number
  /** ISO code in any case; sent lower-case as Stripe does. */
  currency: string
  created: number
  sessionId?: string
  paymentIntentId?: string
  eventId?: string
}

function sessionObject(o: SessionEventOptions, status: string, paymentStatus: string) {
  return {
    id: o.sessionId ?? `cs_test_${o.orderNo}`,
    object: 'checkout.session',
    mode: 'payment',
    status,
    payment_status: paymentStatus,
    amount_total: o.amount,
    currency: o.currency.toLowerCase(),
    client_reference_id: o.orderNo,
    metadata: { order_no: o.orderNo },
    payment_intent: o.paymentIntentId ?? `pi_${o.orderNo}`,
    livemode: false
  }
}

/** checkout.session.completed; `paid: false` gives payment_status 'unpaid' (a delayed method). */
export function sessionCompletedEvent(o: SessionEventOptions & { paid: boolean }) {
  return stripeEvent('checkout.session.completed', sessionObject(o, 'complete', o.paid ? 'paid' : 'unpaid'), {
    id: o.eventId,
    created: o.created
  })
}
export function asyncPaymentSucceededEvent(o: SessionEventOptions) {
  return stripeEvent('checkout.session.async_payment_succeeded', sessionObject(o, 'complete', 'paid'), {
    id: o.eventId,
    created: o.created
  })
}
export function asyncPaymentFailedEvent(o: SessionEventOptions) {
  return stripeEvent('checkout.session.async_payment_failed', sessionObject(o, 'complete', 'unpaid'), {
    id: o.eventId,
    created: o.created
  })
}
export function sessionExpiredEvent(o: SessionEventOptions) {
  return stripeEvent('checkout.session.expired', sessionObject(o, 'expired', 'unpaid'), {
    id: o.eventId,
    created: o.created
  })
}

export interface RefundOptions {
  refundId: string
  /** This refund's amount, minor units. */
  amount: number
  currency: string
  created: number
  paymentIntentId: string
  chargeId?: string
  status?: 'pending' | 'succeeded' | 'failed' | 'canceled' | 'requires_action'
  /** Refund's own metadata (set when the relay itself creates the refund). */
  metadata?: Record<string, string>
  /** Why a failed refund failed (Stripe's failure_reason, e.g. expired_or_canceled_card). */
  failureReason?: string
}

export function refundObject(o: RefundOptions) {
  return {
    id: o.refundId,
    object: 'refund',
    amount: o.amount,
    currency: o.currency.toLowerCase(),
    charge: o.chargeId ?? `ch_${o.paymentIntentId}`,
    payment_intent: o.paymentIntentId,
    status: o.status ?? 'succeeded',
    created: o.created,
    metadata: o.metadata ?? {},
    ...(o.failureReason ? { failure_reason: o.failureReason } : {})
  }
}

/** refund.created / refund.updated / refund.failed around one refund. */
export function refundEvent(type: 'refund.created' | 'refund.updated' | 'refund.failed', o: RefundOptions & { eventId?: string }) {
  return stripeEvent(type, refundObject(o), { id: o.eventId, created: o.created })
}

/**
 * charge.refunded: cumulative amount_refunded (of `refunds`, or of `amountRefunded` when the
 * list is not embedded, as in current API versions); `refunds` embedded as older versions do.
 */
export function chargeRefundedEvent(o: {
  chargeId: string
  paymentIntentId: string
  orderNo: string
  amount: number
  currency: string
  created: number
  refunds: RefundOptions[] | null
  amountRefunded?: number
  eventId?: string
}) {
  const refunds = o.refunds?.map(refundObject) ?? null
  const amountRefunded = o.amountRefunded ?? (o.refunds ?? []).reduce((sum, r) => sum + r.amount, 0)
  return stripeEvent(
    'charge.refunded',
    {
      id: o.chargeId,
      object: 'charge',
      amount: o.amount,
      amount_refunded: amountRefunded,
      currency: o.currency.toLowerCase(),
      payment_intent: o.paymentIntentId,
      refunded: amountRefunded === o.amount,
      metadata: { order_no: o.orderNo },
      ...(refunds ? { refunds: { object: 'list', data: refunds, has_more: false } } : {})
    },
    { id: o.eventId, created: o.created }
  )
}
