import { describe, expect, it } from 'vitest'
import { publishCatalog } from '../../src/relay/catalog/catalog'
import { smtpEmailSender } from '../../src/relay/notifications'
import { REMINDER_JOB } from '../../src/relay/reminders/reminders'
import { DEFAULT_REMINDERS, parseCatalogDocument, BUILT_IN_CATALOG } from '../../src/shared/catalog'
import type { Notice } from '../../src/shared/relay-contract'
import { checkout, notify, paid, refunded } from './support/flows'
import { createTestProvider, type TestProvider } from './support/hmac-provider'
import { enrolDevice, startTestRelay } from './support/relay'
import { startTestSmtp } from './support/smtp'

// Reminders and dunning (issue 18, item 2) across a month on a manual clock, the real relay over
// HTTP: the clock moves a day at a time and the due jobs run, while accounts renew, switch, are
// refunded, auto-renew from a wallet that covers the renewal or not, run into debt and settle it.

const DAY = 86_400_000

describe('the reminder schedule in the catalog', () => {
  it('is optional (old documents stay valid, with the defaults) and checked when given', () => {
    expect(BUILT_IN_CATALOG.reminders).toBeUndefined()
    expect(DEFAULT_REMINDERS).toEqual({ endingDays: [7, 3, 1], graceNoticeDays: [0, 3, 7], graceDays: 10 })
    const doc = (reminders: unknown) => ({ ...BUILT_IN_CATALOG, version: 2, reminders })
    expect(parseCatalogDocument(doc({ endingDays: [14, 2], graceNoticeDays: [0, 5], graceDays: 5 })).reminders).toEqual({ endingDays: [14, 2], graceNoticeDays: [0, 5], graceDays: 5 })
    expect(() => parseCatalogDocument(doc({ endingDays: [3, 3], graceNoticeDays: [0], graceDays: 5 }))).toThrow(/reminders\.endingDays\.1: 3 is listed twice/)
    expect(() => parseCatalogDocument(doc({ endingDays: [3], graceNoticeDays: [0, 9], graceDays: 5 }))).toThrow(/reminders\.graceNoticeDays\.1: day 9 is after the grace period/)
    expect(() => parseCatalogDocument(doc({ endingDays: [0], graceNoticeDays: [], graceDays: 5 }))).toThrow(/reminders\.endingDays\.0/)
    expect(() => parseCatalogDocument(doc({ endingDays: [3], graceNoticeDays: [] }))).toThrow(/reminders\.graceDays/)
  })
})

describe('reminders and dunning across a month', () => {
  it('follow renewals, switches, refunds, the wallet and debts; each is sent once', async () => {
    const smtp = await startTestSmtp()
    const provider = createTestProvider('stripe')
    // Lists every notice of the month: invoice notices (tested in notices.test.ts) are off here.
    const t = await startTestRelay({ providers: [provider], config: { publicUrl: 'https://relay.example', invoicing: { enabled: false, timeZone: 'Asia/Shanghai', seller: { name: 'x' } } }, deps: { senders: { email: smtpEmailSender(smtp.url, 'relay@example.com') } } })
    const T0 = t.clock.now()
    const { core } = t.relay
    const drain = async () => {
      for (let i = 0; i < 50; i++) {
        const r = await core.jobs.runDue()
        if (r.done + r.retried + r.dead === 0) return
        expect(r.dead).toBe(0)
      }
    }
    const notices = (accountId: string) =>
      (t.relay.db.sqlite.prepare('SELECT payload FROM feed WHERE account_id = ? ORDER BY seq').all(accountId) as { payload: string }[]).flatMap((r) => {
        // A reminder's notice is a 'notice' record; an event's rides in the event's record.
        const p = JSON.parse(r.payload) as { type: string; data: Notice; notice?: Notice }
        const n = p.type === 'notice' ? p.data : p.notice
        return n ? [{ day: Math.round((n.at - T0) / DAY), kind: n.kind, ...n.params }] : []
      })
    const plan = (planCode: string) => ({ kind: 'plan', planCode, period: 'monthly' })
    const pay = async (p: TestProvider, token: string, item: unknown, amount: number) => {
      const { order } = await checkout(t.api, token, { provider: 'stripe', item })
      expect((await notify(t, p, [paid(order.orderNo, amount)])).status).toBe(200)
      return order.orderNo
    }
    const outbox = async (token: string, record: Record<string, unknown>) => {
      const r = await t.api('POST', '/v1/outbox', { token, body: { records: [record] } })
      expect(r.body).toMatchObject({ accepted: [record['id']], rejected: [] })
    }
    let seq = 0
    const purchase = (action: string) => ({ id: `purchase-${++seq}`, kind: 'subscription_purchase', planCode: 'BASIC', period: 'monthly', price: { amount: 2900, currency: 'CNY' }, catalogVersion: 1, action, periodStart: t.clock.now(), periodEnd: null, occurredAt: t.clock.now() })

    const a = await enrolDevice(t.api) // an order, nothing else
    await core.store.unit(async (tx) => tx.signIn.insertIdentity('email', 'a@example.com', a.accountId, T0))
    await pay(provider, a.token, plan('BASIC'), 2900)
    const b = await enrolDevice(t.api) // renews on day 20
    await pay(provider, b.token, plan('BASIC'), 2900)
    const c = await enrolDevice(t.api) // refunded on day 26
    const cOrder = await pay(provider, c.token, plan('BASIC'), 2900)
    const d = await enrolDevice(t.api) // switches to PREMIUM on day 5
    await pay(provider, d.token, plan('BASIC'), 2900)
    const e = await enrolDevice(t.api) // auto-renews from a wallet that covers it
    await pay(provider, e.token, { kind: 'recharge', amount: { amount: 10000, currency: 'CNY' } }, 10000)
    await outbox(e.token, purchase('auto_renew'))
    const f = await enrolDevice(t.api) // auto-renews from a wallet 28 short; tops up on day 29
    await pay(provider, f.token, { kind: 'recharge', amount: { amount: 3000, currency: 'CNY' } }, 3000)
    await outbox(f.token, purchase('auto_renew'))
    const g = await enrolDevice(t.api) // buys a plan from an empty wallet: debt, never paid
    await outbox(g.token, purchase('subscribe'))
    const h = await enrolDevice(t.api) // spends offline into debt, settles on day 2
    await outbox(h.token, { id: 'debit-h-0001', kind: 'wallet_debit', amount: { amount: 500, currency: 'CNY' }, feature: 'ai_request', occurredAt: T0 })
    const tr = await enrolDevice(t.api) // a 7-day trial
    await outbox(tr.token, { id: 'trial-tr-0001', kind: 'trial_start', planCode: 'BASIC', period: 'monthly', startedAt: T0, endsAt: T0 + 7 * DAY })
    await drain()

    for (let day = 1; day <= 35; day++) {
      t.clock.advance(DAY)
      if (day === 2) await pay(provider, h.token, { kind: 'recharge', amount: { amount: 1000, currency: 'CNY' } }, 1000)
      if (day === 5) await pay(provider, d.token, plan('PREMIUM'), 5900)
      if (day === 20) await pay(provider, b.token, plan('BASIC'), 2900)
      if (day === 26) expect((await notify(t, provider, [refunded(cOrder, 2900, 're_c')])).status).toBe(200)
      if (day === 29) await pay(provider, f.token, { kind: 'recharge', amount: { amount: 5000, currency: 'CNY' } }, 5000)
      await drain()
    }

    // 15 Jan → 15 Feb 2025: 31 days.
    const endsAt = T0 + 31 * DAY
    const ending = (day: number, daysLeft: number) => ({ day, kind: 'subscription_ending', planCode: 'BASIC', period: 'monthly', endsAt, daysLeft })
    expect(notices(a.accountId).slice(2)).toEqual([ending(24, 7), ending(28, 3), ending(30, 1), { day: 31, kind: 'subscription_expired', planCode: 'BASIC', period: 'monthly', endsAt }])
    const mails = smtp.mails.filter((m) => m.to.includes('a@example.com')).map((m) => m.subject)
    expect(mails).toEqual(['付款成功：基础版', '基础版已开通', '基础版将在 7 天后到期', '基础版将在 3 天后到期', '基础版将在 1 天后到期', '基础版已到期'])

    expect(notices(b.accountId).map((n) => n.kind)).toEqual(['payment_received', 'subscription_started', 'payment_received', 'subscription_renewed'])
    expect(notices(b.accountId)[3]).toMatchObject({ day: 20, endsAt: T0 + 59 * DAY })

    expect(notices(c.accountId).map((n) => [n.day, n.kind])).toEqual([
      [0, 'payment_received'],
      [0, 'subscription_started'],
      [24, 'subscription_ending'],
      [26, 'refund'],
      [26, 'subscription_cancelled']
    ])

    const dKinds = notices(d.accountId).map((n) => `${n.kind}:${n.planCode ?? ''}`)
    expect(dKinds).toEqual(['payment_received:BASIC', 'subscription_started:BASIC', 'payment_received:PREMIUM', 'subscription_started:PREMIUM'])

    expect(notices(e.accountId).map((n) => n.kind)).toEqual(['recharge_credited', 'subscription_started'])

    const short = (day: number, daysLeft: number) => ({ day, kind: 'renewal_short', planCode: 'BASIC', period: 'monthly', endsAt, daysLeft, shortfall: { amount: 2800, currency: 'CNY' } })
    expect(notices(f.accountId).slice(2)).toEqual([short(24, 7), short(28, 3), { day: 29, kind: 'recharge_credited', orderNo: expect.any(String), amount: { amount: 5000, currency: 'CNY' } }])

    const owed = { amount: 2900, currency: 'CNY' }
    const graceEnd = T0 + 10 * DAY
    expect(notices(g.accountId)).toEqual([
      { day: 0, kind: 'debt_created', amount: owed, endsAt: graceEnd, graceDay: 0 },
      { day: 0, kind: 'subscription_started', orderNo: 'purchase-3', planCode: 'BASIC', period: 'monthly', endsAt },
      { day: 3, kind: 'past_due', amount: owed, graceDay: 3, endsAt: graceEnd },
      { day: 7, kind: 'past_due', amount: owed, graceDay: 7, endsAt: graceEnd },
      { day: 10, kind: 'past_due', amount: owed, graceDay: 10, endsAt: graceEnd }
    ])
    // The plan bought on credit ended with the grace; its lease is FREE now.
    expect(t.relay.db.sqlite.prepare('SELECT status, ends_at AS endsAt FROM grants WHERE account_id = ?').all(g.accountId)).toEqual([{ status: 'revoked', endsAt: graceEnd }])
    const lease = await t.api('POST', '/v1/lease', { token: g.token })
    expect(JSON.parse(lease.body.lease.payload).data).toMatchObject({ planCode: 'FREE', debt: owed })

    expect(notices(h.accountId).map((n) => [n.day, n.kind])).toEqual([
      [0, 'debt_created'],
      [2, 'recharge_credited']
    ])

    expect(notices(tr.accountId)).toEqual([
      { day: 4, kind: 'trial_ending', planCode: 'BASIC', period: 'monthly', endsAt: T0 + 7 * DAY, daysLeft: 3 },
      { day: 6, kind: 'trial_ending', planCode: 'BASIC', period: 'monthly', endsAt: T0 + 7 * DAY, daysLeft: 1 }
    ])

    // Every reminder job ran once; those whose reason went away did nothing. Nothing is left due.
    const states = t.relay.db.sqlite.prepare('SELECT state, count(*) AS n FROM jobs WHERE kind = ? AND run_at <= ? GROUP BY state').all(REMINDER_JOB, t.clock.now())
    expect(states).toEqual([{ state: 'done', n: expect.any(Number) }])
    const before = t.relay.db.sqlite.prepare("SELECT count(*) AS n FROM feed WHERE type = 'notice'").get()
    await drain()
    expect(t.relay.db.sqlite.prepare("SELECT count(*) AS n FROM feed WHERE type = 'notice'").get()).toEqual(before)
  }, 60_000)
})

describe('renewal reminders count promotion credit', () => {
  it('an auto-renewal the cash and the recharge bonus cover together is not short; when short, the bonus counts toward it', async () => {
    const provider = createTestProvider('stripe')
    const t = await startTestRelay({ providers: [provider], config: { invoicing: { enabled: false, timeZone: 'Asia/Shanghai', seller: { name: 'x' } } } })
    const T0 = t.clock.now()
    const { core } = t.relay
    await publishCatalog(core.store, T0, { ...BUILT_IN_CATALOG, version: 2, effectiveFrom: T0, rechargeBonuses: [{ min: 5000, bonus: 1000 }] })
    const recharge = async (token: string) => {
      const { order } = await checkout(t.api, token, { provider: 'stripe', item: { kind: 'recharge', amount: { amount: 5000, currency: 'CNY' } } })
      expect((await notify(t, provider, [paid(order.orderNo, 5000)])).status).toBe(200)
    }
    const outbox = async (token: string, record: Record<string, unknown>) => {
      const r = await t.api('POST', '/v1/outbox', { token, body: { records: [record] } })
      expect(r.body).toMatchObject({ accepted: [record['id']], rejected: [] })
    }
    const renew = (id: string) => ({ id, kind: 'subscription_purchase', planCode: 'BASIC', period: 'monthly', price: { amount: 2900, currency: 'CNY' }, catalogVersion: 2, action: 'auto_renew', periodStart: T0, periodEnd: null, occurredAt: T0 })
    // Cash 5,000 and bonus 1,000, less the plan's 2,900 from cash: 2,100 + 1,000 cover the next 2,900.
    const covered = await enrolDevice(t.api)
    await recharge(covered.token)
    await outbox(covered.token, renew('renew-covered-1'))
    // The same, then 500 spent: 1,600 + 1,000 leave 300 short (2,900 − 1,600 = 1,300 counting cash alone).
    const short = await enrolDevice(t.api)
    await recharge(short.token)
    await outbox(short.token, renew('renew-short-1'))
    await outbox(short.token, { id: 'debit-short-1', kind: 'wallet_debit', amount: { amount: 500, currency: 'CNY' }, feature: 'ai_request', occurredAt: T0 })

    t.clock.advance(24 * DAY)
    for (let i = 0; i < 20 && (await core.jobs.runDue()).done > 0; i++);
    const reminders = (accountId: string) =>
      (t.relay.db.sqlite.prepare("SELECT payload FROM feed WHERE account_id = ? AND type = 'notice' ORDER BY seq").all(accountId) as { payload: string }[])
        .map((r) => (JSON.parse(r.payload) as { data: Notice }).data)
        .filter((n) => n.kind === 'renewal_short' || n.kind === 'subscription_ending')
    expect(reminders(covered.accountId)).toEqual([])
    expect(reminders(short.accountId)).toEqual([expect.objectContaining({ kind: 'renewal_short', params: expect.objectContaining({ daysLeft: 7, shortfall: { amount: 300, currency: 'CNY' } }) })])
    await t.relay.stop()
  })
})
