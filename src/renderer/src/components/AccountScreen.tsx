import { useEffect } from 'react'
import type { AccountView } from '../../../shared/ipc/types'
import { useI18n, useS } from '../context'
import { accountErrorText } from './account-errors'
import { ErrorNote } from './ErrorNote'
import { NoticeSettingsCard } from './NoticeSettingsCard'
import { SignInForm } from './SignInForm'

export function AccountScreen(): React.JSX.Element {
  const { t } = useI18n()
  const view = useS('account', (s) => s.view)
  const loadError = useS('account', (s) => s.loadError)
  const load = useS('account', (s) => s.load)
  useEffect(() => {
    void load()
  }, [load])
  if (!view) {
    return (
      <div className="screen">
        <section className="card">
          <h2>{t('account.title')}</h2>
          <ErrorNote error={loadError} />
          {!loadError && <p>{t('common.loading')}</p>}
        </section>
        <NoticeSettingsCard />
      </div>
    )
  }
  return (
    <div className="screen">
      {view.signedIn ? <SignedIn view={view} /> : <SignedOut methods={view.methods} leaving={view.leaving === true} />}
      <NoticeSettingsCard />
    </div>
  )
}

function SignedOut({ methods, leaving }: { methods: Extract<AccountView, { signedIn: false }>['methods']; leaving: boolean }): React.JSX.Element {
  const { t } = useI18n()
  const load = useS('account', (s) => s.load)
  return (
    <section className="card" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">{t('account.signInTitle')}</h2>
      <p className="muted">{t('account.intro')}</p>
      <p className="tag">{t('account.freeTier')}</p>
      {leaving && (
        <p role="status" data-testid="account-leaving">
          {t('account.leaving')}
        </p>
      )}
      {methods === null ? (
        <>
          <p role="status">{t('account.relayUnreachable')}</p>
          <button type="button" onClick={() => void load()}>
            {t('common.retry')}
          </button>
        </>
      ) : methods.length === 0 ? (
        <p role="status">{t('account.noMethods')}</p>
      ) : (
        <SignInForm methods={methods} />
      )}
    </section>
  )
}

function SignedIn({ view }: { view: Extract<AccountView, { signedIn: true }> }): React.JSX.Element {
  const { t, date } = useI18n()
  const { busy, deviceError, removeDevice, signOut, load } = useS('account', (s) => s)
  const how = view.method ? t(`account.via.${view.method}`) : t('account.via.unknown')
  const errorOf = (deviceId: string | null) =>
    deviceError && deviceError.deviceId === deviceId ? accountErrorText(t, deviceError.error, 'device') : ''
  return (
    <>
      <section className="card" aria-labelledby="account-title">
        <h2 id="account-title">{t('account.title')}</h2>
        <dl className="facts">
          <dt>{t('account.signedInWith')}</dt>
          <dd data-testid="account-identity">{view.target ? `${how} · ${view.target}` : how}</dd>
          <dt>{t('account.id')}</dt>
          <dd>
            <code>{view.accountId}</code>
          </dd>
        </dl>
        <p className="muted">{t('account.signOutHint')}</p>
        <button type="button" onClick={() => void signOut()} disabled={busy === 'signingOut'}>
          {busy === 'signingOut' ? t('account.signingOut') : t('account.signOut')}
        </button>
        <p className="error account-error" aria-live="polite" role={errorOf(null) ? 'alert' : undefined}>
          {errorOf(null)}
        </p>
      </section>
      <section className="card" aria-labelledby="devices-title">
        <h2 id="devices-title">{t('account.devices')}</h2>
        {view.devices === null ? (
          <>
            <p role="status">{t('account.devicesUnavailable')}</p>
            <button type="button" onClick={() => void load()}>
              {t('common.retry')}
            </button>
          </>
        ) : (
          <ul className="devices">
            {view.devices.map((d) => (
              <li key={d.deviceId} className="device" data-device={d.deviceId}>
                <span className="device-name">{d.name}</span>
                {d.current && <span className="tag">{t('account.thisDevice')}</span>}
                <span className="muted">{t('account.enrolledAt', { date: date(d.enrolledAt) })}</span>
                {!d.current && (
                  <button
                    type="button"
                    aria-label={t('account.removeNamed', { name: d.name })}
                    disabled={typeof busy === 'object' && busy !== null && busy.removing === d.deviceId}
                    onClick={() => void removeDevice(d.deviceId)}
                  >
                    {t('account.remove')}
                  </button>
                )}
                <span className="error" aria-live="polite" role={errorOf(d.deviceId) ? 'alert' : undefined}>
                  {errorOf(d.deviceId)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  )
}
