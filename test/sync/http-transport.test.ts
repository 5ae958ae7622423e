import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { nodeHttpFetch } from '../../src/main/sync/http-transport'
import { RelayClient, RelayError } from '../../src/main/sync/relay-client'

// The relay client's node:http transport: what fetch did for it, including the failures
// sync must see as failures (a cut body, a stalled server, a refused connection).

const servers: Server[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections()
    await new Promise((r) => s.close(r))
  }
})

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler)
  servers.push(s)
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`
}

describe('node:http transport', () => {
  it('sends method, headers and body; reads status and text; reuses the connection', async () => {
    const seen: { method?: string; auth?: string; length?: string; body: string; port: number }[] = []
    const url = await serve((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        seen.push({ method: req.method, auth: req.headers.authorization, length: req.headers['content-length'], body, port: req.socket.remotePort! })
        res.writeHead(201, { 'content-type': 'application/json' })
        res.end('{"ok":"是"}')
      })
    })
    for (let i = 0; i < 2; i++) {
      const r = await nodeHttpFetch(`${url}/x`, { method: 'POST', headers: { authorization: 'Bearer t' }, body: '{"a":"中"}' })
      expect(r.status).toBe(201)
      expect(JSON.parse(await r.text())).toEqual({ ok: '是' })
    }
    expect(seen[0]).toMatchObject({ method: 'POST', auth: 'Bearer t', length: String(Buffer.byteLength('{"a":"中"}')), body: '{"a":"中"}' })
    expect(seen[1]!.port).toBe(seen[0]!.port) // keep-alive
  })

  it('rejects a body cut mid-way, a stalled answer past the timeout and a refused connection', async () => {
    const cut = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' })
      res.write('{"accepted":[')
      setImmediate(() => res.socket?.destroy())
    })
    await expect(nodeHttpFetch(cut, { method: 'GET', headers: {} })).rejects.toThrow()
    const stalled = await serve(() => undefined)
    await expect(nodeHttpFetch(stalled, { method: 'GET', headers: {}, signal: AbortSignal.timeout(50) })).rejects.toThrow()
    const closed = await serve(() => undefined)
    servers.pop()!.close()
    await expect(nodeHttpFetch(closed, { method: 'GET', headers: {} })).rejects.toThrow()
    // Through the client: each is a retryable NETWORK error.
    const client = new RelayClient({ baseUrl: cut, token: () => 'tok', timeoutMs: 200 })
    const err = await client.account().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RelayError)
    expect(err).toMatchObject({ code: 'NETWORK', retryable: true })
  })
})
