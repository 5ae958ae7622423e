import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ipcChannel, ipcEvent } from '../../src/shared/ipc/contract'
import type { IpcEventLike, IpcMainLike, WindowLike } from '../../src/main'
import { openModule } from './support'

// attach(window, page) over a stand-in of the two Electron objects it touches (ipcMain and a
// window): the renderer's paid-use channels, who may call them, and the events it is sent.

function electronStandIns(pageFile: string) {
  const handlers = new Map<string, (e: IpcEventLike, input: unknown) => unknown>()
  const ipcMain: IpcMainLike = {
    handle: (ch, fn) => void handlers.set(ch, fn as never),
    removeHandler: (ch) => void handlers.delete(ch)
  }
  const sent: { channel: string; payload: unknown }[] = []
  const mainFrame = { url: pathToFileURL(pageFile).href }
  const webContents = { send: (channel: string, payload: unknown) => void sent.push({ channel, payload }), mainFrame }
  let onClosed = (): void => {}
  const win: WindowLike = { webContents, isDestroyed: () => false, once: (_e, cb) => (onClosed = cb) }
  const fromWindow: IpcEventLike = { sender: webContents, senderFrame: mainFrame }
  const invoke = async (ch: string, input: unknown, e: IpcEventLike = fromWindow) => {
    const fn = handlers.get(ipcChannel(ch as never))
    if (!fn) throw new Error(`no handler for ${ch}`)
    return (await fn(e, input)) as { ok: boolean; value?: never; error?: { code: string } }
  }
  return { ipcMain, win, sent, invoke, handlers, close: () => onClosed(), mainFrame }
}

describe('attach: the paid-use channels for a host window', () => {
  it('begin, confirm, cancel, live.start and live.end from the attached page; events reach it', async () => {
    const page = join('/app', 'screens', 'index.html')
    const e = electronStandIns(page)
    const { m } = openModule({ balance: 1000, ipcMain: e.ipcMain })
    m.attach(e.win, { indexHtml: page })

    const ai = await e.invoke('gate.begin', { idempotencyKey: 'ui-ai-0001', feature: 'ai_request' })
    expect(ai.value).toMatchObject({ status: 'pending', decision: { outcome: 'paid' } })
    expect((await e.invoke('gate.cancel', { key: 'ui-ai-0001' })).value).toMatchObject({ status: 'cancelled' })

    const live = await e.invoke('live.start', { idempotencyKey: 'ui-live-0001' })
    expect(live.value).toMatchObject({ decision: { outcome: 'paid', balanceAfter: { amount: 500 } } })
    const confirmed = await e.invoke('gate.confirm', { key: 'ui-live-0001' })
    expect(confirmed.value).toMatchObject({ outcome: 'paid', live: { key: 'ui-live-0001' } })
    expect((await e.invoke('live.state', {})).value).toMatchObject({ sessions: [{ key: 'ui-live-0001' }] })
    expect((await e.invoke('live.end', { key: 'ui-live-0001' })).ok).toBe(true)
    expect(m.quota.check('live_room').allowed).toBe(true)

    const events = e.sent.map((s) => s.channel)
    expect(events).toContain(ipcEvent('balance.changed'))
    const liveEvents = e.sent.filter((s) => s.channel === ipcEvent('live.changed')).map((s) => s.payload)
    expect(liveEvents).toEqual([{ sessions: [expect.objectContaining({ key: 'ui-live-0001' })] }, { sessions: [] }])
  })

  it('two screens asking for the last room at once: one quote gets it, the other is told there is none', async () => {
    const page = join('/app', 'screens', 'index.html')
    const e = electronStandIns(page)
    const { m } = openModule({ balance: 5000, ipcMain: e.ipcMain })
    m.attach(e.win, { indexHtml: page })
    const [a, b] = await Promise.all([
      e.invoke('live.start', { idempotencyKey: 'ui-live-race-a' }),
      e.invoke('live.start', { idempotencyKey: 'ui-live-race-b' })
    ])
    const outcomes = [a, b].map((r) => (r.value as { decision: { outcome: string } } | undefined)?.decision.outcome).sort()
    expect(outcomes).toEqual(['no_room', 'paid'])
    expect(m.balance().held.amount).toBe(500)
  })

  it('another frame, another page or a detached window is FORBIDDEN and spends nothing', async () => {
    const page = join('/app', 'screens', 'index.html')
    const e = electronStandIns(page)
    const { m } = openModule({ balance: 1000, ipcMain: e.ipcMain })
    m.attach(e.win, { indexHtml: page })
    const input = { idempotencyKey: 'ui-live-0002' }
    const otherFrame = { sender: e.win.webContents, senderFrame: { url: e.mainFrame.url } }
    const otherPage = { sender: e.win.webContents, senderFrame: e.mainFrame }
    expect((await e.invoke('live.start', input, otherFrame)).error?.code).toBe('FORBIDDEN')
    e.mainFrame.url = 'https://evil.example/index.html'
    expect((await e.invoke('live.start', input, otherPage)).error?.code).toBe('FORBIDDEN')
    e.mainFrame.url = pathToFileURL(page).href
    e.close() // the window closed: detached
    expect((await e.invoke('live.start', input)).error?.code).toBe('FORBIDDEN')
    expect(m.balance().held.amount).toBe(0)
    m.close()
    expect(e.handlers.size).toBe(0)
  })
})
