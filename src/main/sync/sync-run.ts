import type { Billing } from '../billing'
import type { SettingsStore } from '../settings'
import type { CheckoutFlow } from './checkouts'
import { alignWithRelay, walletApartFromRelay } from './integrity'
import type { DeviceDeparture } from './departure'
import type { RelayKeyRing } from './key-ring'
import type { FeedPuller } from './pull'
import type { OutboxPusher } from './push'
import { BillingError } from '../../shared/errors'
import { RelayError, type RelayClient } from './relay-client'
import type { SyncSignals } from './scheduler'
import type { SyncStore } from './store'
import type { SyncStatus } from './sync-state'
import type { TrustGuard } from './trust'

// One sync run (docs/sync.md): finish a departure (a device signed out unheard), push the outbox, learn the relay keys, fetch the lease, pull the
// feed to the end, poll open checkouts; then anchor the clock, clear the sticky warnings, store
// the relay keys learned, cross-check the wallet with the relay's balance (a difference is
// ledger_tampered again at once), and on equal totals align the wallet's debt with the relay's.

export interface SyncRunDeps {
  billing: Billing
  store: SyncStore
  guard: TrustGuard
  settings: SettingsStore
  signals: SyncSignals
  status: SyncStatus
  pusher: OutboxPusher
  puller: FeedPuller
  checkouts: CheckoutFlow
  enrolled: () => boolean
  now: () => number
  /** The relay keys trusted; learned from GET /v1/keys before the lease and the feed. */
  keys: RelayKeyRing
  relay: () => RelayClient
  departure: DeviceDeparture
}

/** Resolves with whether the run succeeded (the scheduler backs off when not). */
export async function runSync(deps: SyncRunDeps): Promise<boolean> {
  const { status } = deps
  // The network is down: the relay is not asked. Up does not mean the relay answers (a
  // venue's captive portal, a relay restart): that is what the run finds out.
  if (!deps.signals.isOnline()) {
    status.online = false
    status.announce()
    return false
  }
  // A device signed out before the relay heard it: its pending outbox, then its revocation,
  // before anything of a device signed in since (departure.ts). A failure leaves it for later.
  await deps.departure.finish().catch(() => false)
  const accountId = deps.settings.get().accountId
  if (!deps.enrolled() || !accountId) {
    status.lastError = 'this device is not enrolled with the relay'
    status.announce()
    return false
  }
  status.syncing = true
  status.announce()
  try {
    // Push and (lease, pull) run side by side; a pull after a push that sent something
    // brings the relay's echoes of it (debits, first-free decisions) into this same run.
    const pushing = deps.pusher.push()
    // Inside the chain, so a relay that cannot be reached rejects here, beside the push.
    const pulling = Promise.resolve()
      .then(() => deps.relay().keys())
      .then(({ chain }) => deps.keys.learn(chain))
      .then(() => deps.puller.refreshLease(accountId))
      .then(() => deps.puller.pull(accountId))
    const [pushed, pulled] = await Promise.allSettled([pushing, pulling])
    if (pushed.status === 'rejected') throw pushed.reason
    if (pulled.status === 'rejected') throw pulled.reason
    const serverTime = pushed.value > 0 ? await deps.puller.pull(accountId) : pulled.value
    await deps.checkouts.poll()
    const now = deps.now()
    const apart = deps.billing.db.tx(() => {
      deps.guard.anchor(serverTime)
      deps.store.setResult.run(now, null, now)
      return walletApartFromRelay(deps.billing, deps.store)
    })
    // Only on equal totals, after the cross-check: the split between cash, bonus and debt, never the total.
    if (apart.length === 0) {
      try {
        alignWithRelay(deps.billing, deps.store)
      } catch (err) {
        // A typed refusal (an edited file) leaves the split as it is; a failing database fails the run.
        if (!(err instanceof BillingError)) throw err
      }
    }
    // The lease is signed by the set learned: that set may be stored now.
    deps.keys.commit()
    if (apart.length > 0) deps.guard.flag('ledger_tampered')
    status.lastError = null
    status.online = true
    deps.billing.quotas.invalidate()
    return true
  } catch (err) {
    status.online = !(err instanceof RelayError && err.code === 'NETWORK')
    status.lastError = err instanceof Error ? err.message : String(err)
    deps.store.setResult.run(null, status.lastError.slice(0, 500), deps.now())
    return false
  } finally {
    status.syncing = false
    status.announce()
  }
}
