import { InvalidInput } from '../../shared/errors'

// Where a one-time code goes, normalised so that one person is one target however they type
// it: an email in lower case, a mobile number in E.164 (a bare 11-digit number starting with
// 1 is taken as mainland China, +86).

export type CodeMethod = 'email' | 'sms'

const EMAIL = /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/

export function normaliseTarget(method: CodeMethod, raw: string): string {
  const text = raw.trim()
  if (method === 'email') {
    const email = text.toLowerCase()
    if (email.length > 254 || !EMAIL.test(email)) throw new InvalidInput('target: not an email address', { field: 'target' })
    return email
  }
  const compact = text.replace(/[\s()-]/g, '')
  const e164 = /^1\d{10}$/.test(compact) ? `+86${compact}` : compact.startsWith('00') ? `+${compact.slice(2)}` : compact
  if (!/^\+[1-9]\d{7,14}$/.test(e164)) throw new InvalidInput('target: not a mobile number (E.164, e.g. +8613800138000)', { field: 'target' })
  return e164
}
