// Electron adapter: the options the project's app hands the public API (src/main/index.ts):
// electron-store settings, the safeStorage-sealed device token, net/powerMonitor signals,
// the Electron build of better-sqlite3, the packaged migrations and desktop notifications. The relay comes from
// BILLING_RELAY_URL / BILLING_RELAY_PUBLIC_KEY, else from what the build set
// (scripts: `BILLING_RELAY_URL=… BILLING_RELAY_PUBLIC_KEY=… npm run package`), else from the
// settings store; with none the app runs offline on its own data.
import { join } from 'node:path'
import { app, BrowserWindow, ipcMain } from 'electron'
import { resolveRelay, type BillingModuleOptions, type RelayConfig } from '..'
import { electronNativeBinding } from './native-binding'
import { electronSecretStore } from './secrets'
import { openProviderCheckout } from './security'
import { openWithSystemViewer } from './open-file'
import { electronSettingsStore } from './settings-store'
import { electronSyncSignals } from './sync-signals'
import { electronDesktopNotifier } from './desktop-notifier'

/** Set by electron.vite.config.ts from the build's environment ('' when the build set none). */
declare const __BILLING_RELAY_URL__: string
declare const __BILLING_RELAY_PUBLIC_KEY__: string
const built = {
  url: typeof __BILLING_RELAY_URL__ === 'string' ? __BILLING_RELAY_URL__ : '',
  publicKey: typeof __BILLING_RELAY_PUBLIC_KEY__ === 'string' ? __BILLING_RELAY_PUBLIC_KEY__ : ''
}

export function appModuleOptions(env: NodeJS.ProcessEnv = process.env): BillingModuleOptions & { dispose(): void } {
  const settings = electronSettingsStore()
  const stored = settings.get()
  let relay: RelayConfig | null = null
  try {
    relay = resolveRelay(
      { url: env['BILLING_RELAY_URL'], publicKey: env['BILLING_RELAY_PUBLIC_KEY'] },
      built,
      { url: stored.relayUrl, publicKey: stored.relayPublicKey }
    )
  } catch (err) {
    // A URL without its key: nothing from that relay could be trusted, so run without it.
    console.error('[billing sync]', err instanceof Error ? err.message : err)
  }
  const signals = electronSyncSignals()
  const appPath = app.getAppPath()
  const nativeBinding = electronNativeBinding(appPath, process.versions.modules)
  return {
    dataDir: app.getPath('userData'),
    migrationsFolder: join(appPath, 'migrations/app'),
    ...(nativeBinding ? { nativeBinding } : {}),
    relay,
    settings,
    secrets: electronSecretStore(),
    signals,
    // The app holds Electron's single-instance lock: the previous run's rooms are dead.
    previousRunEnded: true,
    ipcMain,
    openExternal: openProviderCheckout,
    // A click on a notice brings the app's window forward (its bell shows the notice).
    desktopNotifier: electronDesktopNotifier({ onClick: focusWindow }),
    openFile: openWithSystemViewer,
    startSync: false,
    dispose: () => signals.dispose()
  }
}

function focusWindow(): void {
  const win = BrowserWindow.getAllWindows()[0]
  if (!win) return
  if (win.isMinimized()) win.restore()
  win.focus()
}
