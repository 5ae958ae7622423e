import { useEffect, useState } from 'react'
import { useSession } from './session'
import { useLocaleStore, useT } from './i18n'
import { common } from './i18n/common'
import { allScreens, type ScreenId } from './screens/registry'
import { LoginScreen } from './LoginScreen'

// The shell: sign-in, then the navigation of the screens the role may use, the language switch
// and sign-out. The place is the location hash, so a reload or a shared link keeps it.

function parseHash(): { id: string; rest: string } {
  const [id = '', ...rest] = window.location.hash.replace(/^#\/?/, '').split('/')
  return { id, rest: rest.map(decodeURIComponent).join('/') }
}

export function App() {
  const session = useSession()
  const { locale, setLocale } = useLocaleStore()
  const t = useT(common)
  const [place, setPlace] = useState(parseHash)

  useEffect(() => {
    void session.restore()
    const onHash = () => setPlace(parseHash())
    window.addEventListener('hashchange', onHash)
    return () => window.removeEventListener('hashchange', onHash)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  useEffect(() => {
    document.title = t('app.title')
    document.documentElement.lang = locale
  })

  if (session.status === 'loading') return <p className="loading">{t('common.loading')}</p>
  if (session.status === 'signedOut') return <LoginScreen />

  const visible = allScreens().filter((s) => session.can(s.permission))
  const current = visible.find((s) => s.id === place.id) ?? visible[0]
  const navigate = (screen: ScreenId, rest = '') => {
    window.location.hash = `#/${screen}${rest ? `/${encodeURIComponent(rest)}` : ''}`
  }
  const Screen = current?.component
  return (
    <div className="shell">
      <header className="topbar">
        <strong>{t('app.title')}</strong>
        <span className="who" data-testid="who">
          {t('shell.signedInAs', { email: session.operator!.email, role: t(`role.${session.operator!.role}`) })}
        </span>
        <button type="button" onClick={() => setLocale(locale === 'zh-CN' ? 'en' : 'zh-CN')}>
          {t('shell.language')}
        </button>
        <button type="button" onClick={() => void session.logout()}>
          {t('shell.logout')}
        </button>
      </header>
      <nav className="nav">
        {visible.map((s) => (
          <a key={s.id} href={`#/${s.id}`} className={s.id === current?.id ? 'active' : ''}>
            {t(s.title)}
          </a>
        ))}
      </nav>
      <main className="content">{Screen && current ? <Screen key={current.id} rest={current.id === place.id ? place.rest : ''} navigate={navigate} /> : <p>{t('common.empty')}</p>}</main>
    </div>
  )
}
