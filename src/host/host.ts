import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { createBilling, type Billing } from '../main/billing'
import type { Clock } from '../main/core/clock'
import type { IdSource } from '../main/core/ids'
import {
  contentSecurityPolicy,
  createIpcHandlers,
  createNotifier,
  fileSettings,
  isOwnOrigin,
  memorySettings,
  temporaryUnavailableExtras,
  type ExternalOpener,
  type ExtraHandlers,
  type Notifier,
  type PriceList
} from '../main/ipc'
import { BillingError } from '../shared/errors'
import { createDispatcher, createEventEmitter } from '../shared/ipc/server'
import { ipcSocket, type HostSender } from './socket'
import { staticFiles } from './static'

// The app outside Electron: the real billing core on a SQLite file, the built renderer over
// http://127.0.0.1, and the IPC contract over a WebSocket at /ipc, through the same handlers
// and dispatcher the Electron adapter uses. For browser tests and running the screens
// without the Electron binary.

export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url))

export interface HostContext {
  billing: Billing
  notify: Notifier
}

export interface HostOptions {
  /** Open the core on this file (the host closes it)… */
  dbPath?: string
  /** …or serve a core the caller opened (and closes), e.g. wired to the sync outbox. */
  billing?: Billing
  clock?: Clock
  ids?: IdSource
  /** 0 (default): any free port. Always bound to 127.0.0.1. */
  port?: number
  rendererDir?: string
  /** Keep the locale in this JSON file; default: in memory. */
  settingsPath?: string
  prices?: PriceList
  liveRoomTtlMs?: number | null
  /** The sync service's channels. Default: TEMPORARY handlers that answer UNAVAILABLE. */
  extra?: (ctx: HostContext) => ExtraHandlers<HostSender>
  /** Provider checkout URL per order (sync service). */
  checkoutUrl?: ExternalOpener['checkoutUrl']
  /** Default: record the URL in host.openedUrls (no system browser in a test). */
  openExternal?: (url: string) => Promise<void>
  onError?: (info: { channel?: string; event?: string; error: unknown }) => void
}

export interface Host {
  /** http://127.0.0.1:<port>/ */
  readonly url: string
  /** http://127.0.0.1:<port>: the only Origin allowed on the socket. */
  readonly origin: string
  readonly billing: Billing
  /** Push events after changing the core outside IPC (a recharge applied by sync). */
  readonly notify: Notifier
  readonly openedUrls: string[]
  close(): Promise<void>
}

export async function startHost(opts: HostOptions): Promise<Host> {
  if (!opts.billing && !opts.dbPath) throw new Error('startHost needs dbPath or billing')
  const ownsBilling = !opts.billing
  const billing =
    opts.billing ??
    createBilling({
      dbPath: opts.dbPath as string,
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...(opts.ids ? { ids: opts.ids } : {})
    })
  // Typed BillingErrors are answers (the renderer gets them); only real faults are logged.
  const onError =
    opts.onError ?? ((info) => void (info.error instanceof BillingError || console.error('[host]', info)))
  let origin = ''
  let hostHeader = ''
  const server = createServer()
  // Events reach every open socket; each was checked at its upgrade.
  let socketRef: ReturnType<typeof ipcSocket> | null = null
  const events = createEventEmitter((event, payload) => socketRef?.broadcast(event, payload), onError)
  const notify = createNotifier(billing, events)
  const openedUrls: string[] = []
  const handlers = createIpcHandlers<HostSender>({
    billing,
    notify,
    extra: opts.extra ? opts.extra({ billing, notify }) : temporaryUnavailableExtras<HostSender>(),
    settings: opts.settingsPath ? fileSettings(opts.settingsPath) : memorySettings(),
    ...(opts.prices ? { prices: opts.prices } : {}),
    ...(opts.liveRoomTtlMs !== undefined ? { liveRoomTtlMs: opts.liveRoomTtlMs } : {}),
    external: {
      ...(opts.checkoutUrl ? { checkoutUrl: opts.checkoutUrl } : {}),
      open: opts.openExternal ?? (async (url) => void openedUrls.push(url))
    }
  })
  const dispatcher = createDispatcher<HostSender>(handlers, {
    isTrustedSender: (sender) => isOwnOrigin(sender.origin, origin),
    onError
  })
  // The Host header too: a page on another name resolving to 127.0.0.1 (DNS rebinding) is refused.
  const accept = (req: IncomingMessage): boolean => req.headers.host === hostHeader && isOwnOrigin(req.headers.origin, origin)
  const socket = ipcSocket(dispatcher, accept, (error) => onError({ error }))
  socketRef = socket

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  hostHeader = `127.0.0.1:${port}`
  origin = `http://${hostHeader}`
  const serve = staticFiles(
    opts.rendererDir ?? DEFAULT_RENDERER_DIR,
    contentSecurityPolicy({ connect: [`ws://${hostHeader}`] })
  )
  server.on('request', (req, res) => {
    if (req.headers.host !== hostHeader) {
      res.writeHead(421).end()
      return
    }
    void serve(req, res)
  })
  server.on('upgrade', (req, sock: import('node:stream').Duplex, head: Buffer) => socket.handleUpgrade(req, sock, head))

  return {
    url: `${origin}/`,
    origin,
    billing,
    notify,
    openedUrls,
    async close() {
      await socket.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      if (ownsBilling) billing.close()
    }
  }
}
