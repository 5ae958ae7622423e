import { DEVICE_TOKEN_SECRET, type SecretStore, type SettingsStore } from '../settings'
import type { RelayFetch } from './http-transport'
import { RelayClient, RelayError } from './relay-client'
import { assertRelayUrl } from './relay-url'

export interface RelayConnectionOptions {
  /** Default: the settings' relayUrl. */
  relayUrl?: string | undefined
  settings: SettingsStore
  secrets: SecretStore
  fetch?: RelayFetch | undefined
  requestTimeoutMs?: number | undefined
}

/**
 * The relay client, made on first use (the URL may be configured after start-up) and kept.
 * An insecure or missing relay URL is its own typed error, thrown to whoever asks. It sends the
 * device token (default: the enrolled device's; a departing device's for departure.ts).
 */
export function relayConnection(opts: RelayConnectionOptions, token: () => string | undefined = () => opts.secrets.get(DEVICE_TOKEN_SECRET)): () => RelayClient {
  let client: RelayClient | null = null
  return () => {
    const url = opts.relayUrl ?? opts.settings.get().relayUrl
    if (!url) throw new RelayError('no relay URL configured', 0, 'NOT_CONFIGURED', false)
    if (!client) assertRelayUrl(url)
    client ??= new RelayClient({
      baseUrl: url,
      token,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      ...(opts.requestTimeoutMs ? { timeoutMs: opts.requestTimeoutMs } : {})
    })
    return client
  }
}
