// The preload exposes only what the IPC contract names. No raw ipcRenderer, no process.env:
// `window.billing` offers invoke(channel, input) for contract channels (one prefixed Electron
// channel each) and on(event, cb) for contract events. Main validates everything again.
import { contextBridge, ipcRenderer } from 'electron'
import { CHANNEL_NAMES, EVENT_NAMES, ipcChannel, ipcEvent, type ChannelName, type EventName } from '../shared/ipc/contract'
import type { Transport } from '../shared/ipc/client'
import type { Result } from '../shared/result'

const channelSet = new Set<string>(CHANNEL_NAMES)
const eventSet = new Set<string>(EVENT_NAMES)

const bridge: Transport = {
  invoke(channel: string, input: unknown): Promise<Result<unknown>> {
    if (!channelSet.has(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'NOT_FOUND', message: `unknown channel: ${channel}` } })
    }
    return ipcRenderer.invoke(ipcChannel(channel as ChannelName), input) as Promise<Result<unknown>>
  },
  on(event: string, cb: (payload: unknown) => void): () => void {
    if (!eventSet.has(event)) throw new Error(`unknown event: ${event}`)
    const name = ipcEvent(event as EventName)
    // The Electron event object (with its sender) never reaches the page: only the payload.
    const listener = (_e: unknown, payload: unknown): void => cb(payload)
    ipcRenderer.on(name, listener)
    return () => {
      ipcRenderer.removeListener(name, listener)
    }
  }
}

contextBridge.exposeInMainWorld('billing', bridge)
