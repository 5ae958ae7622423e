import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { generateSigningKey } from '../../src/relay/feed/keys'
import { NOTICE_EMAIL_JOB } from '../../src/relay/notifications/notices'
import { REMINDER_JOB } from '../../src/relay/reminders/reminders'
import type { Notice } from '../../src/shared/relay-contract'
import { startChildRelay } from './support/child'
import { dollarParams, pgAvailable } from './support/pg'
import { enrolDevice, startTestRelay } from './support/relay'
import { startTestSmtp } from './support/smtp'

// Reminder jobs across relay processes on PostgreSQL (where several instances share a database;
// on SQLite one process writes the file, README): two `npm run relay` children on one database
// with a real SMTP server, while trials are confirmed through a third, in-process relay. Each
// trial has two reminders due (3 and 1 days before its end); each one's notice (a feed record)
// and its email (a second job, enqueued with the notice) happen once, though both children claim
// and run jobs at the same time. A trigger records every claim, so the test knows that both ran
// some. The lease (30 s) outlasts any one delivery, as RELAY_JOB_LEASE_SECONDS must.

const DAY = 86_400_000
// 60 reminders: more than one claim takes (a batch is 50), so one process cannot take them all at once.
const ACCOUNTS = 30
const HOUR = 3_600_000

describe.skipIf(!pgAvailable())('reminder jobs across relay processes [pg]', () => {
  it('two processes on one database run the due reminders and their emails: each notice and each email once', async () => {
    const smtp = await startTestSmtp()
    const signingKey = generateSigningKey().privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
    const authSecret = 'reminders-instances-auth-secret-0123456789'
    // The seeding relay: its clock 2 days and 2 hours back, so the trials it confirms now have
    // their 3- and 1-day reminders due by the real clock the children run on.
    const t = await startTestRelay({ store: 'pg', config: { signingKey, rateLimit: { devicePerMinute: 10_000, addressPerMinute: 10_000, notifyPerMinute: 10_000 } } })
    const databaseUrl = t.config.database!.url
    // Reads of its own: the seeding relay's pool closes with it.
    const db = new pg.Pool({ connectionString: databaseUrl, max: 2 })
    db.on('error', () => {}) // the database is dropped after the test, connections and all
    const sql = async <T,>(text: string, ...params: unknown[]): Promise<T[]> => (await db.query(dollarParams(text), params)).rows as T[]
    await sql(`CREATE TABLE test_claims (job_id text NOT NULL, kind text NOT NULL, owner text NOT NULL)`)
    await sql(`CREATE FUNCTION test_claim() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO test_claims VALUES (NEW.id, NEW.kind, NEW.lease_owner); RETURN NEW; END $$`)
    await sql(`CREATE TRIGGER test_claim AFTER UPDATE ON jobs FOR EACH ROW
      WHEN (NEW.state = 'running' AND NEW.lease_owner IS DISTINCT FROM OLD.lease_owner) EXECUTE FUNCTION test_claim()`)

    const env = {
      RELAY_DATA_DIR: t.config.dataDir,
      RELAY_DATABASE_URL: databaseUrl,
      RELAY_SIGNING_KEY: signingKey,
      RELAY_AUTH_SECRET: authSecret,
      RELAY_SMTP_URL: smtp.url,
      RELAY_SMTP_FROM: 'relay@example.com',
      RELAY_SWEEP_INTERVAL_SECONDS: '1',
      RELAY_JOB_LEASE_SECONDS: '30'
    }
    const [a, b] = await Promise.all([startChildRelay(env), startChildRelay(env)])

    const realNow = Date.now()
    const started = realNow - 2 * DAY - 2 * HOUR
    const endsAt = started + 3 * DAY + HOUR // 23 h from now: the trials still run
    t.clock.set(started)
    const accounts: string[] = []
    for (let i = 0; i < ACCOUNTS; i++) {
      const dev = await enrolDevice(t.api)
      accounts.push(dev.accountId)
      await t.relay.core.store.unit(async (tx) => tx.signIn.insertIdentity('email', `u${i}@example.com`, dev.accountId, started))
      const r = await t.api('POST', '/v1/outbox', {
        token: dev.token,
        body: { records: [{ id: `trial-${i}-000001`, kind: 'trial_start', planCode: 'BASIC', period: 'monthly', startedAt: started, endsAt }] }
      })
      expect(r.body).toMatchObject({ accepted: [`trial-${i}-000001`], rejected: [] })
    }
    // The 7-day reminder would have been before the trial began: two per trial.
    expect(await sql<{ n: number }>('SELECT count(*)::int AS n FROM jobs WHERE kind = ?', REMINDER_JOB)).toEqual([{ n: 2 * ACCOUNTS }])
    await t.relay.stop()

    const progress = async () =>
      (await sql<{ kind: string; state: string; n: number }>('SELECT kind, state, count(*)::int AS n FROM jobs WHERE kind IN (?, ?) GROUP BY kind, state', REMINDER_JOB, NOTICE_EMAIL_JOB))
        .map((r) => `${r.kind}:${r.state}:${r.n}`)
        .sort()
    const expected = [`${NOTICE_EMAIL_JOB}:done:${2 * ACCOUNTS}`, `${REMINDER_JOB}:done:${2 * ACCOUNTS}`]
    const deadline = Date.now() + 20_000
    while (JSON.stringify(await progress()) !== JSON.stringify(expected)) {
      if (Date.now() > deadline) throw new Error(`jobs not done: ${(await progress()).join(', ')}\n${a.stderr()}\n${b.stderr()}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    for (const c of [a, b]) c.proc.kill('SIGTERM')
    await Promise.all([a.exited, b.exited])

    // Each reminder's notice once: two trial_ending records per account, 3 and 1 days left.
    const rows = await sql<{ account_id: string; payload: string }>("SELECT account_id, payload FROM feed WHERE type = 'notice' ORDER BY seq")
    const notices = rows.map((r) => ({ accountId: r.account_id, notice: (JSON.parse(r.payload) as { data: Notice }).data }))
    const ending = notices.filter((n) => n.notice.kind === 'trial_ending')
    expect(ending).toHaveLength(2 * ACCOUNTS)
    for (const id of accounts) {
      expect(ending.filter((n) => n.accountId === id).map((n) => n.notice.params['daysLeft']).sort()).toEqual([1, 3])
    }
    // Each notice's email once: one message per notice and recipient, none sent twice.
    expect(smtp.mails).toHaveLength(2 * ACCOUNTS)
    expect(new Set(smtp.mails.map((m) => m.header('message-id'))).size).toBe(2 * ACCOUNTS)
    for (let i = 0; i < ACCOUNTS; i++) expect(smtp.mails.filter((m) => m.to.includes(`u${i}@example.com`))).toHaveLength(2)
    expect(await sql<{ n: number }>('SELECT count(*)::int AS n FROM notice_emails')).toEqual([{ n: 2 * ACCOUNTS }])

    // Both processes ran reminders and emails (owner: host:pid:…/round), not only their sweeps.
    const owners = await sql<{ pid: string; n: number }>("SELECT split_part(owner, ':', 2) AS pid, count(*)::int AS n FROM test_claims WHERE kind IN (?, ?) GROUP BY 1", REMINDER_JOB, NOTICE_EMAIL_JOB)
    expect(owners.map((o) => Number(o.pid)).sort()).toEqual([a.proc.pid, b.proc.pid].sort())
    await db.end()
  }, 60_000)
})
