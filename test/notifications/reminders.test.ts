import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/node/clock'
import { dueReminders } from '../../src/main/notifications'
import { at } from '../subscriptions/support'
import { DAY, HOUR, T0, cny, kinds, offlineApp, topUp, type OfflineApp } from './support'

// The reminder rule on a manual clock, over the real subscriptions of an app with no relay:
// the clock walks a month hour by hour and the centre is asked what is due at each step, as
// the app's timer does every minute.

function walk(app: OfflineApp, until: number, step = HOUR): void {
  while (app.clock.now() < until) {
    app.clock.advance(step)
    app.billing.sweep()
    app.sync.notifications.checkReminders()
  }
}

describe('local reminders across a month', () => {
  it('a plan that does not renew: 7, 3 and 1 days before its end, each once', () => {
    const app = offlineApp()
    topUp(app, 10_000, 'r1')
    const sub = app.billing.subscriptions.subscribe({ key: 's1', planCode: 'BASIC', period: 'monthly', payment: 'wallet', autoRenew: false })
    const end = sub.currentPeriodEnd!
    expect(end).toBe(at(2026, 4, 2, 10, 0))
    walk(app, end + 2 * DAY)
    expect(kinds(app)).toEqual(['subscription_ending:1', 'subscription_ending:3', 'subscription_ending:7'])
    const items = app.sync.notifications.list({ limit: 10 }).items
    expect(items.map((n) => n.at)).toEqual([end - DAY, end - 3 * DAY, end - 7 * DAY])
    expect(items.every((n) => n.source === 'local' && n.params.endsAt === end && n.params.planCode === 'BASIC')).toBe(true)
    expect(app.sync.notifications.unread()).toBe(3)
    // Shown on the desktop as they fell due, each once.
    expect(app.desktop.shown.map((s) => s.title)).toEqual(['套餐即将到期', '套餐即将到期', '套餐即将到期'])
    expect(app.desktop.shown[0]!.body).toBe('基础版将于 2026/04/02 到期（还剩 7 天），请及时续费。')
  })

  it('a renewal moves the reminders to the new end; the old end’s later ones never come', () => {
    const app = offlineApp()
    topUp(app, 10_000, 'r1')
    const sub = app.billing.subscriptions.subscribe({ key: 's1', planCode: 'BASIC', period: 'monthly', payment: 'wallet', autoRenew: false })
    const firstEnd = sub.currentPeriodEnd!
    walk(app, firstEnd - 6 * DAY)
    expect(kinds(app)).toEqual(['subscription_ending:7'])
    const renewed = app.billing.subscriptions.renew({ key: 'renew-1', payment: 'wallet' })
    const secondEnd = renewed.currentPeriodEnd!
    expect(secondEnd).toBe(at(2026, 5, 2, 10, 0))
    walk(app, secondEnd - 12 * HOUR)
    expect(app.sync.notifications.list({ limit: 10 }).items.map((n) => [n.params.endsAt, n.params.daysLeft])).toEqual([
      [secondEnd, 1],
      [secondEnd, 3],
      [secondEnd, 7],
      [firstEnd, 7]
    ])
  })

  it('auto-renew the wallet covers needs no reminder; short of money, renewal_short says by how much, until topped up', () => {
    const app = offlineApp()
    topUp(app, 2_900, 'r1')
    const sub = app.billing.subscriptions.subscribe({ key: 's1', planCode: 'BASIC', period: 'monthly', payment: 'wallet' })
    expect(sub.autoRenew).toBe(true)
    // Balance now 0: the renewal (¥29.00) is short by all of it.
    walk(app, sub.currentPeriodEnd! - 5 * DAY)
    const [short] = app.sync.notifications.list({ limit: 10 }).items
    expect(short).toMatchObject({ kind: 'renewal_short', params: { daysLeft: 7, shortfall: cny(2_900) } })
    expect(app.desktop.shown.at(-1)!.body).toBe('基础版将于 2026/04/02 自动续费，余额还差 ¥29.00，请充值。')
    topUp(app, 5_000, 'r2')
    walk(app, sub.currentPeriodEnd! + DAY)
    // Covered now: no 3- or 1-day reminder, and the sweep renewed it.
    expect(kinds(app)).toEqual(['renewal_short:7'])
    expect(app.billing.subscriptions.current()!.currentPeriodEnd).toBe(at(2026, 5, 2, 10, 0))
    // The next period: the wallet (¥21.00 left) cannot cover ¥29.00 again.
    walk(app, at(2026, 5, 2, 10, 0) - 2 * DAY)
    expect(kinds(app)[0]).toBe('renewal_short:3')
    expect(app.sync.notifications.list({ limit: 1 }).items[0]!.params.shortfall).toEqual(cny(800))
  })

  it('a 7-day trial: 3 and 1 days before it ends (its 7-day mark is its start, no reminder)', () => {
    const app = offlineApp()
    const trial = app.billing.subscriptions.subscribe({ key: 't1', planCode: 'BASIC', period: 'monthly', trial: true })
    expect(trial.trialEndsAt).toBe(T0 + 7 * DAY)
    walk(app, trial.trialEndsAt! + DAY)
    expect(kinds(app)).toEqual(['trial_ending:1', 'trial_ending:3'])
    expect(app.desktop.shown.map((s) => s.body)).toContain('基础版试用将于 2026/03/09 结束（还剩 3 天），订阅后可继续使用。')
  })

  it('after days offline only the latest threshold is due; a restart creates and shows nothing again', () => {
    const app = offlineApp()
    topUp(app, 10_000, 'r1')
    const sub = app.billing.subscriptions.subscribe({ key: 's1', planCode: 'BASIC', period: 'monthly', payment: 'wallet', autoRenew: false })
    app.clock.set(sub.currentPeriodEnd! - 2 * DAY)
    app.sync.notifications.checkReminders()
    app.sync.notifications.checkReminders()
    expect(kinds(app)).toEqual(['subscription_ending:3'])
    expect(app.desktop.shown).toHaveLength(1)
    const again = app.reopen()
    again.sync.start()
    again.sync.notifications.checkReminders()
    expect(kinds(again)).toEqual(['subscription_ending:3'])
    expect(again.desktop.shown).toEqual([])
  })
})

describe('the rule itself (dueReminders)', () => {
  const base = { timeZone: 'Asia/Shanghai', subscription: null, available: cny(0) }
  const lease = { planCode: 'PREMIUM' as const, period: 'monthly' as const, periodStart: T0, periodEnd: T0 + 30 * DAY }

  it('the relay’s lease alone (a plan paid elsewhere) reminds of its period end, keyed by (kind, plan, day, days left)', () => {
    expect(dueReminders({ ...base, now: T0 + 20 * DAY, lease })).toEqual([])
    expect(dueReminders({ ...base, now: T0 + 23 * DAY, lease })).toEqual([
      {
        noticeId: 'local:subscription_ending:PREMIUM:2026-04-01:7',
        kind: 'subscription_ending',
        at: T0 + 23 * DAY,
        params: { planCode: 'PREMIUM', period: 'monthly', endsAt: T0 + 30 * DAY, daysLeft: 7 }
      }
    ])
    expect(dueReminders({ ...base, now: T0 + 30 * DAY, lease })).toEqual([])
    expect(dueReminders({ ...base, now: T0 + 29 * DAY, lease: { ...lease, planCode: 'FREE' } })).toEqual([])
    expect(dueReminders({ ...base, now: T0 + 29 * DAY, lease: { ...lease, periodEnd: null } })).toEqual([])
  })

  it('a live local subscription of the lease’s plan speaks for it (it knows whether it renews)', () => {
    const app = offlineApp({ clock: new ManualClock(T0) })
    topUp(app, 100_000, 'r1')
    const sub = app.billing.subscriptions.subscribe({ key: 's1', planCode: 'PREMIUM', period: 'monthly', payment: 'wallet' })
    const now = sub.currentPeriodEnd! - 2 * DAY
    const facts = { ...base, now, lease: { ...lease, periodEnd: sub.currentPeriodEnd }, available: cny(100_000) }
    expect(dueReminders({ ...facts, subscription: sub })).toEqual([])
    expect(dueReminders({ ...facts, subscription: { ...sub, planCode: 'BASIC' } }).map((n) => n.params.planCode)).toEqual(['PREMIUM'])
  })
})
