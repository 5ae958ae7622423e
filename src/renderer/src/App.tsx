import { useEffect, useId } from 'react'
import { localeSchema } from '../../shared/ipc/schemas/common'
import { AccountScreen } from './components/AccountScreen'
import { GateDialog } from './components/GateDialog'
import { LiveControl } from './components/LiveControl'
import { NoticeCentre } from './components/NoticeCentre'
import { HistoryScreen } from './components/HistoryScreen'
import { InvoicesScreen } from './components/InvoicesScreen'
import { PlansScreen } from './components/PlansScreen'
import { StatusBar } from './components/StatusBar'
import { UsageScreen } from './components/UsageScreen'
import { WalletScreen } from './components/WalletScreen'
import { useI18n, useS } from './context'
import type { Screen } from './stores/settings'

const SCREENS: Screen[] = ['wallet', 'plans', 'usage', 'history', 'invoices', 'account']

export function App(): React.JSX.Element {
  const { t, locale } = useI18n()
  const screen = useS('settings', (s) => s.screen)
  const { go, setLocale, load: loadSettings } = useS('settings', (s) => s)
  const loadSync = useS('sync', (s) => s.load)
  const loadLive = useS('live', (s) => s.load)
  const loadAccount = useS('account', (s) => s.load)
  const localeId = useId()

  useEffect(() => {
    void loadSettings()
    void loadSync()
    void loadLive()
    void loadAccount()
  }, [loadSettings, loadSync, loadLive, loadAccount])
  useEffect(() => {
    document.documentElement.lang = locale
    document.title = t('app.title')
  }, [locale, t])

  return (
    <div className="app">
      <header className="top">
        <h1>{t('app.title')}</h1>
        <nav aria-label={t('nav.label')} className="nav">
          {SCREENS.map((s) => (
            <button
              key={s}
              type="button"
              aria-current={screen === s ? 'page' : undefined}
              className={screen === s ? 'nav-on' : ''}
              onClick={() => go(s)}
            >
              {t(`nav.${s}`)}
            </button>
          ))}
        </nav>
        <div className="top-right">
          <LiveControl />
          <NoticeCentre />
          <label htmlFor={localeId} className="sr-only">
            {t('locale.label')}
          </label>
          <select
            id={localeId}
            value={locale}
            onChange={(e) => {
              const parsed = localeSchema.safeParse(e.target.value)
              if (parsed.success) void setLocale(parsed.data)
            }}
          >
            {localeSchema.options.map((l) => (
              <option key={l} value={l}>
                {t(`locale.${l}`)}
              </option>
            ))}
          </select>
        </div>
      </header>
      <main className="content">
        {screen === 'wallet' && <WalletScreen />}
        {screen === 'plans' && <PlansScreen />}
        {screen === 'usage' && <UsageScreen />}
        {screen === 'history' && <HistoryScreen />}
        {screen === 'invoices' && <InvoicesScreen />}
        {screen === 'account' && <AccountScreen />}
      </main>
      <StatusBar />
      <GateDialog />
    </div>
  )
}
