// Electron adapter: online/offline and resume-from-sleep signals for the sync scheduler.
// Electron's main process has no online/offline event, so net.isOnline() is sampled and a
// change is reported; resume and screen unlock (a laptop opened at the venue) trigger a sync.
import { net, powerMonitor } from 'electron'
import type { SyncSignals } from '../sync'

export function electronSyncSignals(sampleMs = 5_000): SyncSignals & { dispose(): void } {
  const online = new Set<() => void>()
  const offline = new Set<() => void>()
  let last = net.isOnline()
  const timer = setInterval(() => {
    const now = net.isOnline()
    if (now === last) return
    last = now
    for (const cb of now ? online : offline) cb()
  }, sampleMs)
  timer.unref()
  const on = (set: Set<() => void>, cb: () => void) => {
    set.add(cb)
    return () => void set.delete(cb)
  }
  return {
    isOnline: () => net.isOnline(),
    onOnline: (cb) => on(online, cb),
    onOffline: (cb) => on(offline, cb),
    onResume(cb) {
      powerMonitor.on('resume', cb)
      powerMonitor.on('unlock-screen', cb)
      return () => {
        powerMonitor.off('resume', cb)
        powerMonitor.off('unlock-screen', cb)
      }
    },
    dispose: () => clearInterval(timer)
  }
}
