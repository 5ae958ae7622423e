import { dirname, join } from 'node:path'
import { FileSecretStore, FileSettingsStore } from '../../src/main/settings'
import { createSyncedBilling, ManualSignals, type Timers } from '../../src/main/sync'
import type { ManualClock } from '../../src/node/clock'
import type { IdSource } from '../../src/node/ids'

// The crash loop's synced mode: the workload's file belongs to a device enrolled with a real
// relay (run by the parent on 127.0.0.1). Small pages, slices and batches, so one sync run
// applies its feed page in several transactions and pushes the outbox in several batches:
// a kill lands between them.

/** How the child reaches the relay: CRASH_SYNC (JSON) in its environment. */
export interface SyncTarget {
  url: string
  publicKey: string
}

export const FEED_PAGE = 6
export const APPLY_SLICE = 2
export const OUTBOX_BATCH = 3

const NO_TIMERS: Timers = { setTimeout: () => null, clearTimeout: () => {} }

/** The synced billing on `dbPath`; settings and the device token live beside the file. */
export function openSynced(dbPath: string, target: SyncTarget, clock: ManualClock, ids: IdSource, durability: 'full' | 'normal' = 'full') {
  const dir = dirname(dbPath)
  return createSyncedBilling({
    dbPath,
    clock,
    ids,
    durability,
    settings: new FileSettingsStore(join(dir, 'settings.json')),
    secrets: new FileSecretStore(join(dir, 'secrets.json')),
    relayPublicKey: target.publicKey,
    relayUrl: target.url,
    signals: new ManualSignals(true),
    timers: NO_TIMERS,
    random: () => 0.5,
    feedPageSize: FEED_PAGE,
    feedApplySlice: APPLY_SLICE,
    outboxBatchSize: OUTBOX_BATCH,
    outboxPipeline: 2
  })
}
