import type { Clock } from '../../../node/clock'
import { BillingError } from '../../../shared/errors'

// PayPal REST over fetch: an OAuth2 client-credentials token, cached until shortly before it
// expires (shared by concurrent callers), and JSON requests that carry it.

export interface PaypalRestOptions {
  baseUrl: string
  clientId: string
  clientSecret: string
  timeoutMs: number
  clock: Clock
  fetch?: typeof fetch
}

export interface PaypalResponse<T> {
  status: number
  body: T
}

/** A PayPal API error: HTTP status, PayPal's error name and first issue, never credentials. */
export class PaypalApiError extends BillingError {
  constructor(
    readonly status: number,
    readonly errorName: string | undefined,
    readonly issue: string | undefined,
    what: string
  ) {
    super('UNAVAILABLE', `paypal ${what} failed: HTTP ${status}${errorName ? ` ${errorName}` : ''}${issue ? ` ${issue}` : ''}`, {
      provider: 'paypal',
      status,
      errorName,
      issue
    })
  }
}

// Refresh a minute early so a token never expires in flight.
const TOKEN_MARGIN_MS = 60_000

export interface PaypalRest {
  request<T>(method: 'GET' | 'POST', path: string, what: string, body?: unknown, headers?: Record<string, string>): Promise<T>
  /** Exposed for tests: the bearer token currently cached, if any. */
  cachedToken(): string | undefined
}

export function createPaypalRest(opts: PaypalRestOptions): PaypalRest {
  const doFetch = opts.fetch ?? fetch
  const base = opts.baseUrl.replace(/\/+$/, '')
  let token: { value: string; expiresAt: number } | undefined
  let pending: Promise<string> | undefined

  async function send(method: string, path: string, init: { headers: Record<string, string>; body?: string }, what: string) {
    try {
      return await doFetch(`${base}${path}`, {
        method,
        headers: init.headers,
        body: init.body,
        redirect: 'error',
        signal: AbortSignal.timeout(opts.timeoutMs)
      })
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err)
      throw new PaypalApiError(0, undefined, undefined, `${what} (${reason})`)
    }
  }

  async function errorOf(res: Response, what: string): Promise<PaypalApiError> {
    let name: string | undefined
    let issue: string | undefined
    try {
      const body = (await res.json()) as { name?: string; error?: string; details?: Array<{ issue?: string }> }
      name = body.name ?? body.error
      issue = body.details?.[0]?.issue
    } catch {
      // Not JSON: the status says enough.
    }
    return new PaypalApiError(res.status, name, issue, what)
  }

  async function fetchToken(): Promise<string> {
    const basic = Buffer.from(`${opts.clientId}:${opts.clientSecret}`, 'utf8').toString('base64')
    const res = await send('POST', '/v1/oauth2/token', {
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'grant_type=client_credentials'
    }, 'oauth token')
    if (!res.ok) throw await errorOf(res, 'oauth token')
    const body = (await res.json()) as { access_token?: string; expires_in?: number }
    if (!body.access_token || typeof body.expires_in !== 'number') throw new PaypalApiError(res.status, 'bad token response', undefined, 'oauth token')
    token = { value: body.access_token, expiresAt: opts.clock.now() + body.expires_in * 1000 - TOKEN_MARGIN_MS }
    return token.value
  }

  function accessToken(): Promise<string> {
    if (token && opts.clock.now() < token.expiresAt) return Promise.resolve(token.value)
    pending ??= fetchToken().finally(() => {
      pending = undefined
    })
    return pending
  }

  async function request<T>(
    method: 'GET' | 'POST',
    path: string,
    what: string,
    body?: unknown,
    headers: Record<string, string> = {}
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const bearer = await accessToken()
      const res = await send(method, path, {
        headers: {
          authorization: `Bearer ${bearer}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      }, what)
      // A token revoked or expired early: drop it and try once more with a fresh one.
      if (res.status === 401 && attempt === 0) {
        if (token?.value === bearer) token = undefined
        continue
      }
      if (!res.ok) throw await errorOf(res, what)
      return (await res.json()) as T
    }
  }

  return { request, cachedToken: () => token?.value }
}
