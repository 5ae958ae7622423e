// Electron adapter: desktop notifications with Electron's Notification. On Windows a toast
// needs the app's AppUserModelID (the one the installer's shortcut carries), set once here.
import { app, Notification } from 'electron'
import type { DesktopNotice, DesktopNotifier } from '../notifications'

/** electron-builder.yml's appId: NSIS writes it into the Start-menu shortcut Windows matches toasts by. */
export const APP_USER_MODEL_ID = 'com.livestream.assistant.billing'

export function electronDesktopNotifier(opts: { appUserModelId?: string; onClick?: (notice: DesktopNotice) => void } = {}): DesktopNotifier {
  if (process.platform === 'win32') app.setAppUserModelId(opts.appUserModelId ?? APP_USER_MODEL_ID)
  // Held until closed: a notification collected by the GC loses its click handler.
  const open = new Set<Notification>()
  return {
    show(notice) {
      if (!Notification.isSupported()) return
      const n = new Notification({ title: notice.title, body: notice.body })
      open.add(n)
      n.on('close', () => open.delete(n))
      n.on('click', () => {
        open.delete(n)
        opts.onClick?.(notice)
      })
      n.show()
    }
  }
}
