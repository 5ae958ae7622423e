import type { Billing } from '../../src/main/billing'
import { createIpcHandlers, createNotifier, syncHandlers, type IpcHandlersOptions, type NotifierOptions } from '../../src/main/ipc'
import type { SyncService } from '../../src/main/sync'
import type { EventName } from '../../src/shared/ipc/contract'
import { syncOf } from './core-fixture'
import { createDispatcher, createEventEmitter } from '../../src/shared/ipc/server'

export interface IpcOverOptions extends Partial<IpcHandlersOptions<string>> {
  /** The core's sync service; default: the one openCore() opened it with. */
  sync?: SyncService
  notifier?: NotifierOptions
  /** Hears each event main emits, after it is recorded. */
  onEvent?: (event: EventName, payload: unknown) => void
}

/** createIpcHandlers over the real core, behind the real dispatcher; events are recorded. */
export function ipcOver(billing: Billing, extra: IpcOverOptions = {}) {
  const { sync = syncOf(billing), notifier, onEvent, ...options } = extra
  const events: { event: EventName; payload: unknown }[] = []
  const emitter = createEventEmitter((event, payload) => {
    events.push({ event, payload })
    onEvent?.(event, payload)
  })
  const notify = createNotifier(billing, emitter, notifier)
  const handlers = createIpcHandlers<string>({ billing, notify, extra: syncHandlers<string>(sync), ...options })
  const d = createDispatcher(handlers, { isTrustedSender: (s) => s === 'app' })
  const call = (channel: string, input: unknown) => d.dispatch(channel, input, 'app')
  return { call, events, dispatcher: d, notify }
}
