import { describe, expect, it } from 'vitest'
import { accountErrorText } from '../../src/renderer/src/components/account-errors'
import { translate, type MessageKey, type Vars } from '../../src/renderer/src/i18n'

// The sign-in screen's words for the relay's refusals: the reason wins, then the step.

const zh = (key: MessageKey, vars?: Vars) => translate('zh-CN', key, vars)

describe('sign-in error text', () => {
  it('names a lockout with its minutes, and every other relay reason', () => {
    expect(accountErrorText(zh, { code: 'UNAVAILABLE', message: 'x', details: { reason: 'locked', retryAfterSeconds: 610 } }, 'code')).toBe(
      '尝试次数过多，已暂时锁定，请 11 分钟后再试'
    )
    expect(accountErrorText(zh, { code: 'UNAVAILABLE', message: 'x', details: { reason: 'too_many_codes' } }, 'target')).toBe(zh('account.error.tooMany'))
    expect(accountErrorText(zh, { code: 'UNAVAILABLE', message: 'x', details: { reason: 'offline' } }, 'target')).toBe(zh('account.error.offline'))
    expect(accountErrorText(zh, { code: 'FORBIDDEN', message: 'x', details: { reason: 'other_account' } }, 'code')).toBe(zh('account.error.otherAccount'))
    expect(accountErrorText(zh, { code: 'UNAVAILABLE', message: 'x', details: { reason: 'method_off' } }, 'target')).toBe(zh('account.error.methodOff'))
  })

  it('without a reason: a refused code is a wrong code, bad input is a bad address, the rest their code’s text', () => {
    expect(accountErrorText(zh, { code: 'UNAUTHORIZED', message: 'x' }, 'code')).toBe(zh('account.error.wrongCode'))
    expect(accountErrorText(zh, { code: 'INVALID_INPUT', message: 'x' }, 'target')).toBe(zh('account.error.badTarget'))
    expect(accountErrorText(zh, { code: 'NOT_FOUND', message: 'x' }, 'device')).toBe(zh('error.NOT_FOUND'))
  })
})
