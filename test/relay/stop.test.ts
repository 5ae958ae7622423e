import { describe, expect, it } from 'vitest'
import { defaultConfig } from '../../src/relay/config/config'
import { smtpEmailSender } from '../../src/relay/notifications'
import { NOTICE_EMAIL_JOB } from '../../src/relay/notifications/notices'
import { tempDir } from '../support/db'
import { enrolDevice, startTestRelay } from './support/relay'
import { startTestSmtp } from './support/smtp'

// Stopping the relay (SIGTERM in a deployment) while its background work runs: a job round in
// flight finishes the job it is running before the database closes, so an email whose message
// was already handed to the SMTP server is also recorded as sent and is not sent again after the
// restart; the rest of the round's batch is handed back at once, for the next start.

const JOB_LEASE_MS = 60_000

describe('stopping the relay', () => {
  it('a mail being sent when the relay stops is recorded before the database closes: after the restart it is not sent again', async () => {
    const smtp = await startTestSmtp({ answerAfterMs: 400 })
    const dataDir = tempDir('relay-stop-')
    const defaults = defaultConfig({ dataDir })
    const config = { sweepIntervalMs: 20, publicUrl: 'https://relay.example', jobLeaseMs: JOB_LEASE_MS, auth: { ...defaults.auth, secret: 'stop-test-auth-secret-0123456789abcdef' } }
    const deps = { senders: { email: smtpEmailSender(smtp.url, '直播助手 <no-reply@example.com>') } }
    const first = await startTestRelay({ dataDir, config, deps })
    const { core } = first.relay
    const emails = ['a@example.com', 'b@example.com']
    const accounts: string[] = []
    for (const _ of emails) accounts.push((await enrolDevice(first.api)).accountId)
    const arrived = smtp.arriving()
    await core.store.unit(async (tx) => {
      for (const [i, accountId] of accounts.entries()) {
        await tx.signIn.insertIdentity('email', emails[i]!, accountId, first.clock.now())
        await core.notices.notify(tx, { accountId, kind: 'invoice_issued', noticeId: `invoice:INV-${i}`, params: { invoiceNo: `INV-${i}`, amount: { amount: 2900, currency: 'CNY' } } })
      }
    })
    // The timer's round has handed the first mail to the server, which has not answered yet.
    await arrived
    await first.relay.stop()
    expect(smtp.mails).toHaveLength(1)
    expect(first.logs.filter((l) => l['msg'] === 'job round failed')).toEqual([])

    const again = await startTestRelay({ dataDir, config: { ...config, signingKey: first.config.signingKey!, sweepIntervalMs: 0 }, deps })
    expect((await again.sql<{ state: string }>('SELECT state FROM jobs WHERE kind = ? ORDER BY key', NOTICE_EMAIL_JOB)).map((j) => j.state)).toContain('done')
    // The other mail was handed back, not left leased for a minute: the next round sends it.
    expect(await again.relay.core.jobs.runDue()).toMatchObject({ done: 1 })
    expect(smtp.mails.map((m) => m.to[0]).sort()).toEqual(emails)
    // Later, whatever leases there were have run out: each mail still went exactly once.
    again.clock.advance(JOB_LEASE_MS + 1)
    for (let i = 0; i < 3; i++) await again.relay.core.jobs.runDue()
    expect(smtp.mails.map((m) => m.to[0]).sort()).toEqual(emails)
  })
})
