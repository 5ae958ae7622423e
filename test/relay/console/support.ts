import { CLI_ACTOR } from '../../../src/relay/console/audit'
import type { OperatorRole } from '../../../src/shared/console/roles'
import type { Api, TestRelay } from '../support/relay'

// An operator of a test relay, added as the CLI would, and a signed-in console session for it:
// the cookie and the CSRF header a browser would send.

export const PASSWORD = 'correct horse battery staple'

export interface ConsoleSession {
  cookie: string
  csrf: string
  /** The API with this session's cookie (and, unless told otherwise, its CSRF header). */
  call: (method: string, path: string, opts?: { body?: unknown; csrf?: string | null }) => ReturnType<Api>
}

export async function addOperator(t: TestRelay, email: string, role: OperatorRole, password = PASSWORD) {
  return t.relay.core.operators.add({ email, role, password }, CLI_ACTOR)
}

export async function signIn(t: TestRelay, email: string, password = PASSWORD, totp?: string): Promise<ConsoleSession> {
  const r = await t.api('POST', '/v1/console/login', { body: { email, password, ...(totp ? { totp } : {}) } })
  if (r.status !== 200) throw new Error(`login: ${r.status} ${r.text}`)
  const cookie = r.headers.get('set-cookie')!.split(';')[0]!
  const csrf = r.body.csrfToken as string
  const call: ConsoleSession['call'] = (method, path, opts = {}) => {
    const headers: Record<string, string> = { cookie }
    const token = opts.csrf === undefined ? csrf : opts.csrf
    if (token !== null) headers['x-csrf-token'] = token
    return t.api(method, path, { headers, ...(opts.body !== undefined ? { body: opts.body } : {}) })
  }
  return { cookie, csrf, call }
}
