import type { Payload } from '../../shared/ipc/contract'
import type { SyncState } from './sync-state'

// The events the sync service pushes to its listeners (the IPC layer forwards them to the window).

export type SyncEvents = {
  'sync.state': SyncState
  'payment.confirmed': Payload<'payment.confirmed'>
  'checkout.updated': Payload<'checkout.updated'>
}

type Listener<E extends keyof SyncEvents> = (payload: SyncEvents[E]) => void

export class SyncEventBus {
  private readonly listeners: { [E in keyof SyncEvents]: Set<Listener<E>> } = {
    'sync.state': new Set(),
    'payment.confirmed': new Set(),
    'checkout.updated': new Set()
  }

  /** Returns the unsubscribe function. */
  on<E extends keyof SyncEvents>(event: E, listener: Listener<E>): () => void {
    const listeners = this.listeners[event]
    listeners.add(listener)
    return () => void listeners.delete(listener)
  }

  emit<E extends keyof SyncEvents>(event: E, payload: SyncEvents[E]): void {
    for (const listener of this.listeners[event]) listener(payload)
  }
}
