import { pathToFileURL } from 'node:url'

// Who may call the contract. The Electron adapter accepts only its own window's main frame
// showing the app's page (the built file:// index.html, or the dev server's origin); the
// WebSocket host only the Origin it serves the page from. Pure functions, tested in Node.

export interface AppPage {
  /** Absolute path of the built renderer's index.html (production). */
  indexHtml?: string
  /** The electron-vite dev server URL (development only). */
  devServerUrl?: string
}

export function isAppPageUrl(url: string, page: AppPage): boolean {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  if (page.indexHtml !== undefined && u.protocol === 'file:') {
    return u.host === '' && u.pathname === pathToFileURL(page.indexHtml).pathname
  }
  if (page.devServerUrl !== undefined && (u.protocol === 'http:' || u.protocol === 'https:')) {
    return u.origin === new URL(page.devServerUrl).origin
  }
  return false
}

/** The browser's Origin header must be exactly the host's own http://127.0.0.1:port. */
export function isOwnOrigin(origin: string | undefined, own: string): boolean {
  return typeof origin === 'string' && origin === own
}
