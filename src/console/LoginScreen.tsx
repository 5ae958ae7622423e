import { useState, type FormEvent } from 'react'
import { ConsoleApiError } from './api'
import { errorText, useLocale, useLocaleStore, useT } from './i18n'
import { common } from './i18n/common'
import { useSession } from './session'

/** A sign-in refusal by its reason (the lockout says the minutes left). */
function refusalText(err: ConsoleApiError, t: ReturnType<typeof useT<keyof (typeof common)['zh-CN']>>): string | undefined {
  const reason = err.info.details?.['reason']
  const key = `login.refused.${String(reason)}`
  if (typeof reason !== 'string' || !(key in common['zh-CN'])) return undefined
  const seconds = Number(err.info.details?.['retryAfterSeconds'] ?? 0)
  return t(key as keyof (typeof common)['zh-CN'], { minutes: Math.max(1, Math.ceil(seconds / 60)) })
}

export function LoginScreen() {
  const t = useT(common)
  const locale = useLocale()
  const setLocale = useLocaleStore((s) => s.setLocale)
  const login = useSession((s) => s.login)
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [totp, setTotp] = useState('')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      await login(email, password, totp || undefined)
    } catch (err) {
      setError(err instanceof ConsoleApiError ? refusalText(err, t) ?? errorText(err.info, locale) : String(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="login card" onSubmit={(e) => void submit(e)}>
      <h1>{t('login.title')}</h1>
      <label>
        {t('login.email')}
        <input name="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
      </label>
      <label>
        {t('login.password')}
        <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      </label>
      <label>
        {t('login.totp')}
        <input name="totp" inputMode="numeric" autoComplete="one-time-code" value={totp} onChange={(e) => setTotp(e.target.value)} />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {t('login.submit')}
      </button>
      <button type="button" className="link" onClick={() => setLocale(locale === 'zh-CN' ? 'en' : 'zh-CN')}>
        {t('shell.language')}
      </button>
    </form>
  )
}
