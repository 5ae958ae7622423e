import type { Clock } from '../../node/clock'
import type { IdSource } from '../../node/ids'
import type { Payload } from '../../shared/ipc/contract'
import type { AccountView, Confirmed, Quote, Subscription, SyncState, UsageItem, WalletBalance } from '../../shared/ipc/types'
import type { PaidFeature, PriceList } from '../ipc/prices'
import type { AppPage } from '../ipc/sender'
import type { LiveSession } from '../paid-use'
import type { CounterFeature, QuotaCheck, QuotaFeature, UsageRecord } from '../quotas'
import type { SecretStore, SettingsStore } from '../settings'
import type { SyncSignals } from '../sync'
import type { DesktopNotifier } from '../notifications'
import type { NoticeItem } from '../../shared/ipc/schemas/notices'

// The host app's main-process API: what a host imports from src/main (the public entry).
// Plain Node: the host hands in the two Electron objects it uses (ipcMain, its windows), so
// the module runs and is tested without the Electron binary.

export interface Logger {
  info(message: string, ...rest: unknown[]): void
  warn(message: string, ...rest: unknown[]): void
  error(message: string, ...rest: unknown[]): void
}

export interface RelayConfig {
  /** https://… (http only to a loopback address). */
  url: string
  /** base64 of the relay's 32-byte Ed25519 public key, pinned at build time. */
  publicKey: string
}

/** The part of Electron's ipcMain the module uses (pass `ipcMain` itself). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void
  removeHandler(channel: string): void
}
export interface IpcEventLike {
  sender: unknown
  senderFrame: { url: string } | null
}
/** The part of a BrowserWindow the module uses (pass the window itself). */
export interface WindowLike {
  readonly webContents: { send(channel: string, ...args: unknown[]): void; readonly mainFrame: unknown }
  isDestroyed(): boolean
  once(event: 'closed', listener: () => void): unknown
}

export interface BillingModuleOptions {
  /** Where the module keeps its files: billing.sqlite, sync-settings.json, secrets.json. */
  dataDir: string
  /** The folder of the app's SQL migrations (packaged: join(app.getAppPath(), 'migrations/app')). */
  migrationsFolder?: string
  /** better-sqlite3's addon built for Electron (default: the one node_modules holds). */
  nativeBinding?: string
  /** null or absent: no relay; everything local works offline. */
  relay?: RelayConfig | null
  clock?: Clock
  ids?: IdSource
  /** Default: console. */
  logger?: Logger
  /** Price per paid use in minor units; a function when it may change (the catalog). */
  prices?: PriceList | (() => PriceList)
  /** Default: JSON files in dataDir (the secret file is 0600, not encrypted: pass an OS-keychain store). */
  settings?: SettingsStore
  secrets?: SecretStore
  /** Online / offline / resume signals; default: always online when a relay is set. */
  signals?: SyncSignals
  /**
   * Nothing else can have this file open (the host holds Electron's single-instance lock): the
   * previous run's live rooms are freed at once instead of after their lease TTL.
   */
  previousRunEnded?: boolean
  /** How long a quote waits for confirm (default 60 s). */
  quoteTtlMs?: number
  /** Live-room lease TTL (default 90 s); main heartbeats it every heartbeatMs (default 30 s). */
  liveRoomTtlMs?: number
  heartbeatMs?: number
  /** How often holds, leases and subscriptions are swept (default 60 s). */
  sweepMs?: number
  /** Starts the relay sync at once (default true). */
  startSync?: boolean
  /** To attach windows: the host's ipcMain. */
  ipcMain?: IpcMainLike
  /** Opens a provider's checkout page in the system browser (Electron: shell.openExternal, checked). */
  openExternal?: (url: string) => Promise<void>
  /** Opens a kept invoice PDF with the system viewer (Electron: shell.openPath); answers '' or the error text. */
  openFile?: (path: string) => Promise<string>
  /** Where the billing screens keep their locale (default dataDir/billing-settings.json). */
  screenSettingsPath?: string
  /**
   * The integrity worker's file, for a host that bundles this module into its own build
   * (default: integrity-worker.js beside the bundle: add src/main/integrity/worker.ts as an
   * entry of that name, as electron.vite.config.ts does).
   */
  integrityWorkerUrl?: URL
  /**
   * Shows new notices on the desktop (the project's app: Electron's Notification,
   * src/main/electron/desktop-notifier.ts). Default: none shown (a stand-in that only records).
   */
  desktopNotifier?: DesktopNotifier
}

/** A quote you may confirm or cancel (once; again returns the first answer). */
export interface QuoteHandle extends Quote {
  confirm(): Confirmed
  cancel(): Quote
}

export interface ModuleEvents {
  balance: WalletBalance
  /** The plan the limits come from changed (subscription, lease, fallback to FREE). */
  entitlement: { subscription: Subscription | null; effectiveTier: string }
  quota: { items: UsageItem[] }
  sync: SyncState
  /** A provider payment was confirmed by the relay. */
  payment: Payload<'payment.confirmed'>
  live: { sessions: LiveSession[] }
}
export type ModuleEventName = keyof ModuleEvents

export interface BillingModule {
  readonly gate: {
    /** The wallet rule's decision for one use, reserved until confirm / cancel / expiry. */
    begin(feature: PaidFeature, opts: { key: string }): QuoteHandle
    confirm(key: string): Confirmed
    cancel(key: string): Quote
  }
  readonly quota: {
    check(feature: QuotaFeature, qty?: number): QuotaCheck
    /** Records qty uses under an idempotency key; QuotaExceeded (nothing recorded) over the limit. */
    consume(feature: CounterFeature, qty: number, key: string): UsageRecord
  }
  readonly live: {
    /** A live session's quote: confirm() holds the room with heartbeats. */
    start(opts: { key: string }): QuoteHandle
    /** Extends the running rooms' leases now (main also does it on a timer). */
    heartbeat(key?: string): LiveSession[]
    /** Ends the session (the only one, or `key`) and frees its room at once. */
    end(key?: string): LiveSession
    sessions(): LiveSession[]
  }
  readonly sync: {
    /** Starts the relay sync and its triggers (done at create unless startSync: false). */
    start(): void
    readonly enrolled: boolean
    enrol(code: string, deviceName: string): Promise<{ accountId: string; deviceId: string }>
    state(): SyncState
    now(): Promise<SyncState>
    /**
     * The full check of the ledger file now, on a worker thread (it also runs shortly after
     * start and every few hours). Problems flag `ledger_tampered`; a check that could not
     * finish rejects, and shows in the state's `health.fullCheckError`.
     */
    fullCheck(): Promise<{ ok: boolean; problems: string[] }>
    /**
     * Signs this device in with a token the host app's own login issued (a short-lived JWT the
     * relay verifies against RELAY_HOST_TOKEN_KEYS): the account is created when new and this
     * device enrolled. Refusals are typed errors (UNAUTHORIZED: bad, expired or replayed token).
     */
    signInWithHostToken(token: string, deviceName?: string): Promise<AccountView>
    /** Who is signed in here, and the account's devices (signedIn: false when nobody is). */
    account(): Promise<AccountView>
    /**
     * Signs out here at once (the free tier applies). The relay is told in the sync that follows,
     * or, when it cannot be reached, in the first one that reaches it (`leaving: true` until then).
     */
    signOut(): Promise<AccountView>
  }
  /** The notification centre: notices from the relay and reminders computed here, offline too. */
  readonly notifications: {
    /** Newest first; pass `nextCursor` as `before` for the next page (limit 1–100, default 20). */
    list(opts?: { before?: string; limit?: number }): { items: NoticeItem[]; nextCursor: string | null; unread: number }
    unread(): number
    /** Marks these read (an unknown id: NOT_FOUND, none marked); returns the unread count. */
    markRead(ids: string[]): number
    markAllRead(): number
    /** Each notice once, when it arrives (feed or local reminder), after it is stored. */
    onNotice(cb: (notice: NoticeItem) => void): () => void
  }
  balance(): WalletBalance
  on<E extends ModuleEventName>(event: E, cb: (payload: ModuleEvents[E]) => void): () => void
  /**
   * Serves the IPC contract (window.billing) to this window's main frame while it shows `page`:
   * the module's screens, or a host screen of your own with the module's preload.
   */
  attach(window: WindowLike, page: AppPage): () => void
  /** Stops timers and sync, detaches windows, closes the file. */
  close(): void
}
