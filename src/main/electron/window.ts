import { join } from 'node:path'
import { BrowserWindow } from 'electron'
import type { AppPage } from '../ipc'

// The one app window: isolated, sandboxed, no Node in the page; it can never navigate away
// or open another window (links to providers go through checkout.openExternal in main).

export function createMainWindow(page: AppPage, preloadPath: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      spellcheck: false
    }
  })
  win.once('ready-to-show', () => win.show())
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
  win.webContents.on('will-navigate', (e) => e.preventDefault())
  win.webContents.on('will-redirect', (e) => e.preventDefault())
  win.webContents.on('will-attach-webview', (e) => e.preventDefault())
  if (page.devServerUrl) void win.loadURL(page.devServerUrl)
  else if (page.indexHtml) void win.loadFile(page.indexHtml)
  return win
}

export const rendererIndex = (mainDir: string): string => join(mainDir, '../renderer/index.html')
export const preloadFile = (mainDir: string): string => join(mainDir, '../preload/index.cjs')
