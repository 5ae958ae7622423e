import type { NoticeSettings } from '../../shared/ipc/schemas/notices'

// Where the sync layer keeps its small settings and the device credential. Two interfaces,
// each with a plain-Node file implementation (tests, the headless host) and an Electron
// adapter (src/main/electron/settings-store.ts over electron-store, secrets.ts over
// safeStorage). Nothing here imports electron.

export interface SyncSettings {
  /** Base URL of the relay, e.g. https://relay.example.com */
  relayUrl?: string
  /** base64 of the relay's 32-byte Ed25519 public key (pinned; shipped with the app). */
  relayPublicKey?: string
  /**
   * The relay's key-set documents that moved this device's trust on from the pinned key (JSON;
   * sync/key-ring.ts). Walked again from the pinned key at every start, so an edit can only
   * lose keys, never add one.
   */
  relayKeyChain?: string
  accountId?: string
  deviceId?: string
  /**
   * This file's earlier devices (signed out or removed), newest last: the relay's echoes of their
   * records are this file's own (sync/apply.ts), whichever device pulls them.
   */
  formerDeviceIds?: string[]
  deviceName?: string
  /** How this device joined its account (sign-in.ts), and the address or number it used. */
  signInMethod?: 'email' | 'sms' | 'host' | 'enrolment'
  signInTarget?: string
  /**
   * A copy of the feed cursor for diagnostics. The authoritative cursor lives in SQLite
   * (sync_state), committed in the same transaction as the records it covers.
   */
  cursor?: string
  /** The notification centre's settings (src/main/notifications/settings.ts). */
  notifications?: NoticeSettings
}

export interface SettingsStore {
  get(): SyncSettings
  /** Merges the patch and persists it; `undefined` values remove the key. */
  set(patch: Partial<SyncSettings>): SyncSettings
}

/** How well a secret is protected at rest, reported in the sync state's diagnostics. */
export type SecretProtection = 'os-keychain' | 'plain-file' | 'memory'

export interface SecretStore {
  readonly protection: SecretProtection
  get(name: string): string | undefined
  set(name: string, value: string): void
  delete(name: string): void
}

export const DEVICE_TOKEN_SECRET = 'relay.deviceToken'
/**
 * Devices signed out before the relay heard it (JSON [{deviceId, token}]): each token is kept
 * only to push what the device had pending and then revoke it (sync/departure.ts).
 */
export const LEAVING_DEVICES_SECRET = 'relay.leavingDevices'
