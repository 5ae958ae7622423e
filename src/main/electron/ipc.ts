import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron'
import { CHANNEL_NAMES, ipcChannel, ipcEvent } from '../../shared/ipc/contract'
import { createDispatcher, createEventEmitter, type EventEmitter, type Handlers } from '../../shared/ipc/server'
import { isAppPageUrl, type AppPage } from '../ipc'

// ipcMain.handle for every contract channel (billing:<channel>). A call counts only from the
// app window's own main frame showing the app's page; anything else gets FORBIDDEN.

export function registerIpc(
  handlers: Handlers<IpcMainInvokeEvent>,
  page: AppPage,
  currentWindow: () => BrowserWindow | null
): () => void {
  const dispatcher = createDispatcher<IpcMainInvokeEvent>(handlers, {
    isTrustedSender(e) {
      const win = currentWindow()
      const frame = e.senderFrame
      return (
        win !== null &&
        !win.isDestroyed() &&
        e.sender === win.webContents &&
        frame !== null &&
        frame === win.webContents.mainFrame &&
        isAppPageUrl(frame.url, page)
      )
    },
    onError: (info) => console.error('[billing ipc]', info.channel, info.error)
  })
  for (const ch of CHANNEL_NAMES) ipcMain.handle(ipcChannel(ch), (e, input: unknown) => dispatcher.dispatch(ch, input, e))
  return () => {
    for (const ch of CHANNEL_NAMES) ipcMain.removeHandler(ipcChannel(ch))
  }
}

/** Events go to the app window only, checked against the contract first. */
export function windowEvents(currentWindow: () => BrowserWindow | null): EventEmitter {
  return createEventEmitter(
    (event, payload) => {
      const win = currentWindow()
      if (win && !win.isDestroyed()) win.webContents.send(ipcEvent(event), payload)
    },
    (info) => console.error('[billing event]', info.event, info.error)
  )
}
