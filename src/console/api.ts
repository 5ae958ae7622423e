// The console's one way to the relay: same-origin fetch with the session cookie (HttpOnly, the
// page never sees it) and, on a request that changes something, the CSRF token the relay gave
// at login or in /v1/console/me. Every refusal comes back as ConsoleApiError with the relay's
// stable code, so a screen shows it beside the control that caused it.

/** The relay's `{ error: { code, message, details? } }`; NETWORK when it could not be reached. */
export interface ErrorInfo {
  code: string
  message: string
  details?: Record<string, unknown>
}

export class ConsoleApiError extends Error {
  constructor(
    readonly status: number,
    readonly info: ErrorInfo
  ) {
    super(info.message)
  }
}

let csrfToken: string | undefined
/** Set from the login answer or /v1/console/me; cleared at logout. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token
}

/** Called when the relay answers 401 (session expired or logged out elsewhere). */
let onSignedOut: () => void = () => {}
export function whenSignedOut(fn: () => void): void {
  onSignedOut = fn
}

export async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken
  let res: Response
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })
  } catch {
    throw new ConsoleApiError(0, { code: 'NETWORK', message: 'the relay cannot be reached' })
  }
  const text = await res.text()
  let json: unknown
  try {
    json = text ? (JSON.parse(text) as unknown) : undefined
  } catch {
    // Not JSON (a proxy's error page): the status alone speaks.
    if (res.ok) throw new ConsoleApiError(res.status, { code: 'INTERNAL', message: 'the relay answered something that is not JSON' })
  }
  if (!res.ok) {
    // The relay's own refusals carry { error: { code, message } }; Fastify's answer for a route it
    // does not have is { error: "Not Found", message }, which is a NOT_FOUND too.
    const body = json as { error?: unknown; message?: unknown } | undefined
    const info: ErrorInfo =
      typeof body?.error === 'object' && body.error !== null && typeof (body.error as ErrorInfo).code === 'string'
        ? (body.error as ErrorInfo)
        : { code: res.status === 404 ? 'NOT_FOUND' : 'INTERNAL', message: typeof body?.message === 'string' ? body.message : `HTTP ${res.status}` }
    if (res.status === 401 && path !== '/v1/console/login') onSignedOut()
    throw new ConsoleApiError(res.status, info)
  }
  return json as T
}

/** A query string from the defined values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ''
}
