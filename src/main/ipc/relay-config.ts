import { generateKeyPairSync } from 'node:crypto'
import type { SyncedBillingOptions, SyncSignals } from '../sync'

// Which relay the app syncs with, shared by the Electron adapter and the host: the URL and
// the pinned public key, each from the first source that has it (flags, environment, the
// settings store). No URL → the app runs offline on its own data; everything local works.

export interface RelayEndpoint {
  url: string
  /** base64 of the relay's 32-byte Ed25519 public key. */
  publicKey: string
}

type Source = { url?: string | undefined; publicKey?: string | undefined }

/** null: no relay configured. A URL without its key is refused (nothing could be verified). */
export function resolveRelay(...sources: Source[]): RelayEndpoint | null {
  const pick = (k: keyof Source) => sources.map((s) => s[k]?.trim()).find((v) => v)
  const url = pick('url')
  const publicKey = pick('publicKey')
  if (!url) return null
  if (!publicKey) throw new Error(`relay ${url} is configured without its public key (BILLING_RELAY_PUBLIC_KEY)`)
  return { url, publicKey }
}

/** Never online: with no relay there is nothing to reach, and the sync state says offline. */
export const noRelaySignals: SyncSignals = {
  isOnline: () => false,
  onOnline: () => () => {},
  onOffline: () => () => {},
  onResume: () => () => {}
}

/**
 * A key of no relay, for running without one: nothing arrives to verify, and were anything
 * to, it would be rejected (fail closed).
 */
export function unpinnedRelayKey(): string {
  const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' })
  return Buffer.from(jwk.x as string, 'base64url').toString('base64')
}

/** The relay part of createSyncedBilling's options. */
export function relaySyncOptions(
  relay: RelayEndpoint | null,
  signals: SyncSignals
): Pick<SyncedBillingOptions, 'relayPublicKey' | 'signals'> & { relayUrl?: string } {
  return relay
    ? { relayUrl: relay.url, relayPublicKey: relay.publicKey, signals }
    : { relayPublicKey: unpinnedRelayKey(), signals: noRelaySignals }
}
