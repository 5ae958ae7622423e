import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

// A fault-injecting HTTP proxy between the app and the relay. Each request draws a fault
// from a seeded generator: dropped before the relay sees it, the reply lost after the relay
// applied it, a delay, the request delivered twice, a stale (earlier) reply for the same
// route, a connection cut in the middle of the body, or a 500. The relay behind it can be
// swapped (restart).

export type Fault = 'ok' | 'drop' | 'lost_reply' | 'delay' | 'duplicate' | 'stale' | 'cut' | 'error500'
export const FAULTS: Fault[] = ['ok', 'drop', 'lost_reply', 'delay', 'duplicate', 'stale', 'cut', 'error500']

export interface FaultProxy {
  url: string
  target: string
  /** Probability that a request gets a fault other than 'ok'. */
  faultRate: number
  counts: Record<Fault, number>
  close(): Promise<void>
}

/** mulberry32: small, seeded, good enough to pick faults reproducibly. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

interface Upstream {
  status: number
  body: Buffer
  type: string
}

export async function startFaultProxy(target: string, seed: number, faultRate = 0.4): Promise<FaultProxy> {
  const random = seeded(seed)
  const cache = new Map<string, Upstream>()
  const proxy: FaultProxy = {
    url: '',
    target,
    faultRate,
    counts: Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<Fault, number>,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    }
  }
  const forward = async (req: IncomingMessage, body: Buffer): Promise<Upstream> => {
    const headers: Record<string, string> = {}
    for (const h of ['authorization', 'content-type', 'idempotency-key', 'accept']) {
      const v = req.headers[h]
      if (typeof v === 'string') headers[h] = v
    }
    const res = await fetch(proxy.target + req.url, {
      method: req.method!,
      headers,
      ...(body.length ? { body } : {})
    })
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') ?? 'application/json' }
  }
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req)
      const fault: Fault = random() < proxy.faultRate ? FAULTS[1 + Math.floor(random() * (FAULTS.length - 1))]! : 'ok'
      proxy.counts[fault]++
      if (fault === 'drop') return void req.socket.destroy()
      if (fault === 'error500') {
        res.writeHead(500, { 'content-type': 'application/json' })
        return void res.end(JSON.stringify({ error: { code: 'INTERNAL', message: 'injected' } }))
      }
      if (fault === 'delay') await new Promise((r) => setTimeout(r, 1 + Math.floor(random() * 15)))
      let up: Upstream
      try {
        up = await forward(req, body)
        if (fault === 'duplicate') up = await forward(req, body)
      } catch {
        // The relay is down (restarting): as a real proxy would, a 502.
        res.writeHead(502, { 'content-type': 'text/plain' })
        return void res.end('bad gateway')
      }
      const route = `${req.method} ${req.url?.split('?')[0]}`
      const stale = cache.get(route)
      cache.set(route, up)
      // Only GETs are replayed stale (what a misbehaving cache does); a POST reply belongs to its request.
      if (fault === 'stale' && stale && req.method === 'GET') up = stale
      if (fault === 'lost_reply') return void req.socket.destroy()
      if (fault === 'cut') {
        res.writeHead(up.status, { 'content-type': up.type, 'content-length': String(up.body.length) })
        res.write(up.body.subarray(0, Math.floor(up.body.length / 2)))
        return void setImmediate(() => req.socket.destroy())
      }
      res.writeHead(up.status, { 'content-type': up.type })
      res.end(up.body)
    })().catch(() => req.socket.destroy())
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return proxy
}
