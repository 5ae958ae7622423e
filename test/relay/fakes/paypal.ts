import { randomBytes, webcrypto } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { crc32 } from 'node:zlib'
// @peculiar/x509 resolves its services through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'

type CryptoKey = webcrypto.CryptoKey
type CryptoKeyPair = webcrypto.CryptoKeyPair

// A fake of PayPal's REST API on 127.0.0.1 (OAuth2 token, Orders v2 create / read / capture,
// capture read, capture refund), a test PKI (root CA → intermediate → leaf, generated at run time), and the
// signing side of PayPal webhooks, whose certificate chain is served to the relay through an
// injectable certificate source instead of the network.


// ---- REST fake -------------------------------------------------------------------------

export interface RecordedPaypalRequest {
  method: string
  path: string
  authorization: string | undefined
  requestId: string | undefined
  body: string
}

export interface FakePaypalOrder {
  id: string
  status: 'PAYER_ACTION_REQUIRED' | 'APPROVED' | 'COMPLETED'
  requestBody: any
  captureId?: string
}

export type FakePaypalRefundStatus = 'COMPLETED' | 'PENDING' | 'CANCELLED' | 'FAILED'

export interface FakePaypalRefund {
  id: string
  status: FakePaypalRefundStatus
  amount: { currency_code: string; value: string }
  captureId: string
  custom_id?: string
  invoice_id?: string
  note_to_payer?: string
  create_time: string
}

export interface FakePaypal {
  baseUrl: string
  requests: RecordedPaypalRequest[]
  orders: Map<string, FakePaypalOrder>
  captures: Map<string, { id: string; status: string; amount: { currency_code: string; value: string }; custom_id: string }>
  /** Refunds by capture id, in the order made. */
  refunds: Map<string, FakePaypalRefund[]>
  tokensIssued(): number
  /** The buyer approves the order (what the approve link does in real life). */
  approve(orderId: string): void
  /** Invalidates every issued token, as if PayPal revoked them. */
  revokeTokens(): void
  /** Forgets PayPal-Request-Ids, as PayPal does once its idempotency window has passed. */
  forgetRequestIds(): void
  /** The next API call (not the token call) answers with this status and a PayPal error body. */
  failNext(status: number, name?: string, issue?: string): void
  /** The next capture is left PENDING (e.g. an eCheck); settle it with `captures`. */
  pendNextCapture(): void
  /** The next call is carried out, but its answer is lost (the connection drops). */
  loseNextAnswer(): void
  /** The status new refunds are made with (COMPLETED until told otherwise). */
  refundsAnswer(status: FakePaypalRefundStatus): void
  /** A PENDING refund completes (what PAYMENT.CAPTURE.REFUNDED then reports). */
  completeRefund(refundId: string): FakePaypalRefund
  close(): Promise<void>
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

export async function startFakePaypal(opts: {
  clientId: string
  clientSecret: string
  tokenTtlSeconds?: number
}): Promise<FakePaypal> {
  const requests: RecordedPaypalRequest[] = []
  const orders = new Map<string, FakePaypalOrder>()
  const captures: FakePaypal['captures'] = new Map()
  const tokens = new Set<string>()
  const byRequestId = new Map<string, unknown>()
  let issued = 0
  let seq = 0
  let failure: { status: number; name: string; issue?: string } | undefined
  let pendCapture = false
  const refunds: FakePaypal['refunds'] = new Map()
  let refundStatus: FakePaypalRefundStatus = 'COMPLETED'
  let loseAnswer = false
  const refundView = (r: FakePaypalRefund, prefer: string | undefined) => {
    const links = [
      { href: `${baseUrl}/v2/payments/refunds/${r.id}`, rel: 'self', method: 'GET' },
      { href: `${baseUrl}/v2/payments/captures/${r.captureId}`, rel: 'up', method: 'GET' }
    ]
    // PayPal's default is Prefer: return=minimal (id, status, links only).
    if (prefer !== 'return=representation') return { id: r.id, status: r.status, links }
    const { captureId: _capture, ...rest } = r
    return { ...rest, ...(r.status === 'PENDING' ? { status_details: { reason: 'ECHECK' } } : {}), update_time: r.create_time, links }
  }

  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req)
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const requestId = req.headers['paypal-request-id'] as string | undefined
    requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, requestId, body })
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'paypal-debug-id': `dbg${++seq}` })
      res.end(JSON.stringify(payload))
    }
    const error = (status: number, name: string, issue?: string) =>
      send(status, { name, message: name, debug_id: `dbg${seq}`, ...(issue ? { details: [{ issue }] } : {}) })

    if (req.method === 'POST' && path === '/v1/oauth2/token') {
      const basic = `Basic ${Buffer.from(`${opts.clientId}:${opts.clientSecret}`).toString('base64')}`
      if (req.headers.authorization !== basic) return send(401, { error: 'invalid_client', error_description: 'Client Authentication failed' })
      if (new URLSearchParams(body).get('grant_type') !== 'client_credentials') return send(400, { error: 'unsupported_grant_type' })
      const token = `A21AA${randomBytes(12).toString('hex')}`
      tokens.add(token)
      issued++
      return send(200, { scope: 'https://uri.paypal.com/services/payments', access_token: token, token_type: 'Bearer', expires_in: opts.tokenTtlSeconds ?? 32_400 })
    }
    const bearer = req.headers.authorization?.replace(/^Bearer /, '') ?? ''
    if (!tokens.has(bearer)) return error(401, 'AUTHENTICATION_FAILURE')
    if (failure) {
      const f = failure
      failure = undefined
      return error(f.status, f.name, f.issue)
    }
    const replay = requestId ? byRequestId.get(`${path}|${requestId}`) : undefined
    if (replay) return send(200, replay)
    const remember = (status: number, payload: unknown) => {
      if (requestId) byRequestId.set(`${path}|${requestId}`, payload)
      if (loseAnswer) {
        loseAnswer = false
        return void res.destroy()
      }
      send(status, payload)
    }

    if (req.method === 'POST' && path === '/v2/checkout/orders') {
      const order = JSON.parse(body)
      const unit = order?.purchase_units?.[0]
      if (order?.intent !== 'CAPTURE' || typeof unit?.amount?.value !== 'string' || !/^\d+(\.\d{1,2})?$/.test(unit.amount.value)) {
        return error(422, 'UNPROCESSABLE_ENTITY', 'INVALID_PARAMETER_VALUE')
      }
      const id = `5O19${String(++seq).padStart(12, '0')}`
      orders.set(id, { id, status: 'PAYER_ACTION_REQUIRED', requestBody: order })
      return remember(200, {
        id,
        status: 'PAYER_ACTION_REQUIRED',
        payment_source: { paypal: {} },
        links: [
          { href: `${baseUrl}/v2/checkout/orders/${id}`, rel: 'self', method: 'GET' },
          { href: `https://www.sandbox.paypal.com/checkoutnow?token=${id}`, rel: 'payer-action', method: 'GET' }
        ]
      })
    }
    const orderMatch = /^\/v2\/checkout\/orders\/([^/]+)(\/capture)?$/.exec(path)
    if (orderMatch) {
      const order = orders.get(orderMatch[1]!)
      if (!order) return error(404, 'RESOURCE_NOT_FOUND', 'INVALID_RESOURCE_ID')
      const view = () => {
        const unit = order.requestBody.purchase_units[0]
        const capture = order.captureId ? captures.get(order.captureId) : undefined
        return {
          id: order.id,
          status: order.status,
          purchase_units: [
            { reference_id: unit.reference_id, custom_id: unit.custom_id, amount: unit.amount, ...(capture ? { payments: { captures: [capture] } } : {}) }
          ]
        }
      }
      if (req.method === 'GET' && !orderMatch[2]) return send(200, view())
      if (req.method === 'POST' && orderMatch[2]) {
        if (order.status === 'COMPLETED') return error(422, 'UNPROCESSABLE_ENTITY', 'ORDER_ALREADY_CAPTURED')
        if (order.status !== 'APPROVED') return error(422, 'UNPROCESSABLE_ENTITY', 'ORDER_NOT_APPROVED')
        const unit = order.requestBody.purchase_units[0]
        const captureId = `3C6${String(++seq).padStart(14, '0')}`
        captures.set(captureId, { id: captureId, status: pendCapture ? 'PENDING' : 'COMPLETED', amount: unit.amount, custom_id: unit.custom_id })
        pendCapture = false
        order.status = 'COMPLETED'
        order.captureId = captureId
        return remember(201, view())
      }
    }
    const refundMatch = /^\/v2\/payments\/captures\/([^/]+)\/refund$/.exec(path)
    if (req.method === 'POST' && refundMatch) {
      const capture = captures.get(refundMatch[1]!)
      if (!capture) return error(404, 'RESOURCE_NOT_FOUND', 'INVALID_RESOURCE_ID')
      if (capture.status === 'PENDING') return error(422, 'UNPROCESSABLE_ENTITY', 'PENDING_CAPTURE')
      let ask: any
      try {
        ask = body ? JSON.parse(body) : {}
      } catch {
        return error(400, 'INVALID_REQUEST', 'MALFORMED_REQUEST_JSON')
      }
      const digits = capture.amount.currency_code === 'JPY' ? 0 : 2
      // Exact: whole and fraction digits as integers, no float.
      const minor = (value: string) => {
        const [whole = '0', fraction = ''] = value.split('.')
        return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0')
      }
      const major = (n: number) => (digits === 0 ? String(n) : `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`)
      const made = refunds.get(capture.id) ?? []
      const done = made.filter((r) => r.status === 'COMPLETED' || r.status === 'PENDING').reduce((sum, r) => sum + minor(r.amount.value), 0)
      const left = minor(capture.amount.value) - done
      if (left <= 0) return error(422, 'UNPROCESSABLE_ENTITY', 'CAPTURE_FULLY_REFUNDED')
      const amount = ask.amount ?? { currency_code: capture.amount.currency_code, value: major(left) }
      const pattern = digits === 0 ? /^\d+$/ : /^\d+(\.\d{1,2})?$/
      if (typeof amount.value !== 'string' || !pattern.test(amount.value) || minor(amount.value) <= 0) return error(422, 'UNPROCESSABLE_ENTITY', 'INVALID_PARAMETER_VALUE')
      if (amount.currency_code !== capture.amount.currency_code) return error(422, 'UNPROCESSABLE_ENTITY', 'REFUND_CAPTURE_CURRENCY_MISMATCH')
      if (minor(amount.value) > left) return error(422, 'UNPROCESSABLE_ENTITY', 'REFUND_AMOUNT_EXCEEDED')
      for (const [field, max] of [['note_to_payer', 255], ['invoice_id', 127], ['custom_id', 127]] as const) {
        if (ask[field] !== undefined && (typeof ask[field] !== 'string' || ask[field].length === 0 || ask[field].length > max)) {
          return error(400, 'INVALID_REQUEST', 'INVALID_STRING_LENGTH')
        }
      }
      const refund: FakePaypalRefund = {
        id: `1JU${String(++seq).padStart(14, '0')}`,
        status: refundStatus,
        amount: { currency_code: amount.currency_code, value: amount.value },
        captureId: capture.id,
        ...(ask.custom_id ? { custom_id: ask.custom_id } : {}),
        ...(ask.invoice_id ? { invoice_id: ask.invoice_id } : {}),
        ...(ask.note_to_payer ? { note_to_payer: ask.note_to_payer } : {}),
        create_time: new Date().toISOString()
      }
      refunds.set(capture.id, [...made, refund])
      return remember(201, refundView(refund, req.headers.prefer as string | undefined))
    }
    const captureMatch = /^\/v2\/payments\/captures\/([^/]+)$/.exec(path)
    if (req.method === 'GET' && captureMatch) {
      const capture = captures.get(captureMatch[1]!)
      return capture ? send(200, capture) : error(404, 'RESOURCE_NOT_FOUND', 'INVALID_RESOURCE_ID')
    }
    return error(404, 'NOT_FOUND')
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    baseUrl,
    requests,
    orders,
    captures,
    tokensIssued: () => issued,
    approve(orderId) {
      const order = orders.get(orderId)
      if (!order) throw new Error(`no order ${orderId}`)
      order.status = 'APPROVED'
    },
    revokeTokens: () => tokens.clear(),
    forgetRequestIds: () => byRequestId.clear(),
    failNext(status, name = 'INTERNAL_SERVER_ERROR', issue) {
      failure = { status, name, ...(issue ? { issue } : {}) }
    },
    pendNextCapture() {
      pendCapture = true
    },
    refunds,
    loseNextAnswer() {
      loseAnswer = true
    },
    refundsAnswer(status) {
      refundStatus = status
    },
    completeRefund(refundId) {
      const refund = [...refunds.values()].flat().find((r) => r.id === refundId)
      if (!refund) throw new Error(`no refund ${refundId}`)
      refund.status = 'COMPLETED'
      return refund
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      })
  }
}

// ---- Test PKI --------------------------------------------------------------------------

const RSA: webcrypto.RsaHashedKeyGenParams = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048
}

export interface TestCertificate {
  name: string
  keys: CryptoKeyPair
  cert: x509.X509Certificate
  pem: string
}

export interface Validity {
  notBefore: Date
  notAfter: Date
}

async function issue(name: string, validity: Validity, ca: boolean, issuer?: TestCertificate): Promise<TestCertificate> {
  const keys = (await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as CryptoKeyPair
  const extensions = [
    new x509.BasicConstraintsExtension(ca, ca ? 1 : undefined, true),
    new x509.KeyUsagesExtension(
      ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature,
      true
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)
  ]
  const base = { serialNumber: randomBytes(8).toString('hex'), ...validity, signingAlgorithm: RSA, extensions }
  const cert = issuer
    ? await x509.X509CertificateGenerator.create({
        ...base,
        subject: name,
        issuer: issuer.cert.subject,
        publicKey: keys.publicKey,
        signingKey: issuer.keys.privateKey,
        extensions: [...extensions, await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey)]
      })
    : await x509.X509CertificateGenerator.createSelfSigned({ ...base, name, keys })
  return { name, keys, cert, pem: cert.toString('pem') }
}

export function validityAround(now: number, beforeDays = 30, afterDays = 365): Validity {
  return { notBefore: new Date(now - beforeDays * 86_400_000), notAfter: new Date(now + afterDays * 86_400_000) }
}

export interface PaypalTestPki {
  root: TestCertificate
  intermediate: TestCertificate
  leaf: TestCertificate
  /** The trust anchor: pass as config.trustedCaPem. */
  caPem: string
  /** What PayPal's cert URL serves: leaf then intermediate. */
  chainPem: string
}

/**
 * A root CA, an intermediate and a webhook-signing leaf, all valid around `now` unless
 * `leafValidity` says otherwise. Pass `root`/`intermediate` to issue another leaf under an
 * existing CA (e.g. an expired one) without generating new CA keys.
 */
export async function createPaypalTestPki(opts: {
  now: number
  leafValidity?: Validity
  root?: TestCertificate
  intermediate?: TestCertificate
  rootName?: string
}): Promise<PaypalTestPki> {
  const around = validityAround(opts.now)
  const root = opts.root ?? (await issue(opts.rootName ?? 'CN=Test Root CA,O=Relay Tests', validityAround(opts.now, 365, 3650), true))
  const intermediate = opts.intermediate ?? (await issue('CN=Test Intermediate CA,O=Relay Tests', around, true, root))
  const leaf = await issue('CN=messageverificationcerts.paypal.test,O=Relay Tests', opts.leafValidity ?? around, false, intermediate)
  return { root, intermediate, leaf, caPem: root.pem, chainPem: `${leaf.pem}\n${intermediate.pem}\n` }
}

/** A certificate source serving fixed chains by URL (and recording what was asked for). */
export function paypalCertificateSource(chains: Record<string, string>): ((url: string) => Promise<string>) & { calls: string[] } {
  const calls: string[] = []
  const source = async (url: string) => {
    calls.push(url)
    const pem = chains[url]
    if (pem === undefined) throw new Error(`no certificate at ${url}`)
    return pem
  }
  return Object.assign(source, { calls })
}

export const TEST_CERT_URL = 'https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-test'

// ---- Webhook signing -------------------------------------------------------------------

/**
 * The headers PayPal sends with a webhook: SHA256withRSA by `key` over
 * `${transmissionId}|${transmissionTime}|${webhookId}|${crc32(body)}`.
 */
export async function signPaypalWebhook(
  body: string,
  opts: { key: CryptoKey; certUrl: string; webhookId: string; transmissionTime: string | Date; transmissionId?: string }
): Promise<Record<string, string>> {
  const transmissionId = opts.transmissionId ?? webcrypto.randomUUID()
  const time = typeof opts.transmissionTime === 'string' ? opts.transmissionTime : opts.transmissionTime.toISOString()
  const message = `${transmissionId}|${time}|${opts.webhookId}|${crc32(Buffer.from(body, 'utf8')) >>> 0}`
  const sig = await webcrypto.subtle.sign('RSASSA-PKCS1-v1_5', opts.key, Buffer.from(message, 'utf8'))
  return {
    'paypal-transmission-id': transmissionId,
    'paypal-transmission-time': time,
    'paypal-transmission-sig': Buffer.from(sig).toString('base64'),
    'paypal-cert-url': opts.certUrl,
    'paypal-auth-algo': 'SHA256withRSA'
  }
}

// ---- Event builders --------------------------------------------------------------------

export interface PaypalMoney {
  currency_code: string
  value: string
}

let eventSeq = 0

export function paypalEvent(eventType: string, resource: Record<string, unknown>, opts: { id?: string; createTime: Date }) {
  return {
    id: opts.id ?? `WH-FAKE${String(++eventSeq).padStart(6, '0')}`,
    event_version: '1.0',
    create_time: opts.createTime.toISOString(),
    resource_type: eventType.startsWith('CHECKOUT') ? 'checkout-order' : eventType.endsWith('REFUNDED') ? 'refund' : 'capture',
    resource_version: '2.0',
    event_type: eventType,
    summary: eventType,
    resource
  }
}

export function orderApprovedEvent(o: { orderId: string; orderNo: string; amount: PaypalMoney; createTime: Date; id?: string }) {
  return paypalEvent(
    'CHECKOUT.ORDER.APPROVED',
    { id: o.orderId, intent: 'CAPTURE', status: 'APPROVED', purchase_units: [{ reference_id: o.orderNo, custom_id: o.orderNo, amount: o.amount }] },
    o
  )
}

function captureResource(o: { captureId: string; orderId: string; orderNo: string; amount: PaypalMoney }, status: string) {
  return {
    id: o.captureId,
    status,
    amount: o.amount,
    custom_id: o.orderNo,
    final_capture: true,
    supplementary_data: { related_ids: { order_id: o.orderId } }
  }
}

export function captureCompletedEvent(o: { captureId: string; orderId: string; orderNo: string; amount: PaypalMoney; createTime: Date; id?: string }) {
  return paypalEvent('PAYMENT.CAPTURE.COMPLETED', captureResource(o, 'COMPLETED'), o)
}

export function captureDeniedEvent(o: { captureId: string; orderId: string; orderNo: string; amount: PaypalMoney; createTime: Date; id?: string }) {
  return paypalEvent('PAYMENT.CAPTURE.DENIED', { ...captureResource(o, 'DECLINED'), status_details: { reason: 'DECLINED_BY_RISK_FRAUD_FILTERS' } }, o)
}

/** One refund of a capture; `orderNo` omitted leaves custom_id out (the relay then reads the capture). */
export function captureRefundedEvent(o: { refundId: string; captureId: string; amount: PaypalMoney; orderNo?: string; createTime: Date; id?: string }) {
  return paypalEvent(
    'PAYMENT.CAPTURE.REFUNDED',
    {
      id: o.refundId,
      status: 'COMPLETED',
      amount: o.amount,
      ...(o.orderNo ? { custom_id: o.orderNo } : {}),
      links: [
        { href: `https://api.sandbox.paypal.com/v2/payments/refunds/${o.refundId}`, rel: 'self', method: 'GET' },
        { href: `https://api.sandbox.paypal.com/v2/payments/captures/${o.captureId}`, rel: 'up', method: 'GET' }
      ]
    },
    o
  )
}
