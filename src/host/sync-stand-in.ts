import type { Clock } from '../main/core/clock'
import type { Notifier } from '../main/ipc'
import type { Handlers } from '../shared/ipc/server'
import type { SyncState } from '../shared/ipc/types'

// TEMPORARY, until the sync service (issue 4) answers sync.state / sync.now: a sync state
// the host owner sets by hand (tests drive the offline banner and its recovery with it).
// It syncs nothing; `sync.now` only reports what it was told.

export interface SyncStandIn {
  handlers: Pick<Handlers<unknown>, 'sync.state' | 'sync.now'>
  /** Changes the state and pushes it to the renderer as a sync.state event. */
  set(patch: Partial<SyncState>): SyncState
  get(): SyncState
}

export function createSyncStandIn(notify: Notifier, clock: Clock, initial: Partial<SyncState> = {}): SyncStandIn {
  let state: SyncState = {
    online: true,
    syncing: false,
    lastSyncAt: null,
    pendingCount: 0,
    pendingCheckouts: 0,
    lastError: null,
    warnings: [],
    ...initial
  }
  const set = (patch: Partial<SyncState>): SyncState => {
    state = { ...state, ...patch }
    notify.events?.emit('sync.state', state)
    return state
  }
  return {
    handlers: {
      'sync.state': () => state,
      'sync.now': () => (state.online ? set({ lastSyncAt: clock.now(), lastError: null }) : state)
    },
    set,
    get: () => state
  }
}
