// The example host app's main process: its own window and screen, with the billing module
// attached through the public API (src/main/index.ts of this repository; in your app, the
// package you install). `npm run example:build` builds it; it needs the Electron binary to run.
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { app, BrowserWindow, ipcMain } from 'electron'
import { openBillingModule } from '../../../../src/main'
import { askAi, endLiveSessions, type AiBackend } from './features'

// Stands in for the host's model: echoes the prompt after a moment.
const ai: AiBackend = { complete: async (prompt) => `（示例回答）${prompt}` }

if (!app.requestSingleInstanceLock()) app.quit()
else void app.whenReady().then(start)

async function start(): Promise<void> {
  // better-sqlite3 built for Electron by `npm run rebuild:electron` (node_modules holds Node's build).
  const nativeBinding = join(app.getAppPath(), '..', '..', '.native', `electron-${process.versions.modules}`, 'better_sqlite3.node')
  const billing = await openBillingModule({
    ...(existsSync(nativeBinding) ? { nativeBinding } : {}),
    dataDir: join(app.getPath('userData'), 'billing'),
    migrationsFolder: join(app.getAppPath(), '..', '..', 'migrations', 'app'),
    relay: process.env['BILLING_RELAY_URL']
      ? { url: process.env['BILLING_RELAY_URL'], publicKey: process.env['BILLING_RELAY_PUBLIC_KEY'] ?? '' }
      : null,
    previousRunEnded: true,
    ipcMain
  })
  const page = join(__dirname, '../renderer/index.html')
  const win = new BrowserWindow({
    width: 720,
    height: 520,
    webPreferences: { preload: join(__dirname, '../preload/index.cjs'), contextIsolation: true, sandbox: true, nodeIntegration: false }
  })
  billing.attach(win, { indexHtml: page })
  // The host's own channel: its screen asks for an AI answer; main gates and pays for it.
  ipcMain.handle('host-app:ask-ai', (e, prompt: unknown) => {
    if (e.sender !== win.webContents || typeof prompt !== 'string' || prompt.length > 2000) return { ok: false, reason: 'bad_request' }
    return askAi(billing, ai, prompt, `ai:${randomUUID()}`)
  })
  void win.loadFile(page)
  app.on('before-quit', () => {
    endLiveSessions(billing)
    billing.close()
  })
}

app.on('window-all-closed', () => app.quit())
