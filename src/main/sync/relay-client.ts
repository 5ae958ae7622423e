import type { z } from 'zod'
import {
  AccountResponseSchema,
  CreateCheckoutResponseSchema,
  EnrolResponseSchema,
  ErrorBodySchema,
  FeedPageSchema,
  LeaseResponseSchema,
  OrderResponseSchema,
  OutboxAckSchema,
  RevokeResponseSchema,
  SignInCodeResponseSchema,
  SignInMethodsResponseSchema,
  SignInResponseSchema,
  type SignInMethod,
  type CreateCheckoutRequest,
  type OutboxRecord
} from '../../shared/relay-contract'
import { KeysResponseSchema } from '../../shared/key-set'
import { QuoteResponseSchema, type QuoteRequest } from '../../shared/billing/coupons'
import {
  BillingDetailsResponseSchema,
  FapiaoResponseSchema,
  InvoicesResponseSchema,
  type BillingDetails
} from '../../shared/billing/invoices'
import { nodeHttpFetch, type RelayFetch, type RelayResponse } from './http-transport'

// The app's HTTP client for the relay (contract: src/shared/relay-contract.ts). Every answer
// is validated with the contract's zod schema; anything else is a RelayError. Requests carry
// a timeout, so a connection cut mid-body or a stalled relay fails instead of hanging sync.

export class RelayError extends Error {
  constructor(
    message: string,
    /** HTTP status, or 0 for network failures and unreadable bodies. */
    readonly status: number,
    readonly code: string,
    /** Worth trying again later (network, 5xx, 429). */
    readonly retryable: boolean,
    /** The error body's details (a reason, a retry-after), when the relay sent any. */
    readonly details?: Record<string, unknown>
  ) {
    super(message)
    this.name = 'RelayError'
  }
}

export interface RelayClientOptions {
  baseUrl: string
  /** The device token; undefined before enrolment. */
  token: () => string | undefined
  timeoutMs?: number
  /** Default: node:http(s) with keep-alive (http-transport.ts); the global fetch also fits. */
  fetch?: RelayFetch
}

export class RelayClient {
  private readonly fetchImpl: RelayFetch
  private readonly timeoutMs: number

  constructor(private readonly opts: RelayClientOptions) {
    this.fetchImpl = opts.fetch ?? nodeHttpFetch
    this.timeoutMs = opts.timeoutMs ?? 15_000
  }

  enrol(code: string, deviceName: string) {
    return this.call('POST', '/v1/enrol', EnrolResponseSchema, { body: { code, deviceName }, auth: false })
  }
  signInMethods() {
    return this.call('GET', '/v1/auth/methods', SignInMethodsResponseSchema, { auth: false })
  }
  requestSignInCode(method: SignInMethod, target: string) {
    return this.call('POST', '/v1/auth/code', SignInCodeResponseSchema, { body: { method, target }, auth: false })
  }
  verifySignInCode(method: SignInMethod, target: string, code: string, deviceName: string) {
    return this.call('POST', '/v1/auth/verify', SignInResponseSchema, { body: { method, target, code, deviceName }, auth: false })
  }
  hostSignIn(token: string, deviceName: string) {
    return this.call('POST', '/v1/auth/host', SignInResponseSchema, { body: { token, deviceName }, auth: false })
  }
  /** Revokes a device of this account; `withToken` authenticates as another device than the stored one. */
  revokeDevice(deviceId: string, withToken?: string) {
    return this.call('POST', `/v1/devices/${encodeURIComponent(deviceId)}/revoke`, RevokeResponseSchema, { body: {}, ...(withToken ? { token: withToken } : {}) })
  }
  account() {
    return this.call('GET', '/v1/account', AccountResponseSchema)
  }
  /** `nonce`: fresh per request; the page signature covers it (no replayed answers). */
  feed(cursor: string | null, limit: number, nonce: string) {
    const q = new URLSearchParams({ limit: String(limit), nonce })
    if (cursor !== null) q.set('cursor', cursor)
    return this.call('GET', `/v1/feed?${q}`, FeedPageSchema)
  }
  lease() {
    return this.call('POST', '/v1/lease', LeaseResponseSchema, { body: {} })
  }
  pushOutbox(records: OutboxRecord[]) {
    return this.call('POST', '/v1/outbox', OutboxAckSchema, { body: { records } })
  }
  /** The same request from outbox rows' stored JSON (written by JSON.stringify of an OutboxRecord): no parse and re-serialise. */
  pushOutboxJson(bodies: string[]) {
    return this.call('POST', '/v1/outbox', OutboxAckSchema, { json: `{"records":[${bodies.join(',')}]}` })
  }
  createCheckout(idempotencyKey: string, req: CreateCheckoutRequest) {
    return this.call('POST', '/v1/checkouts', CreateCheckoutResponseSchema, {
      body: req,
      headers: { 'idempotency-key': idempotencyKey }
    })
  }
  /** The relay's chain of key-set documents (key-ring.ts); a relay from before key rotation has none. */
  async keys() {
    try {
      return await this.call('GET', '/v1/keys', KeysResponseSchema, { auth: false })
    } catch (err) {
      if (err instanceof RelayError && err.status === 404) return { chain: [] }
      throw err
    }
  }
  order(orderNo: string) {
    return this.call('GET', `/v1/orders/${encodeURIComponent(orderNo)}`, OrderResponseSchema)
  }
  /** Withdraws the account's open order (its coupon freed, the provider's checkout closed); again answers the same. */
  cancelOrder(orderNo: string) {
    return this.call('POST', `/v1/orders/${encodeURIComponent(orderNo)}/cancel`, OrderResponseSchema)
  }
  /** The relay's price of an item, with a promotion code's discount or its refusal (src/shared/billing/coupons.ts). */
  quote(req: QuoteRequest) {
    return this.call('POST', '/v1/quotes', QuoteResponseSchema, { body: req })
  }
  billingDetails() {
    return this.call('GET', '/v1/billing-details', BillingDetailsResponseSchema)
  }
  putBillingDetails(details: BillingDetails) {
    return this.call('PUT', '/v1/billing-details', BillingDetailsResponseSchema, { body: details })
  }
  invoices() {
    return this.call('GET', '/v1/invoices', InvoicesResponseSchema)
  }
  /** The invoice's PDF as the relay rendered it (the account's own invoices only). */
  async invoicePdf(number: string, lang: 'zh-CN' | 'en'): Promise<Buffer> {
    const path = `/v1/invoices/${encodeURIComponent(number)}/pdf?lang=${encodeURIComponent(lang)}`
    const res = await this.send('GET', path, { accept: 'application/pdf' })
    if (res.status < 200 || res.status >= 300) return this.refused(res.status, await res.text().catch(() => ''))
    if (!res.arrayBuffer) throw new RelayError('this transport cannot read a binary answer', res.status, 'BAD_RESPONSE', false)
    const bytes = Buffer.from(await res.arrayBuffer())
    // Whatever else came back is not a PDF to keep.
    if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') throw new RelayError(`relay answer to GET ${path.split('?')[0]} is not a PDF`, res.status, 'BAD_RESPONSE', true)
    return bytes
  }
  requestFapiao(number: string) {
    return this.call('POST', `/v1/invoices/${encodeURIComponent(number)}/fapiao`, FapiaoResponseSchema, { body: {} })
  }

  private async call<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    o: { body?: unknown; json?: string; auth?: boolean; token?: string; headers?: Record<string, string> } = {}
  ): Promise<z.infer<S>> {
    let body: string | undefined
    const headers: Record<string, string> = { accept: 'application/json', ...o.headers }
    if (o.body !== undefined || o.json !== undefined) {
      body = o.json ?? JSON.stringify(o.body)
      headers['content-type'] = 'application/json'
    }
    const res = await this.send(method, path, headers, body, o)
    const status = res.status
    let text: string
    try {
      text = await res.text()
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err)
      throw new RelayError(`relay unreachable: ${why}`, status, 'NETWORK', true)
    }
    if (status < 200 || status >= 300) return this.refused(status, text)
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      throw new RelayError(`relay answered ${status} with a body that is not JSON`, status, 'BAD_RESPONSE', true)
    }
    const parsed = schema.safeParse(json)
    if (!parsed.success) throw new RelayError(`relay answer to ${method} ${path.split('?')[0]} does not match the contract`, status, 'BAD_RESPONSE', true)
    return parsed.data
  }

  /** An error answer as a RelayError: the body's code when it has the contract's shape. */
  private refused(status: number, text: string): never {
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      throw new RelayError(`relay answered ${status} with a body that is not JSON`, status, 'BAD_RESPONSE', true)
    }
    const err = ErrorBodySchema.safeParse(json)
    const code = err.success ? err.data.error.code : `HTTP_${status}`
    const message = err.success ? err.data.error.message : `relay answered ${status}`
    throw new RelayError(message, status, code, status >= 500 || status === 429, err.success ? err.data.error.details : undefined)
  }

  /** One request with the device token (unless `auth: false`) and the timeout; a network failure is a retryable RelayError. */
  private async send(
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
    o: { auth?: boolean; token?: string } = {}
  ): Promise<RelayResponse> {
    if (o.auth !== false) {
      const token = o.token ?? this.opts.token()
      if (!token) throw new RelayError('this device is not enrolled with the relay', 401, 'NOT_ENROLLED', false)
      headers['authorization'] = `Bearer ${token}`
    }
    try {
      return await this.fetchImpl(this.opts.baseUrl.replace(/\/+$/, '') + path, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(this.timeoutMs)
      })
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err)
      throw new RelayError(`relay unreachable: ${why}`, 0, 'NETWORK', true)
    }
  }
}
