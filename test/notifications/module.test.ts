import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createBilling } from '../../src/main/billing'
import { RecordingDesktopNotifier, type NoticeItem } from '../../src/main'
import { ManualClock } from '../../src/node/clock'
import { codeOf, openModule, T0 } from '../api/support'
import { tempDir } from '../support/db'

// The host app's API (createBillingModule().notifications): list, unread, markRead, onNotice,
// and the desktop port it hands in, with no relay at all.

const DAY = 86_400_000

describe('billing.notifications (public API)', () => {
  it('a local reminder reaches onNotice once and the desktop port in the screens’ language; list, unread, markRead', () => {
    const dataDir = tempDir('notices-api-')
    const seed = createBilling({ dbPath: join(dataDir, 'billing.sqlite'), clock: new ManualClock(T0) })
    const trial = seed.subscriptions.subscribe({ key: 'trial-1', planCode: 'BASIC', period: 'monthly', trial: true })
    seed.close()
    writeFileSync(join(dataDir, 'billing-settings.json'), JSON.stringify({ locale: 'en' }))
    const desktop = new RecordingDesktopNotifier()
    const clock = new ManualClock(trial.trialEndsAt! - 3 * DAY + 1)
    const { m } = openModule({ dataDir, clock, desktopNotifier: desktop })
    const heard: NoticeItem[] = []
    const off = m.notifications.onNotice((n) => heard.push(n))
    m.sync.start()
    m.sync.start()
    expect(heard.map((n) => [n.kind, n.params.daysLeft, n.source])).toEqual([['trial_ending', 3, 'local']])
    expect(desktop.shown.map((n) => n.title)).toEqual(['Trial ending soon'])
    expect(m.notifications.unread()).toBe(1)
    expect(m.notifications.list().items.map((n) => n.id)).toEqual([heard[0]!.id])
    expect(m.notifications.markRead([heard[0]!.id])).toBe(0)
    off()
  })

  it('bad arguments are typed errors and mark nothing', () => {
    const { m } = openModule()
    expect(codeOf(() => m.notifications.markRead([]))).toBe('INVALID_INPUT')
    expect(codeOf(() => m.notifications.markRead(['nope']))).toBe('NOT_FOUND')
    expect(codeOf(() => m.notifications.list({ limit: 0 }))).toBe('INVALID_INPUT')
    expect(codeOf(() => m.notifications.list({ before: 'x' }))).toBe('INVALID_INPUT')
    expect(m.notifications.list()).toEqual({ items: [], nextCursor: null, unread: 0 })
    expect(m.notifications.markAllRead()).toBe(0)
  })
})
