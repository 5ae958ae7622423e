import { BillingError } from '../../shared/errors'
import { CHANNEL_NAMES, ipcChannel, ipcEvent, type EventName } from '../../shared/ipc/contract'
import { createDispatcher, type Handlers } from '../../shared/ipc/server'
import { isAppPageUrl, type AppPage } from '../ipc/sender'
import type { IpcEventLike, IpcMainLike, Logger, WindowLike } from './types'

// The module's IPC over the host's ipcMain, for the windows the host attaches. A call counts
// only from an attached window's own main frame showing the page it was attached with;
// anything else gets FORBIDDEN. Events go to every attached window.

export interface Attachments {
  attach(window: WindowLike, page: AppPage): () => void
  send(event: EventName, payload: unknown): void
  close(): void
}

export function ipcAttachments(handlers: Handlers<IpcEventLike>, ipcMain: IpcMainLike | undefined, log: Logger): Attachments {
  const windows = new Map<WindowLike, AppPage>()
  let registered = false
  const dispatcher = createDispatcher<IpcEventLike>(handlers, {
    isTrustedSender: (e) => trusted(e),
    // Typed errors are answers the screen shows; only faults are logged.
    onError: (info) => void (info.error instanceof BillingError || log.error(`[billing ipc] ${info.channel}`, info.error))
  })
  const trusted = (e: IpcEventLike): boolean => {
    for (const [win, page] of windows) {
      if (win.isDestroyed() || e.sender !== win.webContents) continue
      const frame = e.senderFrame
      return frame !== null && frame === win.webContents.mainFrame && isAppPageUrl(frame.url, page)
    }
    return false
  }
  const register = (ipc: IpcMainLike): void => {
    if (registered) return
    registered = true
    for (const ch of CHANNEL_NAMES) {
      ipc.handle(ipcChannel(ch), (e, input) => dispatcher.dispatch(ch, input, e))
    }
  }
  return {
    attach(window, page) {
      if (!ipcMain) throw new Error('createBillingModule({ ipcMain }) is needed to attach windows')
      register(ipcMain)
      windows.set(window, page)
      const detach = (): void => void windows.delete(window)
      window.once('closed', detach)
      return detach
    },
    send(event, payload) {
      for (const win of windows.keys()) {
        if (win.isDestroyed()) windows.delete(win)
        else {
          try {
            win.webContents.send(ipcEvent(event), payload)
          } catch (err) {
            log.warn(`[billing event] ${event}`, err)
          }
        }
      }
    },
    close() {
      windows.clear()
      if (registered && ipcMain) for (const ch of CHANNEL_NAMES) ipcMain.removeHandler(ipcChannel(ch))
      registered = false
    }
  }
}
