// The Electron adapter: app lifecycle and the window. Only files under src/main/electron
// and src/preload may import 'electron'; the billing core below runs in plain Node.
import { join } from 'node:path'
import { app, BrowserWindow, session } from 'electron'
import { createIpcHandlers, createNotifier, fileSettings, forwardSyncEvents, syncHandlers, type AppPage } from '../ipc'
import { registerIpc, windowEvents } from './ipc'
import { hardenSession, openProviderCheckout } from './security'
import { openAppBilling } from './synced-billing'
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
  const { billing, sync, enrolFromEnvironment, close } = openAppBilling()
  const notify = createNotifier(billing, windowEvents(currentWindow), { firstFreeAvailable: () => sync.firstFreeAvailable() })
  const unforward = forwardSyncEvents(sync, billing, notify)
  const handlers = createIpcHandlers({
    billing,
    notify,
    extra: syncHandlers(sync),
    settings: fileSettings(join(app.getPath('userData'), 'billing-settings.json')),
    external: { checkoutUrl: (orderId) => sync.checkoutUrl(orderId), open: openProviderCheckout }
  })
  const unregister = registerIpc(handlers, page, currentWindow)
  // A failed sweep is logged and tried again next minute (never an uncaught main-process error).
  const sweep = setInterval(() => {
    try {
      billing.sweep()
    } catch (err) {
      console.error('[billing sweep]', err instanceof Error ? err.message : err)
    }
  }, 60_000)
  // Start-up sync and its triggers; a code from the environment enrols first.
  void enrolFromEnvironment().finally(() => sync.start())
  app.on('before-quit', () => {
    clearInterval(sweep)
    unregister()
    unforward()
    close()
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
