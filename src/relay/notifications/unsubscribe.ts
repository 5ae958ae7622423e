import { NoticeKindSchema, type NoticeKind } from '../../shared/relay-contract'
import { AuthSecret } from '../auth/secret'

// Unsubscribe links: one per account and notice kind, signed with the relay's auth secret
// (HMAC-SHA256), so a link opts out only the account and kind it was made for and nobody can
// make one for another account. No expiry: a link in an old email still works.
// Token: base64url(accountId + NUL + kind) "." hex MAC.

const PURPOSE = 'unsubscribe'

export function unsubscribeToken(secret: AuthSecret, accountId: string, kind: NoticeKind): string {
  const body = `${accountId}\u0000${kind}`
  return `${Buffer.from(body, 'utf8').toString('base64url')}.${secret.tag(PURPOSE, body)}`
}

/** The account and kind a token opts out, or undefined when it is malformed or not ours. */
export function readUnsubscribeToken(secret: AuthSecret, token: string): { accountId: string; kind: NoticeKind } | undefined {
  const m = /^([A-Za-z0-9_-]{1,400})\.([0-9a-f]{64})$/.exec(token)
  if (!m) return undefined
  const body = Buffer.from(m[1]!, 'base64url').toString('utf8')
  if (!AuthSecret.same(secret.tag(PURPOSE, body), m[2]!)) return undefined
  const [accountId, kind, ...rest] = body.split('\u0000')
  const parsed = NoticeKindSchema.safeParse(kind)
  if (!accountId || rest.length || !parsed.success) return undefined
  return { accountId, kind: parsed.data }
}
