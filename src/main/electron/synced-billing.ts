// Electron adapter: the billing core with the sync service, over electron-store settings,
// the safeStorage-sealed device token and net/powerMonitor signals. The relay comes from
// BILLING_RELAY_URL / BILLING_RELAY_PUBLIC_KEY, else from the settings store; with none the
// app runs offline on its own data. BILLING_ENROLMENT_CODE enrols the device at start-up.
import { hostname } from 'node:os'
import { join } from 'node:path'
import { app } from 'electron'
import type { Billing } from '../billing'
import { relaySyncOptions, resolveRelay } from '../ipc'
import type { SyncService } from '../sync'
import { createSyncedBilling } from '../sync'
import { electronNativeBinding } from './native-binding'
import { electronSecretStore } from './secrets'
import { electronSettingsStore } from './settings-store'
import { electronSyncSignals } from './sync-signals'

export interface AppBilling {
  billing: Billing
  sync: SyncService
  /** Enrols with BILLING_ENROLMENT_CODE when set and not enrolled yet; failures are logged. */
  enrolFromEnvironment(): Promise<void>
  close(): void
}

export function openAppBilling(env: NodeJS.ProcessEnv = process.env): AppBilling {
  const settings = electronSettingsStore()
  const stored = settings.get()
  let relay = null
  try {
    relay = resolveRelay(
      { url: env['BILLING_RELAY_URL'], publicKey: env['BILLING_RELAY_PUBLIC_KEY'] },
      { url: stored.relayUrl, publicKey: stored.relayPublicKey }
    )
  } catch (err) {
    // A URL without its key: nothing from that relay could be trusted, so run without it.
    console.error('[billing sync]', err instanceof Error ? err.message : err)
  }
  const signals = electronSyncSignals()
  const { billing, sync } = createSyncedBilling({
    dbPath: join(app.getPath('userData'), 'billing.sqlite'),
    nativeBinding: electronNativeBinding(app.getAppPath(), process.versions.modules),
    migrationsFolder: join(app.getAppPath(), 'migrations/app'),
    previousRunEnded: true,
    settings,
    secrets: electronSecretStore(),
    ...relaySyncOptions(relay, signals)
  })
  return {
    billing,
    sync,
    async enrolFromEnvironment() {
      const code = env['BILLING_ENROLMENT_CODE']
      if (!relay || !code || sync.enrolled) return
      try {
        await sync.enrol(code, env['BILLING_DEVICE_NAME'] ?? hostname())
        // Remember which relay this device belongs to, for starts without the variables.
        settings.set({ relayUrl: relay.url, relayPublicKey: relay.publicKey })
      } catch (err) {
        console.error('[billing sync] enrolment failed:', err instanceof Error ? err.message : err)
      }
    },
    close() {
      signals.dispose()
      sync.close()
    }
  }
}
