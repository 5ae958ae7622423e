// The Electron adapter: app lifecycle and the window. Only files under src/main/electron
// and src/preload may import 'electron'. The billing module comes from the public API
// (src/main/index.ts), exactly as a host app gets it.
import { hostname } from 'node:os'
import { app, BrowserWindow, session } from 'electron'
import { openBillingModule, type AppPage, type BillingModule, type BillingModuleOptions } from '..'
import { hardenSession } from './security'
import { appModuleOptions } from './module-options'
import { createMainWindow, preloadFile, rendererIndex } from './window'

const devServerUrl = process.env['ELECTRON_RENDERER_URL']
const page: AppPage = devServerUrl && !app.isPackaged ? { devServerUrl } : { indexHtml: rendererIndex(__dirname) }
let win: BrowserWindow | null = null

// One instance owns the ledger file (and may free the previous run's live-room leases).
const primary = app.requestSingleInstanceLock()
if (!primary) app.quit()
else void app.whenReady().then(start)

async function start(): Promise<void> {
  hardenSession(session.defaultSession, page.devServerUrl !== undefined)
  const { dispose, ...options } = appModuleOptions()
  const billing = await openBillingModule(options)
  // Start-up sync and its triggers; a code from the environment enrols first.
  void enrolFromEnvironment(billing, options).finally(() => billing.sync.start())
  app.on('before-quit', () => {
    billing.close()
    dispose()
  })
  const open = (): void => {
    win = createMainWindow(page, preloadFile(__dirname))
    billing.attach(win, page)
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

/** Enrols with BILLING_ENROLMENT_CODE when set and not enrolled yet; failures are logged. */
async function enrolFromEnvironment(billing: BillingModule, options: BillingModuleOptions): Promise<void> {
  const code = process.env['BILLING_ENROLMENT_CODE']
  const relay = options.relay
  if (!relay || !code || billing.sync.enrolled) return
  try {
    await billing.sync.enrol(code, process.env['BILLING_DEVICE_NAME'] ?? hostname())
    // Remember which relay this device belongs to, for starts without the variables.
    options.settings?.set({ relayUrl: relay.url, relayPublicKey: relay.publicKey })
  } catch (err) {
    console.error('[billing sync] enrolment failed:', err instanceof Error ? err.message : err)
  }
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

// Belt and braces: no web contents of this app may open windows or navigate (webviews included).
app.on('web-contents-created', (_e, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  contents.on('will-navigate', (e) => e.preventDefault())
})
