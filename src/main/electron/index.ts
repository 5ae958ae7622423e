// The Electron adapter: app lifecycle and the window. Only files under src/main/electron
// and src/preload may import 'electron'; the billing core below runs in plain Node.
import { join } from 'node:path'
import { app, BrowserWindow } from 'electron'
import { createBilling } from '../billing'
import { electronNativeBinding } from './native-binding'

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    show: false,
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false
    }
  })
  win.once('ready-to-show', () => win.show())
  if (process.env['ELECTRON_RENDERER_URL']) void win.loadURL(process.env['ELECTRON_RENDERER_URL'])
  else void win.loadFile(join(__dirname, '../renderer/index.html'))
  return win
}

void app.whenReady().then(() => {
  const billing = createBilling({
    dbPath: join(app.getPath('userData'), 'billing.sqlite'),
    nativeBinding: electronNativeBinding(app.getAppPath(), process.versions.modules),
    migrationsFolder: join(app.getAppPath(), 'migrations/app')
  })
  app.on('before-quit', () => billing.close())
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
