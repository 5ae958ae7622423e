import { toErrorInfo } from '../errors'
import type { Result } from '../result'
import {
  channels,
  events,
  isChannelName,
  isEventName,
  type ChannelName,
  type EventName,
  type Input,
  type Output,
  type Payload
} from './contract'
import { resultEnvelopeSchema } from './schemas/common'

// A typed client over any transport (the preload bridge, a WebSocket, an in-memory fake).
// It checks inputs before sending (main checks them again: it trusts nobody) and checks every
// answer and event payload against the contract, so a wrong shape never reaches a store.

/** What a transport must offer; `window.billing` from the preload is exactly this. */
export interface Transport {
  invoke(channel: string, input: unknown): Promise<Result<unknown>>
  on(event: string, cb: (payload: unknown) => void): () => void
}

export interface BillingClient {
  invoke<C extends ChannelName>(channel: C, input: Input<C>): Promise<Result<Output<C>>>
  on<E extends EventName>(event: E, cb: (payload: Payload<E>) => void): () => void
}

export function createClient(transport: Transport): BillingClient {
  return {
    async invoke<C extends ChannelName>(channel: C, input: Input<C>): Promise<Result<Output<C>>> {
      if (!isChannelName(channel)) {
        return { ok: false, error: { code: 'NOT_FOUND', message: `unknown channel: ${String(channel)}` } }
      }
      const spec = channels[channel]
      const parsedInput = spec.input.safeParse(input)
      if (!parsedInput.success) {
        return { ok: false, error: { code: 'INVALID_INPUT', message: parsedInput.error.message } }
      }
      let raw: unknown
      try {
        raw = await transport.invoke(channel, parsedInput.data)
      } catch (err) {
        // A dropped socket or a dead main process: the caller gets a Result like any other.
        return { ok: false, error: { code: 'UNAVAILABLE', message: toErrorInfo(err).message } }
      }
      const envelope = resultEnvelopeSchema.safeParse(raw)
      if (!envelope.success) {
        return { ok: false, error: { code: 'INTERNAL', message: `malformed answer on ${channel}` } }
      }
      if (!envelope.data.ok) return { ok: false, error: envelope.data.error }
      const value = spec.output.safeParse(envelope.data.value)
      if (!value.success) {
        return { ok: false, error: { code: 'INTERNAL', message: `malformed answer on ${channel}` } }
      }
      return { ok: true, value: value.data as Output<C> }
    },
    on<E extends EventName>(event: E, cb: (payload: Payload<E>) => void): () => void {
      if (!isEventName(event)) throw new Error(`unknown event: ${String(event)}`)
      const schema = events[event]
      return transport.on(event, (payload) => {
        const parsed = schema.safeParse(payload)
        // A payload that breaks the contract is dropped rather than put into a store.
        if (parsed.success) cb(parsed.data as Payload<E>)
      })
    }
  }
}
