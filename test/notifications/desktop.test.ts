import { describe, expect, it } from 'vitest'
import { inQuietHours, RecordingDesktopNotifier } from '../../src/main/notifications'
import { at } from '../subscriptions/support'
import { DAY, HOUR, offlineApp, topUp } from './support'

// The desktop rule, through the Node stand-in that records what it was asked to show: only new
// unread notices of kinds switched on, outside quiet hours, each once, also across a restart.

function endingSoon(app: ReturnType<typeof offlineApp>) {
  topUp(app, 10_000, 'r1')
  return app.billing.subscriptions.subscribe({ key: 's1', planCode: 'BASIC', period: 'monthly', payment: 'wallet', autoRenew: false })
}

describe('desktop notifications (stand-in)', () => {
  it('quiet hours in local time: none shown then, the centre still lists it, and it does not pop up afterwards', () => {
    // 2026-03-26 10:00 Shanghai is 03:00 in Berlin (UTC+1 in March): inside 22:00–08:00 there.
    const app = offlineApp({ localTimeZone: 'Europe/Berlin' })
    const sub = endingSoon(app)
    app.sync.notifications.setSettings({ muted: [], quietHours: { start: '22:00', end: '08:00' } })
    app.clock.set(sub.currentPeriodEnd! - 7 * DAY)
    expect(inQuietHours({ start: '22:00', end: '08:00' }, app.clock.now(), 'Europe/Berlin')).toBe(true)
    app.sync.notifications.checkReminders()
    expect(app.desktop.shown).toEqual([])
    expect(app.sync.notifications.unread()).toBe(1)
    app.clock.advance(6 * HOUR) // 09:00 in Berlin: quiet hours over
    app.sync.notifications.checkReminders()
    expect(app.desktop.shown).toEqual([])
    // The next one falls due at 03:00 Berlin, outside the new quiet hours: shown.
    app.sync.notifications.setSettings({ muted: [], quietHours: { start: '01:00', end: '02:00' } })
    app.clock.set(sub.currentPeriodEnd! - 3 * DAY)
    app.sync.notifications.checkReminders()
    expect(app.desktop.shown.map((n) => n.title)).toEqual(['套餐即将到期'])
  })

  it('a kind switched off is neither shown nor listed; switched on again it is listed (never shown late)', () => {
    const app = offlineApp()
    const sub = endingSoon(app)
    app.sync.notifications.setSettings({ muted: ['subscription_ending'], quietHours: null })
    app.clock.set(sub.currentPeriodEnd! - 7 * DAY)
    app.sync.notifications.checkReminders()
    expect(app.desktop.shown).toEqual([])
    expect(app.sync.notifications.list({ limit: 10 }).items).toEqual([])
    expect(app.sync.notifications.unread()).toBe(0)
    app.sync.notifications.setSettings({ muted: [], quietHours: null })
    expect(app.sync.notifications.unread()).toBe(1)
    app.sync.notifications.checkReminders()
    expect(app.desktop.shown).toEqual([])
  })

  it('a read notice is not shown; each is shown once, and a restart shows none again', () => {
    const app = offlineApp()
    const sub = endingSoon(app)
    app.clock.set(sub.currentPeriodEnd! - 7 * DAY)
    app.sync.notifications.checkReminders()
    app.sync.notifications.checkReminders()
    expect(app.desktop.shown).toHaveLength(1)
    const again = app.reopen()
    again.sync.start()
    again.sync.notifications.checkReminders()
    expect(again.desktop.shown).toEqual([])
    again.clock.set(sub.currentPeriodEnd! - 3 * DAY)
    again.sync.notifications.checkReminders()
    expect(again.desktop.shown.map((n) => n.body)).toEqual(['基础版将于 2026/04/02 到期（还剩 3 天），请及时续费。'])
  })

  it('the language of the desktop text follows the screens’ setting', () => {
    const desktop = new RecordingDesktopNotifier()
    const app = offlineApp({ over: { notifications: { desktop, locale: () => 'en', localTimeZone: 'Asia/Shanghai' } } })
    const sub = endingSoon(app)
    app.clock.set(sub.currentPeriodEnd! - DAY)
    app.sync.notifications.checkReminders()
    expect(desktop.shown).toEqual([
      { id: expect.stringMatching(/^local:subscription_ending:BASIC:2026-04-02:1$/), title: 'Plan ending soon', body: 'Your Basic plan ends on 2 Apr 2026 (1 day left). Renew to keep it.' }
    ])
  })

  it('quiet hours: start inclusive, end exclusive, across midnight or within a day', () => {
    const z = 'Asia/Shanghai'
    const q = { start: '22:30', end: '07:00' }
    expect(inQuietHours(q, at(2026, 3, 2, 22, 29), z)).toBe(false)
    expect(inQuietHours(q, at(2026, 3, 2, 22, 30), z)).toBe(true)
    expect(inQuietHours(q, at(2026, 3, 3, 6, 59), z)).toBe(true)
    expect(inQuietHours(q, at(2026, 3, 3, 7, 0), z)).toBe(false)
    expect(inQuietHours({ start: '12:00', end: '14:00' }, at(2026, 3, 3, 13, 0), z)).toBe(true)
    expect(inQuietHours({ start: '12:00', end: '14:00' }, at(2026, 3, 3, 14, 0), z)).toBe(false)
    expect(inQuietHours(null, at(2026, 3, 3, 13, 0), z)).toBe(false)
  })
})
