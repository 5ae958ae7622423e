import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { NOTICE_KINDS } from '../../src/shared/relay-contract'
import { key, openCore, recharge } from '../ipc/core-fixture'
import { ipcOver } from '../ipc/handlers-fixture'

// The centre's channels over the real core and the real dispatcher: bad input from the
// renderer is a typed error and changes nothing; paging is newest first, each notice once.

const cny = (amount: number) => ({ amount, currency: 'CNY' as const })

function withNotices(n: number, at: (i: number) => number = (i) => 1_000 + i) {
  const core = openCore()
  const centre = core.sync.notifications
  core.billing.db.tx(() => {
    for (let i = 0; i < n; i++) centre.applyRelay({ noticeId: `n${String(i).padStart(3, '0')}`, kind: 'recharge_credited', at: at(i), params: { amount: cny(100 + i) } }, 0)
  })
  return { ...core, ...ipcOver(core.billing, { sync: core.sync }) }
}

describe('notices.* channels', () => {
  it('lists newest first in pages; the cursor gives each notice once', async () => {
    const { call } = withNotices(25)
    const first = await call('notices.list', { limit: 20 })
    expect(first).toMatchObject({ ok: true, value: { unread: 25 } })
    if (!first.ok) throw new Error('list failed')
    const page1 = first.value as { items: { id: string }[]; nextCursor: string }
    expect(page1.items.map((n) => n.id).slice(0, 3)).toEqual(['n024', 'n023', 'n022'])
    const second = await call('notices.list', { limit: 20, before: page1.nextCursor })
    if (!second.ok) throw new Error('list failed')
    const page2 = second.value as { items: { id: string }[]; nextCursor: string | null }
    expect(page2.items.map((n) => n.id)).toEqual(['n004', 'n003', 'n002', 'n001', 'n000'])
    expect(page2.nextCursor).toBeNull()
  })

  it('property: any instants (ties included), any page size: every notice once, newest first', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 7 }), (ats, limit) => {
        const { sync } = withNotices(ats.length, (i) => ats[i]!)
        const seen: { id: string; at: number }[] = []
        let before: string | undefined
        for (;;) {
          const page = sync.notifications.list({ limit, ...(before ? { before } : {}) })
          seen.push(...page.items)
          if (page.nextCursor === null) break
          before = page.nextCursor
        }
        expect(seen.map((n) => n.id).sort()).toEqual(ats.map((_, i) => `n${String(i).padStart(3, '0')}`))
        for (let i = 1; i < seen.length; i++) expect(seen[i - 1]!.at >= seen[i]!.at).toBe(true)
        sync.close()
      }),
      { numRuns: 25 }
    )
  })

  it('mark read: an unknown id is NOT_FOUND and none is marked; again changes nothing; mark all', async () => {
    const { call } = withNotices(3)
    expect(await call('notices.markRead', { ids: ['n000', 'nope'] })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })
    expect(await call('notices.unread', {})).toEqual({ ok: true, value: { unread: 3 } })
    expect(await call('notices.markRead', { ids: ['n000', 'n000'] })).toEqual({ ok: true, value: { unread: 2 } })
    expect(await call('notices.markRead', { ids: ['n000'] })).toEqual({ ok: true, value: { unread: 2 } })
    expect(await call('notices.markAllRead', {})).toEqual({ ok: true, value: { unread: 0 } })
  })

  it('bad input is INVALID_INPUT, and nothing changes', async () => {
    const { call, sync } = withNotices(2)
    const bad: [string, unknown][] = [
      ['notices.list', { limit: 0 }],
      ['notices.list', { limit: 101 }],
      ['notices.list', { limit: 5, extra: 1 }],
      ['notices.list', { before: 'not-a-cursor' }],
      ['notices.list', { before: '12|' }],
      ['notices.list', null],
      ['notices.markRead', { ids: [] }],
      ['notices.markRead', { ids: [''] }],
      ['notices.markRead', { ids: 'n000' }],
      ['notices.markRead', { ids: Array.from({ length: 101 }, (_, i) => `n${i}`) }],
      ['notices.setSettings', { muted: ['not_a_kind'], quietHours: null }],
      ['notices.setSettings', { muted: [], quietHours: { start: '25:00', end: '08:00' } }],
      ['notices.setSettings', { muted: [], quietHours: { start: '08:00', end: '08:00' } }],
      ['notices.setSettings', { muted: [], quietHours: { start: '8:00', end: '09:00' } }],
      ['notices.setSettings', { muted: [] }],
      ['notices.setSettings', { muted: [...NOTICE_KINDS, 'refund'], quietHours: null }],
      ['notices.setSettings', { muted: [], quietHours: null, desktop: false }]
    ]
    for (const [channel, input] of bad) {
      expect(await call(channel, input), `${channel} ${JSON.stringify(input)}`).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } })
    }
    expect(sync.notifications.unread()).toBe(2)
    expect(await call('notices.settings', {})).toEqual({ ok: true, value: { muted: [], quietHours: null } })
  })

  it('settings are kept (each kind once, in order) and a muted kind leaves the list and the count', async () => {
    const { call } = withNotices(2)
    const set = await call('notices.setSettings', { muted: ['refund', 'recharge_credited', 'refund'], quietHours: { start: '22:00', end: '07:30' } })
    expect(set).toEqual({ ok: true, value: { muted: ['recharge_credited', 'refund'], quietHours: { start: '22:00', end: '07:30' } } })
    expect(await call('notices.unread', {})).toEqual({ ok: true, value: { unread: 0 } })
    expect(await call('notices.list', {})).toMatchObject({ ok: true, value: { items: [], unread: 0 } })
  })

  it('a change made through the screens is reminded of at once: auto-renew switched off 5 days before the end', async () => {
    const core = openCore()
    const { call } = ipcOver(core.billing, { sync: core.sync })
    recharge(core.billing, 10_000)
    const r = await call('subscription.subscribe', { idempotencyKey: key(), planId: 'BASIC:monthly' })
    if (!r.ok) throw new Error(JSON.stringify(r.error))
    const end = core.billing.subscriptions.current()!.currentPeriodEnd!
    core.clock.set(end - 5 * 86_400_000)
    const changes: string[] = []
    core.sync.notifications.onChange((c) => changes.push(...c.added.map((n) => `${n.kind}:${n.params.daysLeft}`)))
    expect(await call('subscription.setAutoRenew', { idempotencyKey: key(), enabled: false })).toMatchObject({ ok: true })
    await Promise.resolve()
    expect(changes).toEqual(['subscription_ending:7'])
    expect(await call('notices.unread', {})).toEqual({ ok: true, value: { unread: 1 } })
  })
})
