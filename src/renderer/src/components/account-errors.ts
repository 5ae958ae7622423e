import type { ErrorInfo } from '../../../shared/errors'
import { errorText, type MessageKey, type Translate } from '../i18n'

// A sign-in failure in words: the relay's reason (locked, off, not sent, offline, another
// account) when it gave one, else what the failing step means, else the code's general text.

const BY_REASON: Record<string, MessageKey> = {
  locked: 'account.error.locked',
  too_many_codes: 'account.error.tooMany',
  rate_limited: 'account.error.tooMany',
  method_off: 'account.error.methodOff',
  send_failed: 'account.error.sendFailed',
  offline: 'account.error.offline',
  no_relay: 'account.error.offline',
  other_account: 'account.error.otherAccount'
}

export function accountErrorText(t: Translate, error: ErrorInfo, step: 'target' | 'code' | 'device'): string {
  const reason = typeof error.details?.['reason'] === 'string' ? error.details['reason'] : undefined
  const key = reason ? BY_REASON[reason] : undefined
  if (key === 'account.error.locked') {
    const seconds = Number(error.details?.['retryAfterSeconds'] ?? 60)
    return t(key, { minutes: Math.max(1, Math.ceil(seconds / 60)) })
  }
  if (key) return t(key)
  if (step === 'code' && error.code === 'UNAUTHORIZED') return t('account.error.wrongCode')
  if (step === 'target' && error.code === 'INVALID_INPUT') return t('account.error.badTarget')
  return errorText(t, error)
}
