import { describe, expect, it } from 'vitest'
import { RecordingDesktopNotifier } from '../../src/main/notifications'
import type { NoticesChanged } from '../../src/shared/ipc/schemas/notices'
import type { FeedData } from '../../src/shared/relay-contract'
import { newDevice, startWorld, T0, topUp, type World } from '../sync/support'

// 'notice' feed records from the real relay over HTTP on 127.0.0.1, appended with the relay's
// own feed append (as its jobs do), pulled, verified and applied by the real sync.

const cny = (amount: number) => ({ amount, currency: 'CNY' as const })
const DAY = 86_400_000

async function relayNotice(w: World, accountId: string, data: FeedData<'notice'>): Promise<void> {
  const { core, db } = w.t.relay
  await db.unit((tx) => core.feed.append(tx, accountId, 'notice', data))
}

describe("applying the relay's notices", () => {
  it("an event's notice rides in its record: a paid recharge and its invoice each bring theirs, once, with no notice record", async () => {
    const w = await startWorld()
    const desktop = new RecordingDesktopNotifier()
    const a = await newDevice(w, 'a', undefined, { notifications: { desktop, localTimeZone: 'Asia/Shanghai' } })
    const orderNo = await topUp(w, a, 5000)
    await a.sync.syncNow()
    const types = (w.t.relay.db.sqlite.prepare('SELECT type FROM feed WHERE account_id = ? ORDER BY seq').all(a.accountId) as { type: string }[]).map((r) => r.type)
    expect(types).not.toContain('notice')
    const items = a.sync.notifications.list({ limit: 10 }).items
    expect(items.map((n) => [n.id, n.kind, n.source]).sort()).toEqual(
      [
        [`payment:${orderNo}`, 'recharge_credited', 'relay'],
        [expect.stringMatching(/^invoice:INV-\d{4}-\d{6}$/), 'invoice_issued', 'relay']
      ].sort()
    )
    expect(a.billing.wallet.balance()).toEqual(cny(5000))
    expect(desktop.shown).toHaveLength(2)
    // Served again from the start: each record (and so its notice) is known.
    a.billing.db.sqlite.prepare('UPDATE sync_state SET cursor = NULL').run()
    await a.sync.syncNow()
    expect(a.sync.notifications.list({ limit: 10 }).items).toHaveLength(2)
    expect(desktop.shown).toHaveLength(2)
  })

  it('a riding notice the app cannot read (a kind from a newer relay) is dropped; the record it rides in still applies', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    const { core, db } = w.t.relay
    const data: FeedData<'payment_confirmed'> = {
      orderNo: 'LS-FUTURE-1',
      provider: 'alipay',
      providerPaymentId: 'pay-future-1',
      item: { kind: 'recharge', amount: cny(700) },
      amount: cny(700),
      paidAt: T0
    }
    // The relay's own store append with a payload a newer relay would write (signed when served).
    await db.unit(async (tx) =>
      tx.feed.append({ id: 'rec_future_1', accountId: a.accountId, type: 'payment_confirmed', timestamp: Math.floor(T0 / 1000), keyId: core.feed.keyId }, (seq) => ({
        payload: JSON.stringify({ v: 1, seq, type: 'payment_confirmed', accountId: a.accountId, data, notice: { noticeId: 'x:1', kind: 'from_the_future', at: T0, params: {} } }),
        signature: ''
      }))
    )
    await a.sync.syncNow()
    expect(a.billing.wallet.balance()).toEqual(cny(700))
    expect(a.sync.notifications.list({ limit: 10 }).items).toEqual([])
    expect(a.sync.state().skippedCount).toBe(0)
  })

  it('a notice is kept once: the same notice in two records, and the same records served again, change nothing', async () => {
    const w = await startWorld()
    const desktop = new RecordingDesktopNotifier()
    const a = await newDevice(w, 'a', undefined, { notifications: { desktop, localTimeZone: 'Asia/Shanghai' } })
    const changes: NoticesChanged[] = []
    a.sync.notifications.onChange((c) => changes.push(c))
    const refund = { noticeId: 'refund:LS0001:rf1', kind: 'refund' as const, at: T0, params: { orderNo: 'LS0001', amount: cny(1200) } }
    await relayNotice(w, a.accountId, refund)
    await relayNotice(w, a.accountId, refund)
    await a.sync.syncNow()
    const first = a.sync.notifications.list({ limit: 10 })
    expect(first.items).toEqual([{ id: 'refund:LS0001:rf1', kind: 'refund', at: T0, params: refund.params, source: 'relay', readAt: null }])
    expect(first.unread).toBe(1)
    expect(changes.flatMap((c) => c.added.map((n) => n.id))).toEqual(['refund:LS0001:rf1'])
    expect(desktop.shown).toEqual([{ id: 'refund:LS0001:rf1', title: '退款已处理', body: '订单 LS0001 已退款 ¥12.00。' }])

    a.sync.notifications.markRead(['refund:LS0001:rf1'])
    // Every record served again from the start (the cursor forgotten): all are known.
    a.billing.db.sqlite.prepare('UPDATE sync_state SET cursor = NULL').run()
    await a.sync.syncNow()
    expect(a.sync.notifications.list({ limit: 10 }).items).toEqual([{ ...first.items[0], readAt: a.clock.now() }])
    expect(a.sync.notifications.unread()).toBe(0)
    expect(desktop.shown).toHaveLength(1)
    expect(changes.flatMap((c) => c.added)).toHaveLength(1)
  })

  it('a notice that is not one (unknown kind, bad facts) is skipped with its reason; later notices still arrive', async () => {
    const w = await startWorld()
    const a = await newDevice(w, 'a')
    await relayNotice(w, a.accountId, { noticeId: 'x1', kind: 'nonsense', at: T0, params: {} } as never)
    await relayNotice(w, a.accountId, { noticeId: 'x2', kind: 'refund', at: T0, params: { daysLeft: -1 } } as never)
    await relayNotice(w, a.accountId, { noticeId: 'ok1', kind: 'recharge_credited', at: T0, params: { amount: cny(5000) } })
    await a.sync.syncNow()
    expect(a.sync.notifications.list({ limit: 10 }).items.map((n) => n.id)).toEqual(['ok1'])
    expect(a.sync.state().skippedCount).toBe(2)
  })

  it("the relay's reminder of an event a local reminder told first takes that row: one notice, read state and desktop kept", async () => {
    const w = await startWorld()
    const desktop = new RecordingDesktopNotifier()
    const a = await newDevice(w, 'a', undefined, { notifications: { desktop, localTimeZone: 'Asia/Shanghai' } })
    const trial = a.billing.subscriptions.subscribe({ key: 'trial-1', planCode: 'BASIC', period: 'monthly', trial: true })
    const endsAt = trial.trialEndsAt!
    // Offline 4 days later: the local reminder, 3 days before the trial ends.
    a.clock.set(endsAt - 3 * DAY + 60_000)
    a.sync.notifications.checkReminders()
    const [local] = a.sync.notifications.list({ limit: 10 }).items
    expect(local).toMatchObject({ kind: 'trial_ending', source: 'local', params: { planCode: 'BASIC', endsAt, daysLeft: 3 } })
    a.sync.notifications.markRead([local!.id])
    const readAt = a.clock.now()
    expect(desktop.shown).toHaveLength(1)

    // Back online: the relay's own reminder for the same trial end and offset, keyed its way.
    await relayNotice(w, a.accountId, {
      noticeId: 'trial_ending:grant_77:3',
      kind: 'trial_ending',
      at: endsAt - 3 * DAY,
      params: { planCode: 'BASIC', period: 'monthly', endsAt, daysLeft: 3 }
    })
    await a.sync.syncNow()
    a.sync.notifications.checkReminders()
    const items = a.sync.notifications.list({ limit: 10 }).items
    expect(items).toEqual([
      { id: 'trial_ending:grant_77:3', kind: 'trial_ending', at: endsAt - 3 * DAY, params: { planCode: 'BASIC', period: 'monthly', endsAt, daysLeft: 3 }, source: 'relay', readAt }
    ])
    expect(desktop.shown).toHaveLength(1)

    // The 1-day reminder: the relay's arrives first this time; the local rule then adds nothing.
    await relayNotice(w, a.accountId, {
      noticeId: 'trial_ending:grant_77:1',
      kind: 'trial_ending',
      at: endsAt - DAY,
      params: { planCode: 'BASIC', endsAt, daysLeft: 1 }
    })
    a.clock.set(endsAt - DAY + 60_000)
    await a.sync.syncNow()
    a.sync.notifications.checkReminders()
    expect(a.sync.notifications.list({ limit: 10 }).items.map((n) => [n.id, n.source])).toEqual([
      ['trial_ending:grant_77:1', 'relay'],
      ['trial_ending:grant_77:3', 'relay']
    ])
    expect(desktop.shown.map((n) => n.id)).toEqual([local!.id, 'trial_ending:grant_77:1'])
  })
})
