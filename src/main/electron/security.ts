import { shell, type Session } from 'electron'
import { contentSecurityPolicy, isProviderCheckoutUrl } from '../ipc'

// Session-wide rules: the CSP header on every response (the meta tag covers file://), no
// permission prompts (camera, notifications… the billing page needs none).

export function hardenSession(session: Session, dev: boolean): void {
  const csp = contentSecurityPolicy({ dev })
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } })
  })
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
}

/** The system browser, for provider checkout pages only (checked again here, at the edge). */
export async function openProviderCheckout(url: string): Promise<void> {
  if (!isProviderCheckoutUrl(url)) throw new Error('not a provider checkout URL')
  await shell.openExternal(url)
}
