import type { Billing } from '../../src/main/billing'
import { createIpcHandlers, createNotifier, syncHandlers, type IpcHandlersOptions } from '../../src/main/ipc'
import type { EventName } from '../../src/shared/ipc/contract'
import { syncOf } from './core-fixture'
import { createDispatcher, createEventEmitter } from '../../src/shared/ipc/server'

/** createIpcHandlers over the real core, behind the real dispatcher; events are recorded. */
export function ipcOver(billing: Billing, extra: Partial<IpcHandlersOptions<string>> = {}) {
  const events: { event: EventName; payload: unknown }[] = []
  const notify = createNotifier(billing, createEventEmitter((event, payload) => events.push({ event, payload })))
  const handlers = createIpcHandlers<string>({ billing, notify, extra: syncHandlers<string>(syncOf(billing)), ...extra })
  const d = createDispatcher(handlers, { isTrustedSender: (s) => s === 'app' })
  const call = (channel: string, input: unknown) => d.dispatch(channel, input, 'app')
  return { call, events, dispatcher: d }
}
