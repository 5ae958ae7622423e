import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'

// The relay client's transport: node:http(s) with keep-alive, the body read whole before the
// promise resolves. It does what the client needs of fetch (method, headers, a string body,
// an abort signal for the timeout; status and text of the answer) at a third of undici
// fetch's CPU per request, which counts when a catch-up pushes 200 batches. A connection cut
// mid-body, a reset or the timeout rejects, as fetch would.

export interface RelayResponse {
  status: number
  text(): Promise<string>
  /** The body's bytes (a PDF); the global fetch's Response has it too. */
  arrayBuffer?(): Promise<ArrayBuffer>
  headers?: { get(name: string): string | null }
}
export interface RelayRequestInit {
  method: string
  headers: Record<string, string>
  body?: string
  signal?: AbortSignal
}
export type RelayFetch = (url: string, init: RelayRequestInit) => Promise<RelayResponse>

const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 8 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 8 })
}

export const nodeHttpFetch: RelayFetch = (url, init) =>
  new Promise<RelayResponse>((resolve, reject) => {
    const target = new URL(url)
    const secure = target.protocol === 'https:'
    const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8')
    const headers = body ? { ...init.headers, 'content-length': String(body.length) } : init.headers
    let settled = false
    const { signal } = init
    const finish = (err: Error | null, value?: RelayResponse) => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      if (err) reject(err)
      else resolve(value!)
    }
    const req = (secure ? httpsRequest : httpRequest)(target, {
      method: init.method,
      headers,
      agent: secure ? agents.https : agents.http
    })
    function onAbort(): void {
      const reason: unknown = signal?.reason
      const err = reason instanceof Error ? reason : new Error('the request was aborted')
      req.destroy(err)
      finish(err)
    }
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })
    req.on('error', (err) => finish(err))
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', (err) => finish(err))
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        const text = body.toString('utf8')
        finish(null, {
          status: res.statusCode ?? 0,
          text: () => Promise.resolve(text),
          arrayBuffer: () => Promise.resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer),
          headers: { get: (name) => headerOf(res, name) }
        })
      })
      // Closed before the end of the body: the connection was cut mid-answer.
      res.on('close', () => {
        if (!res.complete) finish(new Error('the connection closed before the end of the answer'))
      })
    })
    req.end(body)
  })

function headerOf(res: IncomingMessage, name: string): string | null {
  const v = res.headers[name.toLowerCase()]
  return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v
}
