// The Electron adapter: app lifecycle and the window. Only files under src/main/electron
// and src/preload may import 'electron'; the billing core below runs in plain Node.
import { join } from 'node:path'
import { app, BrowserWindow, session } from 'electron'
import { createBilling } from '../billing'
import { createIpcHandlers, createNotifier, fileSettings, temporaryUnavailableExtras, type AppPage } from '../ipc'
import { registerIpc, windowEvents } from './ipc'
import { electronNativeBinding } from './native-binding'
import { hardenSession, openProviderCheckout } from './security'
import { createMainWindow, preloadFile, rendererIndex } from './window'

const devServerUrl = process.env['ELECTRON_RENDERER_URL']
const page: AppPage = devServerUrl && !app.isPackaged ? { devServerUrl } : { indexHtml: rendererIndex(__dirname) }
let win: BrowserWindow | null = null
const currentWindow = (): BrowserWindow | null => win

// One instance owns the ledger file (and may free the previous run's live-room leases).
const primary = app.requestSingleInstanceLock()
if (!primary) app.quit()
else void app.whenReady().then(start)

function start(): void {
  hardenSession(session.defaultSession, page.devServerUrl !== undefined)
  const billing = createBilling({
    dbPath: join(app.getPath('userData'), 'billing.sqlite'),
    nativeBinding: electronNativeBinding(app.getAppPath(), process.versions.modules),
    migrationsFolder: join(app.getAppPath(), 'migrations/app'),
    previousRunEnded: true
  })
  const notify = createNotifier(billing, windowEvents(currentWindow))
  const handlers = createIpcHandlers({
    billing,
    notify,
    // TEMPORARY: replace with the sync service's handlers and checkout URLs (issue 4).
    extra: temporaryUnavailableExtras(),
    settings: fileSettings(join(app.getPath('userData'), 'billing-settings.json')),
    external: { open: openProviderCheckout }
  })
  const unregister = registerIpc(handlers, page, currentWindow)
  const sweep = setInterval(() => billing.sweep(), 60_000)
  app.on('before-quit', () => {
    clearInterval(sweep)
    unregister()
    billing.close()
  })
  const open = (): void => {
    win = createMainWindow(page, preloadFile(__dirname))
    win.on('closed', () => (win = null))
  }
  open()
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore()
      win.focus()
    }
  })
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open()
  })
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

// Belt and braces: no web contents of this app may open windows or navigate (webviews included).
app.on('web-contents-created', (_e, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  contents.on('will-navigate', (e) => e.preventDefault())
})
