import type { Transport } from '../../shared/ipc/client'
import { createWebSocketTransport } from './ws-transport'

// The one place the renderer picks how it reaches main: the preload's `window.billing` inside
// Electron, else a WebSocket to the host process that served this page (tests, browser runs).

declare global {
  interface Window {
    billing?: Transport
  }
}

export function pickTransport(win: Window = window): Transport {
  if (win.billing) return win.billing
  const scheme = win.location.protocol === 'https:' ? 'wss' : 'ws'
  return createWebSocketTransport(`${scheme}://${win.location.host}/ipc`)
}
