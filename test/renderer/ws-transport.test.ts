import { afterEach, describe, expect, it, vi } from 'vitest'
import { createClient } from '../../src/shared/ipc/client'
import { createWebSocketTransport } from '../../src/renderer/src/ws-transport'

// A scripted stand-in for the browser's WebSocket: the test opens, answers and drops it.
class FakeSocket {
  static all: FakeSocket[] = []
  sent: string[] = []
  onopen: (() => void) | null = null
  onmessage: ((ev: { data: string }) => void) | null = null
  onclose: (() => void) | null = null
  constructor(readonly url: string) {
    FakeSocket.all.push(this)
  }
  send(msg: string): void {
    this.sent.push(msg)
  }
  close(): void {
    this.onclose?.()
  }
  open(): void {
    this.onopen?.()
  }
  receive(msg: unknown): void {
    this.onmessage?.({ data: JSON.stringify(msg) })
  }
}

const make = () => createWebSocketTransport('ws://127.0.0.1:1/ipc', FakeSocket as unknown as typeof WebSocket)

afterEach(() => {
  FakeSocket.all = []
  vi.useRealTimers()
})

describe('WebSocket transport', () => {
  it('queues calls until open, then correlates answers by id', async () => {
    const t = make()
    const client = createClient(t)
    const a = client.invoke('settings.get', {})
    const b = client.invoke('settings.set', { locale: 'en' })
    const ws = FakeSocket.all[0]!
    expect(ws.url).toBe('ws://127.0.0.1:1/ipc')
    expect(ws.sent).toEqual([])
    ws.open()
    const [m1, m2] = ws.sent.map((s) => JSON.parse(s))
    expect(m1).toEqual({ id: 1, channel: 'settings.get', input: {} })
    expect(m2).toEqual({ id: 2, channel: 'settings.set', input: { locale: 'en' } })
    ws.receive({ id: 2, result: { ok: true, value: { locale: 'en' } } })
    ws.receive({ id: 1, result: { ok: true, value: { locale: 'zh-CN' } } })
    expect(await a).toEqual({ ok: true, value: { locale: 'zh-CN' } })
    expect(await b).toEqual({ ok: true, value: { locale: 'en' } })
    t.close()
  })

  it('delivers events to their listeners only; ignores junk frames', () => {
    const t = make()
    const ws = FakeSocket.all[0]!
    ws.open()
    const got: unknown[] = []
    const off = t.on('sync.state', (p) => got.push(p))
    ws.receive({ event: 'sync.state', payload: 1 })
    ws.receive({ event: 'balance.changed', payload: 2 })
    ws.onmessage?.({ data: 'not json' })
    off()
    ws.receive({ event: 'sync.state', payload: 3 })
    expect(got).toEqual([1])
    t.close()
  })

  it('a dropped socket fails what is in flight (UNAVAILABLE) and reconnects', async () => {
    vi.useFakeTimers()
    const t = make()
    const client = createClient(t)
    FakeSocket.all[0]!.open()
    const pending = client.invoke('wallet.balance', {})
    FakeSocket.all[0]!.close()
    expect(await pending).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } })
    expect(FakeSocket.all).toHaveLength(1)
    vi.advanceTimersByTime(250)
    expect(FakeSocket.all).toHaveLength(2)
    t.close()
  })
})
