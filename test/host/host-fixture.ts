import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import WebSocket from 'ws'
import { ManualClock } from '../../src/node/clock'
import { sequentialIds } from '../../src/node/ids'
import { startHost, type Host, type HostOptions } from '../../src/host/host'
import { tempDir } from '../support/db'

export const T0 = Date.UTC(2025, 2, 10, 4, 0, 0)
const hosts: Host[] = []
const sockets: WebSocket[] = []

/** Timers that never fire: tests run sync by hand. */
export const NO_TIMERS = { setTimeout: () => null, clearTimeout: () => {} }

/**
 * A host over a fresh data folder (no relay unless given), serving a tiny stand-in page (the
 * e2e tests use the real build).
 */
export async function openHost(opts: Partial<HostOptions> = {}): Promise<Host> {
  const dir = tempDir('host-')
  const rendererDir = join(dir, 'renderer')
  mkdirSync(rendererDir)
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>')
  const host = await startHost({
    dataDir: join(dir, 'data'),
    clock: new ManualClock(T0),
    ids: sequentialIds('h'),
    rendererDir,
    onError: () => {},
    sync: { timers: NO_TIMERS },
    ...opts
  })
  hosts.push(host)
  return host
}

afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate()
  for (const h of hosts.splice(0)) await h.close()
})

export interface Client {
  ws: WebSocket
  call(channel: unknown, input: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>
  events: { event: string; payload: unknown }[]
  /** Resolves at the next event with this name. */
  nextEvent(name: string): Promise<unknown>
}

/** Opens /ipc with the given Origin (null: none); rejects with the HTTP status when the upgrade is refused. */
export function connect(host: Host, origin: string | null = host.origin, headers: Record<string, string> = {}): Promise<Client> {
  const url = host.url.replace('http:', 'ws:') + 'ipc'
  const ws = new WebSocket(url, { ...(origin !== null ? { origin } : {}), headers })
  sockets.push(ws)
  let nextId = 1
  const pending = new Map<number, (r: never) => void>()
  const events: { event: string; payload: unknown }[] = []
  const waiters: { name: string; resolve: (p: unknown) => void }[] = []
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { id?: number; result?: never; event?: string; payload?: unknown }
    if (typeof msg.id === 'number') {
      pending.get(msg.id)?.(msg.result as never)
      pending.delete(msg.id)
    } else if (msg.event) {
      events.push({ event: msg.event, payload: msg.payload })
      for (const w of waiters.splice(0)) {
        if (w.name === msg.event) w.resolve(msg.payload)
        else waiters.push(w)
      }
    }
  })
  const client: Client = {
    ws,
    events,
    call: (channel, input) =>
      new Promise((resolve) => {
        const id = nextId++
        pending.set(id, resolve as never)
        ws.send(JSON.stringify({ id, channel, input }))
      }),
    nextEvent: (name) => new Promise((resolve) => waiters.push({ name, resolve }))
  }
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)))
    ws.once('error', reject)
  })
}
