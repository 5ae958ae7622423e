import { expect, it } from 'vitest'
import { smtpEmailSender } from '../../src/relay/notifications'
import { NOTICE_EMAIL_JOB } from '../../src/relay/notifications/notices'
import { unsubscribeToken } from '../../src/relay/notifications/unsubscribe'
import { AuthSecret } from '../../src/relay/auth/secret'
import { defaultConfig } from '../../src/relay/config/config'
import { tempDir } from '../support/db'
import type { Notice } from '../../src/shared/relay-contract'
import { checkout, notify, paid, refunded } from './support/flows'
import { createTestProvider } from './support/hmac-provider'
import { forEachStore } from './support/pg'
import { ADMIN_TOKEN, enrolDevice, startTestRelay, type TestRelay } from './support/relay'
import { startTestSmtp } from './support/smtp'

// Notices for events (issue 18, item 3) and their email (item 4), over the real relay on HTTP
// and a real SMTP server (smtp-server) on 127.0.0.1: one notice per event on the feed, one email
// per notice and recipient in the account's language, opt-outs honoured (transactional kinds
// always sent), a server that fails then recovers (no duplicate), dead letters for operators.

const AUTH_SECRET = 'notices-test-auth-secret-0123456789abcdef'

// These tests count the notices of payments, plans and refunds: invoices (which add their own
// notices) are off unless a test asks for them.
async function world(opts: { failing?: { left: number }; invoices?: boolean } = {}) {
  const smtp = await startTestSmtp(opts.failing ? { failing: opts.failing } : {})
  const provider = createTestProvider('stripe')
  const defaults = defaultConfig({ dataDir: tempDir('notices-') })
  const t = await startTestRelay({
    providers: [provider],
    config: {
      publicUrl: 'https://relay.example',
      auth: { ...defaults.auth, secret: AUTH_SECRET },
      invoicing: { ...defaults.invoicing, enabled: opts.invoices === true }
    },
    deps: { senders: { email: smtpEmailSender(smtp.url, '直播助手 <no-reply@example.com>') } }
  })
  return { t, smtp, provider }
}

async function account(t: TestRelay, email?: string) {
  const d = await enrolDevice(t.api)
  if (email) await t.relay.core.store.unit(async (tx) => tx.signIn.insertIdentity('email', email, d.accountId, t.clock.now()))
  return d
}

async function notices(t: TestRelay, accountId: string): Promise<Notice[]> {
  // A reminder's notice is a 'notice' record; an event's rides in the event's record.
  return (await t.sql<{ payload: string }>('SELECT payload FROM feed WHERE account_id = ? ORDER BY seq', accountId)).flatMap((r) => {
    const p = JSON.parse(r.payload) as { type: string; data: Notice; notice?: Notice }
    return p.type === 'notice' ? [p.data] : p.notice ? [p.notice] : []
  })
}

async function drain(t: TestRelay) {
  const total = { done: 0, retried: 0, dead: 0 }
  for (let i = 0; i < 20; i++) {
    const r = await t.relay.core.jobs.runDue()
    total.done += r.done
    total.retried += r.retried
    total.dead += r.dead
    if (r.done + r.retried + r.dead === 0) break
  }
  return total
}

async function pay(t: TestRelay, provider: ReturnType<typeof createTestProvider>, token: string, item: unknown, amount: number) {
  const { order } = await checkout(t.api, token, { provider: 'stripe', item })
  expect((await notify(t, provider, [paid(order.orderNo, amount)])).status).toBe(200)
  return order.orderNo
}

const emailJobs = (t: TestRelay) => t.sql<{ state: string; attempts: number; lastError: string | null }>('SELECT state, attempts, last_error AS "lastError" FROM jobs WHERE kind = ?', NOTICE_EMAIL_JOB)

forEachStore('notices for events, and their email', () => {
  it('an invoice and its credit note each send one transactional notice and email, keyed by their numbers', async () => {
    const { t, smtp, provider } = await world({ invoices: true })
    const a = await account(t, 'streamer@example.com')
    const plan = await pay(t, provider, a.token, { kind: 'plan', planCode: 'BASIC', period: 'monthly' }, 2900)
    const issued = (await notices(t, a.accountId)).filter((n) => n.kind === 'invoice_issued')
    expect(issued).toEqual([
      expect.objectContaining({ noticeId: expect.stringMatching(/^invoice:INV-\d{4}-000001$/), params: expect.objectContaining({ orderNo: plan, amount: { amount: 2900, currency: 'CNY' } }) })
    ])
    const invoiceNo = issued[0]!.params.invoiceNo!
    expect((await notify(t, provider, [refunded(plan, 1000, 're_part')])).status).toBe(200)
    // The same refund again: no second credit note, no second notice.
    const again = await notify(t, provider, [refunded(plan, 1000, 're_part', 'evt_refund_again')])
    expect(again.status).toBe(200)
    const credits = (await notices(t, a.accountId)).filter((n) => n.kind === 'credit_note')
    expect(credits).toEqual([expect.objectContaining({ params: expect.objectContaining({ invoiceNo, amount: { amount: 1000, currency: 'CNY' } }) })])
    expect(credits[0]!.params.creditNoteNo).toMatch(/^CN-\d{4}-000001$/)
    expect(await drain(t)).toMatchObject({ dead: 0 })
    // payment, plan started, invoice, refund, credit note: one mail each; two name the invoice.
    const mails = smtp.mails.filter((m) => m.to.includes('streamer@example.com'))
    expect(mails.filter((m) => m.text.includes(invoiceNo)).length).toBe(2)
    expect(new Set(mails.map((m) => m.header('message-id'))).size).toBe(mails.length)
  })

  it('one notice per event on the feed and one email per notice, in Chinese by default and in English once the device says so', async () => {
    const { t, smtp, provider } = await world()
    const a = await account(t, 'streamer@example.com')
    const recharge = await pay(t, provider, a.token, { kind: 'recharge', amount: { amount: 10000, currency: 'CNY' } }, 10000)
    // The provider redelivers the same payment: no second notice, no second email.
    expect((await notify(t, provider, [paid(recharge, 10000, { eventId: 'evt_again' })])).status).toBe(200)
    expect(await notices(t, a.accountId)).toEqual([expect.objectContaining({ kind: 'recharge_credited', noticeId: `payment:${recharge}`, params: { orderNo: recharge, amount: { amount: 10000, currency: 'CNY' } } })])
    expect(await drain(t)).toMatchObject({ done: 1, dead: 0 })
    const zh = await smtp.nextMail('streamer@example.com')
    expect(zh.subject).toBe('充值到账：¥100.00')
    expect(zh.text).toContain(`¥100.00 已存入您的钱包（订单号 ${recharge}）。`)
    expect(zh.text).toContain('这是一封交易通知：依法必须发送，因此无法退订。')
    expect(zh.text).toContain('<p>') // the HTML part
    expect(zh.header('message-id')).toMatch(/@notices\.relay>$/)

    const lang = await t.api('PUT', '/v1/account/language', { token: a.token, body: { language: 'en' } })
    expect(lang).toMatchObject({ status: 200, body: { language: 'en' } })
    expect((await t.api('PUT', '/v1/account/language', { token: a.token, body: { language: 'fr' } })).status).toBe(400)
    expect((await t.api('PUT', '/v1/account/language', { body: { language: 'en' } })).status).toBe(401)

    const plan = await pay(t, provider, a.token, { kind: 'plan', planCode: 'BASIC', period: 'monthly' }, 2900)
    const kinds = (await notices(t, a.accountId)).map((n) => n.kind)
    expect(kinds).toEqual(['recharge_credited', 'payment_received', 'subscription_started'])
    expect(await drain(t)).toMatchObject({ done: 2, dead: 0 })
    const mails = [await smtp.nextMail('streamer@example.com'), await smtp.nextMail('streamer@example.com')]
    const receipt = mails.find((m) => m.subject.startsWith('Payment received'))!
    expect(receipt.subject).toBe('Payment received: Basic')
    // 15 Jan 2025 + one month, in Asia/Shanghai, formatted as the app does.
    expect(receipt.text).toContain(`We have received your payment of CN¥29.00 (order ${plan}). Your Basic plan (monthly) is active.`)
    expect(receipt.text).toContain('required by law')
    const started = mails.find((m) => m.subject.startsWith('Your Basic plan'))!
    expect(started.text).toContain('has started and runs until 15 Feb 2025.')
    expect(started.text).toMatch(/Unsubscribe here \(notices in the app stay\): https:\/\/relay\.example\/v1\/unsubscribe\?token=\S+/)
    expect(started.header('list-unsubscribe')).toMatch(/^<https:\/\/relay\.example\/v1\/unsubscribe\?token=/)
    expect(smtp.mails).toHaveLength(3)
    expect(await drain(t)).toMatchObject({ done: 0 })
    expect(smtp.mails).toHaveLength(3)
  })

  it('an unsubscribe link opts out of its kind only; transactional kinds stay; a forged or transactional token is refused', async () => {
    const { t, smtp, provider } = await world()
    const a = await account(t, 'optout@example.com')
    const first = await pay(t, provider, a.token, { kind: 'plan', planCode: 'BASIC', period: 'monthly' }, 2900)
    await drain(t)
    const mails = [await smtp.nextMail('optout@example.com'), await smtp.nextMail('optout@example.com')]
    const started = mails.find((m) => m.subject === '基础版已开通')!
    expect(started.text).toContain('您的基础版（月付）已开通，有效期至 2025年2月15日。')
    const link = /https:\/\/relay\.example(\/v1\/unsubscribe\?token=\S+)/.exec(started.text)![1]!
    const page = await t.api('GET', link)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/text\/html/)
    expect(page.text).toContain('已退订“套餐开通”邮件')
    expect(page.text).toContain('You will no longer get “plan started” emails')
    // Again: still fine, nothing new.
    expect((await t.api('GET', link)).status).toBe(200)
    expect(await t.sql('SELECT kind FROM notice_opt_outs WHERE account_id = ?', a.accountId)).toEqual([{ kind: 'subscription_started' }])

    const secret = new AuthSecret(AUTH_SECRET)
    const forged = unsubscribeToken(new AuthSecret('another-secret-another-secret-0123'), a.accountId, 'subscription_ending')
    expect((await t.api('GET', `/v1/unsubscribe?token=${forged}`)).status).toBe(400)
    const tampered = link.replace(/token=([A-Za-z0-9_-]+)\./, (_m, b: string) => `token=${Buffer.from(Buffer.from(b, 'base64url').toString('utf8').replace('subscription_started', 'subscription_ending')).toString('base64url')}.`)
    expect((await t.api('GET', tampered)).status).toBe(400)
    const receipts = await t.api('GET', `/v1/unsubscribe?token=${unsubscribeToken(secret, a.accountId, 'payment_received')}`)
    expect(receipts.status).toBe(400)
    expect((await t.api('GET', '/v1/unsubscribe')).status).toBe(400)
    expect(await t.sql('SELECT count(*) AS n FROM notice_opt_outs')).toEqual([{ n: 1 }])

    // A second plan: its start notice is on the feed, but not mailed; the receipt is.
    const second = await pay(t, provider, a.token, { kind: 'plan', planCode: 'PREMIUM', period: 'monthly' }, 5900)
    expect((await notices(t, a.accountId)).filter((n) => n.kind === 'subscription_started')).toHaveLength(2)
    await drain(t)
    const receipt = await smtp.nextMail('optout@example.com')
    expect(receipt.subject).toBe('付款成功：高级版')
    await expect(smtp.nextMail('optout@example.com')).rejects.toThrow(/no mail/)

    // The first plan was replaced by the switch: its refund ends no access (a refund notice only).
    expect((await notify(t, provider, [refunded(first, 2900, 're_1')])).status).toBe(200)
    expect((await notices(t, a.accountId)).at(-1)).toMatchObject({ kind: 'refund', noticeId: 'refund:re_1' })
    await drain(t)
    expect((await smtp.nextMail('optout@example.com')).subject).toBe('退款已办理：¥29.00')
    // A refund of the plan in force ends it: both are mailed (cancelled is not opted out of).
    expect((await notify(t, provider, [refunded(second, 5900, 're_2')])).status).toBe(200)
    expect((await notices(t, a.accountId)).slice(-2).map((n) => n.kind).sort()).toEqual(['refund', 'subscription_cancelled'])
    await drain(t)
    const subjects = [await smtp.nextMail('optout@example.com'), await smtp.nextMail('optout@example.com')].map((m) => m.subject).sort()
    expect(subjects).toEqual(['退款已办理：¥59.00', '高级版已终止'])
  }, 20_000)

  it('an account without an email gets the notice on its feed and no email job', async () => {
    const { t, provider } = await world()
    const a = await account(t)
    await pay(t, provider, a.token, { kind: 'recharge', amount: { amount: 5000, currency: 'CNY' } }, 5000)
    expect((await notices(t, a.accountId)).map((n) => n.kind)).toEqual(['recharge_credited'])
    expect(await emailJobs(t)).toEqual([])
  })

  it('a server that refuses, then recovers: the email is retried with backoff and delivered once', async () => {
    const failing = { left: 2 }
    const { t, smtp, provider } = await world({ failing })
    const a = await account(t, 'flaky@example.com')
    await pay(t, provider, a.token, { kind: 'recharge', amount: { amount: 2000, currency: 'CNY' } }, 2000)
    expect(await drain(t)).toMatchObject({ done: 0, retried: 1 })
    expect(await emailJobs(t)).toEqual([expect.objectContaining({ state: 'pending', attempts: 1, lastError: expect.stringMatching(/451/) })])
    expect(smtp.mails).toHaveLength(0)
    t.clock.advance(5_000)
    expect(await drain(t)).toMatchObject({ done: 0, retried: 1 })
    t.clock.advance(10_000)
    expect(await drain(t)).toMatchObject({ done: 1, retried: 0 })
    expect(smtp.mails).toHaveLength(1)
    expect(failing.left).toBe(0)
    t.clock.advance(3_600_000)
    expect(await drain(t)).toMatchObject({ done: 0 })
    expect(smtp.mails).toHaveLength(1)
    expect(await t.sql('SELECT count(*) AS n FROM notice_emails')).toEqual([{ n: 1 }])
  })

  it('a server that never recovers: after its last attempt the email job is dead, listed for operators', async () => {
    const { t, smtp, provider } = await world({ failing: { left: 1_000 } })
    const a = await account(t, 'down@example.com')
    await pay(t, provider, a.token, { kind: 'recharge', amount: { amount: 2000, currency: 'CNY' } }, 2000)
    let dead = 0
    for (let i = 0; i < 10 && dead === 0; i++) {
      dead += (await drain(t)).dead
      t.clock.advance(3_600_000)
    }
    expect(dead).toBe(1)
    expect(await emailJobs(t)).toEqual([expect.objectContaining({ state: 'dead', attempts: 8 })])
    expect((await t.api('GET', '/v1/admin/jobs/dead')).status).toBe(401)
    const listed = await t.api('GET', '/v1/admin/jobs/dead?limit=10', { token: ADMIN_TOKEN })
    expect(listed.status).toBe(200)
    expect(listed.body.jobs).toEqual([expect.objectContaining({ kind: NOTICE_EMAIL_JOB, state: 'dead', attempts: 8, lastError: expect.stringMatching(/451/) })])
    expect((await t.api('GET', '/v1/admin/jobs/dead?limit=0', { token: ADMIN_TOKEN })).status).toBe(400)
    expect(smtp.mails).toHaveLength(0)
  })

  it('notify() is one notice per (account, event key) and refuses a malformed notice with INVALID_INPUT, writing nothing', async () => {
    const { t } = await world()
    const a = await account(t, 'direct@example.com')
    const { core } = t.relay
    const input = { accountId: a.accountId, kind: 'invoice_issued' as const, noticeId: 'invoice:INV-1', params: { invoiceNo: 'INV-1', amount: { amount: 2900, currency: 'CNY' as const } } }
    expect(await core.store.unit((tx) => core.notices.notify(tx, input))).toBe(true)
    expect(await core.store.unit((tx) => core.notices.notify(tx, input))).toBe(false)
    await expect(core.store.unit((tx) => core.notices.notify(tx, { ...input, noticeId: 'invoice:INV-2', params: { invoiceNo: 'INV-2', daysLeft: -1 } }))).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    expect((await notices(t, a.accountId)).map((n) => n.noticeId)).toEqual(['invoice:INV-1'])
    expect(await emailJobs(t)).toHaveLength(1)
  })
})
