import { InvalidInput, toErrorInfo, type ErrorInfo } from '../errors'
import type { Result } from '../result'
import {
  CHANNEL_NAMES,
  channels,
  events,
  isChannelName,
  type ChannelName,
  type EventName,
  type Input,
  type Output,
  type Payload
} from './contract'

// Main's side of the contract, transport-agnostic: the Electron adapter (ipcMain.handle on
// each prefixed channel) and the WebSocket host both call `dispatch`. Every request is checked
// in the same order: trusted sender, known channel, valid input; then the handler runs and its
// answer is checked too. Nothing thrown ever crosses: the caller always gets a Result.

export interface HandlerContext<S> {
  sender: S
  channel: ChannelName
}

export type Handler<C extends ChannelName, S = unknown> = (
  input: Input<C>,
  ctx: HandlerContext<S>
) => Output<C> | Promise<Output<C>>

/** One implementation per contract channel; a missing or extra key is a type error. */
export type Handlers<S = unknown> = { [C in ChannelName]: Handler<C, S> }

export interface DispatcherOptions<S> {
  /** The adapter's check: the app's own window and origin (Electron), the host's socket (WebSocket). */
  isTrustedSender(sender: S, channel: string): boolean
  /** Called with the real error of a failed handler or a malformed answer (for logs). */
  onError?(info: { channel: string; error: unknown }): void
}

export interface Dispatcher<S> {
  readonly channels: readonly ChannelName[]
  dispatch(channel: unknown, rawInput: unknown, sender: S): Promise<Result<unknown>>
}

const failure = (error: ErrorInfo): Result<never> => ({ ok: false, error })

export function createDispatcher<S>(handlers: Handlers<S>, options: DispatcherOptions<S>): Dispatcher<S> {
  assertComplete(handlers)
  return {
    channels: CHANNEL_NAMES,
    async dispatch(channel, rawInput, sender) {
      // Only a string can name a channel; anything else (an object with a hostile toString)
      // must not get as far as String().
      const name = typeof channel === 'string' ? channel : `<${typeof channel}>`
      // The sender first: a foreign frame learns nothing, not even which channels exist.
      let trusted = false
      try {
        trusted = options.isTrustedSender(sender, name) === true
      } catch (error) {
        options.onError?.({ channel: name, error })
      }
      if (!trusted) return failure({ code: 'FORBIDDEN', message: 'sender is not trusted' })
      if (!isChannelName(channel)) {
        return failure({ code: 'NOT_FOUND', message: `unknown channel: ${name.slice(0, 100)}` })
      }
      const spec = channels[channel]
      const input = spec.input.safeParse(rawInput)
      if (!input.success) {
        return failure(new InvalidInput(`invalid input for ${channel}: ${input.error.message}`).toInfo())
      }
      let value: unknown
      try {
        const handler = handlers[channel] as Handler<ChannelName, S>
        value = await handler(input.data as never, { sender, channel })
      } catch (error) {
        options.onError?.({ channel, error })
        return failure(toErrorInfo(error))
      }
      const output = spec.output.safeParse(value)
      if (!output.success) {
        // A bug in main; the renderer gets a stable code, the log gets the details.
        options.onError?.({ channel, error: output.error })
        return failure({ code: 'INTERNAL', message: `malformed answer on ${channel}` })
      }
      return { ok: true, value: output.data }
    }
  }
}

/** Throws unless every contract channel has a handler and nothing else is there. */
export function assertComplete<S>(handlers: Partial<Handlers<S>>): asserts handlers is Handlers<S> {
  const missing = CHANNEL_NAMES.filter((c) => typeof handlers[c] !== 'function')
  const extra = Object.keys(handlers).filter((k) => !isChannelName(k))
  if (missing.length || extra.length) {
    throw new Error(`IPC handlers incomplete: missing [${missing.join(', ')}], unknown [${extra.join(', ')}]`)
  }
}

/**
 * Merges per-domain handler maps (wallet, subscriptions, quotas, sync…) into one; a channel
 * implemented twice throws, as Actual Budget's handler registration does.
 */
export function mergeHandlers<S>(...parts: Partial<Handlers<S>>[]): Partial<Handlers<S>> {
  const merged: Partial<Handlers<S>> = {}
  for (const part of parts) {
    for (const key of Object.keys(part) as ChannelName[]) {
      if (key in merged) throw new Error(`IPC channel implemented twice: ${key}`)
      ;(merged as Record<string, unknown>)[key] = part[key]
    }
  }
  return merged
}

export interface EventEmitter {
  /** Validates the payload against the contract and sends it; false (and onError) when it does not fit. */
  emit<E extends EventName>(event: E, payload: Payload<E>): boolean
}

export function createEventEmitter(
  send: (event: EventName, payload: unknown) => void,
  onError?: (info: { event: string; error: unknown }) => void
): EventEmitter {
  return {
    emit(event, payload) {
      const parsed = events[event].safeParse(payload)
      if (!parsed.success) {
        onError?.({ event, error: parsed.error })
        return false
      }
      send(event, parsed.data)
      return true
    }
  }
}

export type { Input, Output, Payload, ChannelName, EventName }
