import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it, vi } from 'vitest'

// The Electron binary cannot run here: the adapter runs against a stand-in of the two Electron
// APIs it calls (Notification, app.setAppUserModelId), as test/electron/adapters.test.ts does.
const fake = vi.hoisted(() => ({
  supported: true,
  userModelIds: [] as string[],
  made: [] as { options: { title: string; body: string }; shown: number; handlers: Map<string, () => void> }[]
}))

vi.mock('electron', () => {
  class Notification {
    static isSupported = () => fake.supported
    private readonly rec
    constructor(options: { title: string; body: string }) {
      this.rec = { options, shown: 0, handlers: new Map<string, () => void>() }
      fake.made.push(this.rec)
    }
    on(event: string, cb: () => void) {
      this.rec.handlers.set(event, cb)
      return this
    }
    show() {
      this.rec.shown++
    }
  }
  const electron = { app: { setAppUserModelId: (id: string) => void fake.userModelIds.push(id) }, Notification }
  return { ...electron, default: electron }
})

const { electronDesktopNotifier, APP_USER_MODEL_ID } = await import('../../src/main/electron/desktop-notifier')
const platform = Object.getOwnPropertyDescriptor(process, 'platform')!

afterEach(() => {
  Object.defineProperty(process, 'platform', platform)
  fake.supported = true
  fake.userModelIds = []
  fake.made = []
})

describe('electronDesktopNotifier', () => {
  it('shows each notice as an Electron Notification with its title and body; a click reaches the app', () => {
    const clicked: string[] = []
    const notifier = electronDesktopNotifier({ onClick: (n) => clicked.push(n.id) })
    notifier.show({ id: 'n1', title: '退款已处理', body: '订单 LS0001 已退款 ¥12.00。' })
    expect(fake.made).toHaveLength(1)
    expect(fake.made[0]).toMatchObject({ options: { title: '退款已处理', body: '订单 LS0001 已退款 ¥12.00。' }, shown: 1 })
    fake.made[0]!.handlers.get('click')!()
    expect(clicked).toEqual(['n1'])
  })

  it('sets the AppUserModelID on Windows only (toasts are matched to the installer’s shortcut by it)', () => {
    Object.defineProperty(process, 'platform', { value: 'linux' })
    electronDesktopNotifier()
    expect(fake.userModelIds).toEqual([])
    Object.defineProperty(process, 'platform', { value: 'win32' })
    electronDesktopNotifier()
    expect(fake.userModelIds).toEqual([APP_USER_MODEL_ID])
    expect(APP_USER_MODEL_ID).toBe(/^appId: (.+)$/m.exec(readFileSync('electron-builder.yml', 'utf8'))![1])
  })

  it('where the system has no notifications, shows nothing and does not throw', () => {
    fake.supported = false
    electronDesktopNotifier().show({ id: 'n1', title: 't', body: 'b' })
    expect(fake.made).toEqual([])
  })
})
