import type { Transport } from '../../shared/ipc/client'
import type { Result } from '../../shared/result'

// The contract over a WebSocket: requests { id, channel, input } → { id, result }, events
// { event, payload }. Requests made while the socket is down wait for it; a socket that
// drops fails its in-flight requests (the client turns that into UNAVAILABLE) and reconnects.

interface Pending {
  resolve(r: Result<unknown>): void
  reject(e: Error): void
}

export interface WebSocketTransport extends Transport {
  close(): void
}

export function createWebSocketTransport(
  url: string,
  WebSocketImpl: typeof WebSocket = WebSocket
): WebSocketTransport {
  let socket: WebSocket | null = null
  let open = false
  let closed = false
  let nextId = 1
  let retryMs = 250
  const pending = new Map<number, Pending>()
  const queue: string[] = []
  const listeners = new Map<string, Set<(payload: unknown) => void>>()

  function connect(): void {
    if (closed) return
    const ws = new WebSocketImpl(url)
    socket = ws
    ws.onopen = () => {
      open = true
      retryMs = 250
      for (const msg of queue.splice(0)) ws.send(msg)
    }
    ws.onmessage = (ev: MessageEvent) => {
      let msg: unknown
      try {
        msg = JSON.parse(String(ev.data))
      } catch {
        return
      }
      if (typeof msg !== 'object' || msg === null) return
      const m = msg as { id?: unknown; result?: unknown; event?: unknown; payload?: unknown }
      if (typeof m.id === 'number') {
        const p = pending.get(m.id)
        pending.delete(m.id)
        p?.resolve(m.result as Result<unknown>)
      } else if (typeof m.event === 'string') {
        for (const cb of listeners.get(m.event) ?? []) cb(m.payload)
      }
    }
    ws.onclose = () => {
      open = false
      socket = null
      // Everything in flight or queued fails now; the caller retries with the same key.
      queue.length = 0
      for (const [id, p] of pending) {
        pending.delete(id)
        p.reject(new Error('connection to the billing host lost'))
      }
      if (!closed) {
        setTimeout(connect, retryMs)
        retryMs = Math.min(retryMs * 2, 5000)
      }
    }
  }

  connect()

  return {
    invoke(channel, input) {
      const id = nextId++
      const msg = JSON.stringify({ id, channel, input })
      return new Promise<Result<unknown>>((resolve, reject) => {
        pending.set(id, { resolve, reject })
        if (open && socket) socket.send(msg)
        else queue.push(msg)
      })
    },
    on(event, cb) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(cb)
      return () => {
        set.delete(cb)
      }
    },
    close() {
      closed = true
      socket?.close()
    }
  }
}
