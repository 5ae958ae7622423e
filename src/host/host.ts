import { mkdirSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Billing } from '../main/billing'
import type { Clock } from '../node/clock'
import type { IdSource } from '../node/ids'
import {
  contentSecurityPolicy,
  createIpcHandlers,
  createNotifier,
  fileSettings,
  forwardSyncEvents,
  isOwnOrigin,
  relaySyncOptions,
  syncHandlers,
  type Notifier,
  type PriceList
} from '../main/ipc'
import { DEVICE_TOKEN_SECRET, FileSecretStore, FileSettingsStore } from '../main/settings'
import { alwaysOnline, openSyncedBilling, type ScheduleOptions, type SyncService, type SyncSignals, type Timers } from '../main/sync'
import { BillingError } from '../shared/errors'
import { recordingOpener } from '../main/invoices'
import { createDispatcher, createEventEmitter } from '../shared/ipc/server'
import { ipcSocket, type HostSender } from './socket'
import { staticFiles } from './static'

// The app outside Electron: the real billing core and sync service on a data folder, the
// built renderer over http://127.0.0.1, and the IPC contract over a WebSocket at /ipc,
// through the same handlers and dispatcher the Electron adapter uses. With a relay it syncs
// (enrolling first when given a code); without one it runs offline on its own data.
// For browser tests and running the screens without the Electron binary.

export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../out/renderer', import.meta.url))

export interface HostRelayOptions {
  url: string
  /** The relay's pinned key: base64 of its 32 raw Ed25519 bytes. */
  publicKey: string
  /** Enrols the device at start-up, unless the data folder already holds an enrolled one. */
  enrolmentCode?: string
  deviceName?: string
  /** Signs in at start-up with a one-time code already sent to the target (the demo reads it from the sandbox relay). */
  signIn?: { method: 'email' | 'sms'; target: string; code: string }
  /** An already-enrolled device's credentials, written to the data folder's stores. */
  device?: { accountId: string; deviceId: string; deviceToken: string }
}

export interface HostOptions {
  /** billing.sqlite, sync-settings.json, secrets.json and (by default) settings.json live here. */
  dataDir: string
  /** Omitted or null: no relay; sync says offline and everything local works. */
  relay?: HostRelayOptions | null
  clock?: Clock
  ids?: IdSource
  /** 0 (default): any free port. Always bound to 127.0.0.1. */
  port?: number
  rendererDir?: string
  /** The renderer's locale file; default <dataDir>/settings.json. */
  settingsPath?: string
  prices?: PriceList
  liveRoomTtlMs?: number | null
  /** Sync timing and signals (tests shorten the checkout poll). Default: always online, real timers. */
  sync?: { schedule?: Partial<ScheduleOptions>; signals?: SyncSignals; timers?: Timers; requestTimeoutMs?: number }
  /** The demo relay's origin: its sandbox checkout pages may be opened like a provider's. */
  sandboxOrigin?: string
  /** Default: record the URL in host.openedUrls (no system browser in a test). */
  openExternal?: (url: string) => Promise<void>
  /** Opens a kept invoice PDF; default: recorded in host.openedFiles (no viewer in a test). */
  openFile?: (path: string) => Promise<string>
  onError?: (info: { channel?: string; event?: string; error: unknown }) => void
}

export interface Host {
  /** http://127.0.0.1:<port>/ */
  readonly url: string
  /** http://127.0.0.1:<port>: the only Origin allowed on the socket. */
  readonly origin: string
  readonly dataDir: string
  readonly billing: Billing
  readonly sync: SyncService
  /** Push events after changing the core outside IPC. */
  readonly notify: Notifier
  readonly openedUrls: string[]
  /** The invoice PDFs the screens asked to open (default opener). */
  readonly openedFiles: string[]
  close(): Promise<void>
}

export async function startHost(opts: HostOptions): Promise<Host> {
  mkdirSync(opts.dataDir, { recursive: true })
  const settings = new FileSettingsStore(join(opts.dataDir, 'sync-settings.json'))
  const secrets = new FileSecretStore(join(opts.dataDir, 'secrets.json'))
  const relay = opts.relay ?? null
  const opener = recordingOpener()
  const fileOpener = { open: opener, opened: opener.opened }
  if (relay?.device && !secrets.get(DEVICE_TOKEN_SECRET)) {
    secrets.set(DEVICE_TOKEN_SECRET, relay.device.deviceToken)
    settings.set({ accountId: relay.device.accountId, deviceId: relay.device.deviceId })
  }
  const { billing, sync } = await openSyncedBilling({
    dbPath: join(opts.dataDir, 'billing.sqlite'),
    settings,
    secrets,
    ...relaySyncOptions(relay, opts.sync?.signals ?? alwaysOnline),
    ...(relay?.deviceName ? { deviceName: relay.deviceName } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.ids ? { ids: opts.ids } : {}),
    ...(opts.sync?.schedule ? { schedule: opts.sync.schedule } : {}),
    ...(opts.sync?.timers ? { timers: opts.sync.timers } : {}),
    ...(opts.sync?.requestTimeoutMs ? { requestTimeoutMs: opts.sync.requestTimeoutMs } : {}),
    openFile: opts.openFile ?? fileOpener.open
  })
  try {
    if (relay?.enrolmentCode && !sync.enrolled) await sync.enrol(relay.enrolmentCode, relay.deviceName ?? 'billing host')
    if (relay?.signIn && !sync.enrolled) await sync.account.verifyCode(relay.signIn.method, relay.signIn.target, relay.signIn.code)
  } catch (err) {
    sync.close()
    throw err
  }
  // Typed BillingErrors are answers (the renderer gets them); only real faults are logged.
  const onError =
    opts.onError ?? ((info) => void (info.error instanceof BillingError || console.error('[host]', info)))
  let origin = ''
  let hostHeader = ''
  const server = createServer()
  // Events reach every open socket; each was checked at its upgrade.
  let socketRef: ReturnType<typeof ipcSocket> | null = null
  const events = createEventEmitter((event, payload) => socketRef?.broadcast(event, payload), onError)
  const notify = createNotifier(billing, events, { firstFreeAvailable: () => sync.firstFreeAvailable() })
  const unforward = forwardSyncEvents(sync, billing, notify)
  const openedUrls: string[] = []
  const handlers = createIpcHandlers<HostSender>({
    billing,
    notify,
    extra: syncHandlers<HostSender>(sync),
    settings: fileSettings(opts.settingsPath ?? join(opts.dataDir, 'settings.json')),
    ...(opts.prices ? { prices: opts.prices } : {}),
    ...(opts.liveRoomTtlMs !== undefined ? { liveRoomTtlMs: opts.liveRoomTtlMs } : {}),
    external: {
      checkoutUrl: (orderId) => sync.checkoutUrl(orderId),
      open: opts.openExternal ?? (async (url) => void openedUrls.push(url)),
      ...(opts.sandboxOrigin ? { alsoAllows: (url: string) => url.startsWith(`${opts.sandboxOrigin}/sandbox/checkout/`) } : {})
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
  }).catch((err: unknown) => {
    unforward()
    sync.close()
    throw err
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

  // Start-up sync, then the triggers (timer, checkout polling, back online).
  sync.start()

  return {
    url: `${origin}/`,
    origin,
    dataDir: opts.dataDir,
    billing,
    sync,
    notify,
    openedUrls,
    openedFiles: fileOpener.opened,
    async close() {
      await socket.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      unforward()
      sync.close()
    }
  }
}
