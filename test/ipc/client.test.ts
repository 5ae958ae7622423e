import { describe, expect, it } from 'vitest'
import { createClient, type Transport } from '../../src/shared/ipc/client'
import { CHANNEL_NAMES, EVENT_NAMES, IPC_PREFIX, ipcChannel, ipcEvent } from '../../src/shared/ipc/contract'
import { createDispatcher } from '../../src/shared/ipc/server'
import { countingHandlers, validInputs, validOutputs } from './samples'

const transportAnswering = (answer: unknown): Transport & { sent: unknown[] } => {
  const sent: unknown[] = []
  return {
    sent,
    invoke: async (channel, input) => {
      sent.push([channel, input])
      return answer as never
    },
    on: () => () => {}
  }
}

describe('contract shape', () => {
  it('channel and event names are unique, dotted, and map to one prefixed wire name each', () => {
    for (const n of [...CHANNEL_NAMES, ...EVENT_NAMES]) expect(n).toMatch(/^[a-z]+\.[a-zA-Z]+$/)
    const wire = [...CHANNEL_NAMES.map(ipcChannel), ...EVENT_NAMES.map(ipcEvent)]
    expect(new Set(wire).size).toBe(wire.length)
    expect(wire.every((w) => w.startsWith(IPC_PREFIX))).toBe(true)
  })
})

describe('client', () => {
  it('round-trips every channel through the dispatcher', async () => {
    const { handlers } = countingHandlers()
    const d = createDispatcher(handlers, { isTrustedSender: () => true })
    const client = createClient({ invoke: (c, i) => d.dispatch(c, i, 'x'), on: () => () => {} })
    for (const name of CHANNEL_NAMES) {
      expect(await client.invoke(name, validInputs[name] as never), name).toEqual({ ok: true, value: validOutputs[name] })
    }
  })

  it('does not send an input that breaks the contract', async () => {
    const t = transportAnswering({ ok: true, value: { locale: 'en' } })
    const client = createClient(t)
    const r = await client.invoke('settings.set', { locale: 'fr' } as never)
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    expect(t.sent).toEqual([])
  })

  it('checks every answer: a malformed value or envelope becomes INTERNAL', async () => {
    const bad = [
      { ok: true, value: { locale: 'fr' } },
      { ok: true },
      { ok: false, error: { code: 'NOPE', message: 'x' } },
      'yes',
      null
    ]
    for (const answer of bad) {
      const r = await createClient(transportAnswering(answer)).invoke('settings.get', {})
      expect(r, JSON.stringify(answer)).toMatchObject({ ok: false, error: { code: 'INTERNAL' } })
    }
    const failure = { ok: false, error: { code: 'QUOTA_EXCEEDED', message: 'no' } }
    expect(await createClient(transportAnswering(failure)).invoke('settings.get', {})).toEqual(failure)
  })

  it('a transport that throws becomes UNAVAILABLE', async () => {
    const client = createClient({ invoke: () => Promise.reject(new Error('socket closed')), on: () => () => {} })
    expect(await client.invoke('wallet.balance', {})).toEqual({ ok: false, error: { code: 'UNAVAILABLE', message: 'socket closed' } })
  })

  it('drops event payloads that break the contract, passes the rest', () => {
    let emit: (p: unknown) => void = () => {}
    const client = createClient({
      invoke: async () => ({ ok: true, value: null }),
      on: (_e, cb) => {
        emit = cb
        return () => {}
      }
    })
    const got: unknown[] = []
    client.on('sync.state', (p) => got.push(p))
    emit({ online: 'yes' })
    emit(validOutputs['sync.state'])
    expect(got).toEqual([validOutputs['sync.state']])
    expect(() => client.on('wallet.hacked' as never, () => {})).toThrow(/unknown event/)
  })
})
