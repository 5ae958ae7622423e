import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Dispatcher } from '../shared/ipc/server'

// The contract over a WebSocket at /ipc, in the format of src/renderer/src/ws-transport.ts:
// { id, channel, input } → { id, result }; events go out as { event, payload }. A socket
// opens only for the host's own Origin (a page from anywhere else is refused at the
// upgrade), and the dispatcher checks that Origin again on every request.

export interface HostSender {
  origin: string | undefined
}

const MAX_MESSAGE_BYTES = 64 * 1024

export interface IpcSocket {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
  broadcast(event: string, payload: unknown): void
  close(): Promise<void>
}

export function ipcSocket(
  dispatcher: Dispatcher<HostSender>,
  accept: (req: IncomingMessage) => boolean,
  onError: (error: unknown) => void
): IpcSocket {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  const clients = new Set<WebSocket>()
  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const sender: HostSender = { origin: req.headers.origin }
    clients.add(ws)
    ws.on('close', () => clients.delete(ws))
    ws.on('error', onError)
    ws.on('message', (data, isBinary) => {
      if (isBinary) return
      let msg: unknown
      try {
        msg = JSON.parse(data.toString())
      } catch {
        return
      }
      // Without a numeric id there is nobody to answer: drop it.
      if (typeof msg !== 'object' || msg === null || typeof (msg as { id?: unknown }).id !== 'number') return
      const { id, channel, input } = msg as { id: number; channel?: unknown; input?: unknown }
      void dispatcher.dispatch(channel, input, sender).then((result) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id, result }))
      })
    })
  })
  return {
    handleUpgrade(req, socket, head) {
      if (new URL(req.url ?? '/', 'http://x').pathname !== '/ipc' || !accept(req)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
        return
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
    },
    broadcast(event, payload) {
      const text = JSON.stringify({ event, payload })
      for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(text)
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of clients) ws.terminate()
        wss.close(() => resolve())
      })
  }
}
