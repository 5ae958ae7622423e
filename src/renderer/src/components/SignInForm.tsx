import { useState } from 'react'
import type { SignInMethod } from '../../../shared/ipc/types'
import { useI18n, useS } from '../context'
import type { MessageKey } from '../i18n'
import { accountErrorText } from './account-errors'
import { TextField } from './TextField'

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/
const PHONE = /^\+?[\d\s()-]{8,20}$/

/** What is wrong with the typed address or number before anything is sent, if anything. */
function targetProblem(method: SignInMethod, text: string): MessageKey | null {
  if (!text.trim()) return method === 'email' ? 'account.emailRequired' : 'account.phoneRequired'
  if (method === 'email' ? !EMAIL.test(text.trim()) : !PHONE.test(text.trim())) return 'account.error.badTarget'
  return null
}

export function SignInForm({ methods }: { methods: SignInMethod[] }): React.JSX.Element {
  const { t, dateTime } = useI18n()
  const { method, step, sentTo, expiresAt, busy, targetError, codeError } = useS('account', (s) => s)
  const { setMethod, requestCode, verify, back } = useS('account', (s) => s)
  const [target, setTarget] = useState('')
  const [code, setCode] = useState('')
  const [touched, setTouched] = useState(false)
  // The code step judges its field only once the user tried to submit it.
  const [codeTouched, setCodeTouched] = useState(false)

  const local = touched ? targetProblem(method, target) : null
  const targetMessage = local ? t(local) : targetError ? accountErrorText(t, targetError, 'target') : ''
  const codeLocal = codeTouched && !/^\d{6}$/.test(code) ? t('account.codeSixDigits') : ''
  const codeMessage = codeLocal || (codeError ? accountErrorText(t, codeError, 'code') : '')
  const label = method === 'email' ? t('account.email') : t('account.phone')

  if (step === 'code') {
    return (
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault()
          setCodeTouched(true)
          if (/^\d{6}$/.test(code)) void verify(code)
        }}
      >
        <p role="status">{t('account.codeSent', { target: sentTo ?? '', time: expiresAt ? dateTime(expiresAt) : '' })}</p>
        <TextField
          label={t('account.code')}
          hint={t('account.codeHint')}
          problem={codeMessage}
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          value={code}
          onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
        />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy === 'verifying'}>
            {busy === 'verifying' ? t('account.verifying') : t('account.signIn')}
          </button>
          <button
            type="button"
            onClick={() => {
              setCode('')
              setCodeTouched(false)
              back()
            }}
          >
            {t('account.changeTarget', { what: label })}
          </button>
        </div>
      </form>
    )
  }
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault()
        setTouched(true)
        if (!targetProblem(method, target)) void requestCode(target)
      }}
    >
      {methods.length > 1 && (
        <fieldset className="chips">
          <legend>{t('account.method')}</legend>
          {methods.map((m) => (
            <label key={m} className={`chip ${method === m ? 'chip-on' : ''}`}>
              <input
                type="radio"
                name="sign-in-method"
                value={m}
                checked={method === m}
                onChange={() => {
                  setTarget('')
                  setTouched(false)
                  setMethod(m)
                }}
              />
              {t(`account.method.${m}`)}
            </label>
          ))}
        </fieldset>
      )}
      <TextField
        label={label}
        hint={method === 'email' ? t('account.emailHint') : t('account.phoneHint')}
        problem={targetMessage}
        type={method === 'email' ? 'email' : 'tel'}
        autoComplete={method === 'email' ? 'email' : 'tel'}
        value={target}
        onChange={(e) => setTarget(e.target.value)}
      />
      <button type="submit" className="primary" disabled={busy === 'sending'}>
        {busy === 'sending' ? t('account.sending') : t('account.sendCode')}
      </button>
    </form>
  )
}
