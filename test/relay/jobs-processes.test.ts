import Database from 'better-sqlite3'
import { join } from 'node:path'
import pg from 'pg'
import { expect, it } from 'vitest'
import { generateSigningKey } from '../../src/relay/feed/keys'
import { NOTICE_EMAIL_JOB } from '../../src/relay/notifications/notices'
import { openPgStore } from '../../src/relay/store/pg/open'
import type { RelayStore } from '../../src/relay/store/ports'
import { openSqliteStore } from '../../src/relay/store/sqlite/open'
import type { Notice } from '../../src/shared/relay-contract'
import { tempDir } from '../support/db'
import { startChildRelay } from './support/child'
import { dollarParams, forEachStore, freshDatabase, type StoreKind } from './support/pg'
import { startTestSmtp, type TestSmtp } from './support/smtp'

// Jobs across relay processes (`npm run relay` as child processes) over one SQLite file, and over
// one PostgreSQL database (where several instances are the supported setup), with a real SMTP
// server: a process killed (SIGKILL) again and again while it sends loses no email; two
// processes racing for the same due jobs send each one once. The kill test's lease is short (3 s)
// so a killed process's jobs come back quickly; the race test's is long enough to outlast any one
// delivery on a loaded machine (a lease shorter than a delivery lets a second runner send too).

const N = 80

/** The store the children share, seeded with N due email jobs; `progress` reads it from outside. */
async function world(kind: StoreKind, dir: string) {
  const db = join(dir, 'relay.sqlite')
  const url = kind === 'pg' ? await freshDatabase() : undefined
  const store: RelayStore = url ? await openPgStore({ url, poolMax: 2 }) : openSqliteStore({ path: db, durability: 'normal' })
  const now = Date.now()
  await store.unit(async (tx) => {
    for (let i = 0; i < N; i++) {
      const notice: Notice = { noticeId: `payment:R${i}`, kind: 'recharge_credited', at: now, params: { orderNo: `R${i}`, amount: { amount: 100 * (i + 1), currency: 'CNY' } } }
      await tx.jobs.enqueue({ id: `job_${i}`, kind: NOTICE_EMAIL_JOB, key: `acct|${notice.noticeId}|u${i}@example.com`, payload: JSON.stringify({ accountId: 'acct', to: `u${i}@example.com`, notice }), runAt: now, createdAt: now })
    }
  })
  await store.close()
  const pool = url ? new pg.Pool({ connectionString: url, max: 1 }) : undefined
  // The database is dropped (connections and all) after the test.
  pool?.on('error', () => {})
  const count = async <T,>(text: string, ...params: unknown[]): Promise<T[]> => {
    if (pool) return (await pool.query(dollarParams(text), params)).rows as T[]
    const s = new Database(db, { readonly: true, fileMustExist: true })
    try {
      return s.prepare(text).all(...params) as T[]
    } finally {
      s.close()
    }
  }
  const progress = async () => {
    const states = Object.fromEntries(
      (await count<{ state: string; n: number }>('SELECT state, count(*) AS n FROM jobs WHERE kind = ? GROUP BY state', NOTICE_EMAIL_JOB)).map((r) => [r.state, Number(r.n)])
    ) as Record<string, number>
    const recorded = Number((await count<{ n: number }>('SELECT count(*) AS n FROM notice_emails'))[0]!.n)
    return { done: states['done'] ?? 0, dead: states['dead'] ?? 0, recorded }
  }
  const where: Record<string, string> = url ? { RELAY_DATABASE_URL: url } : { RELAY_DB_PATH: db }
  return { store: where, progress, close: async () => void (await pool?.end()) }
}

function env(dir: string, store: Record<string, string>, smtp: TestSmtp, leaseSeconds: number): Record<string, string> {
  return {
    RELAY_DATA_DIR: dir,
    ...store,
    RELAY_DB_DURABILITY: 'full',
    RELAY_SIGNING_KEY: generateSigningKey().privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    RELAY_AUTH_SECRET: 'jobs-processes-auth-secret-0123456789abcdef',
    RELAY_SMTP_URL: smtp.url,
    RELAY_SMTP_FROM: 'relay@example.com',
    RELAY_SWEEP_INTERVAL_SECONDS: '1',
    RELAY_JOB_LEASE_SECONDS: String(leaseSeconds)
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(check: () => Promise<boolean>, what: string, ms = 60_000) {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

/** Every message received, by Message-ID, and which recipients got one. */
function received(smtp: TestSmtp) {
  const byId = new Map<string, { to: string; count: number }>()
  for (const m of smtp.mails) {
    const id = m.header('message-id')!
    const seen = byId.get(id)
    if (seen) {
      expect(seen.to).toBe(m.to[0])
      seen.count++
    } else byId.set(id, { to: m.to[0]!, count: 1 })
  }
  return byId
}

forEachStore('jobs across relay processes', (kind) => {
  it('SIGKILL again and again while emails go out: none is lost; a resend carries the same Message-ID', async () => {
    const smtp = await startTestSmtp()
    const dir = tempDir('jobs-kill-')
    const w = await world(kind, dir)
    let kills = 0
    // Kill while work is under way: after the first tick has begun sending, at varying points.
    for (let round = 0; round < 6 && (await w.progress()).done < N; round++) {
      const child = await startChildRelay(env(dir, w.store, smtp, 3))
      const before = smtp.mails.length
      await until(async () => smtp.mails.length > before || (await w.progress()).done === N, 'a mail from the child', 15_000)
      await sleep(5 + ((round * 37) % 60))
      child.proc.kill('SIGKILL')
      await child.exited
      kills++
    }
    expect(kills).toBeGreaterThan(2)
    // A last process finishes what is left (leases of the killed ones run out first).
    const last = await startChildRelay(env(dir, w.store, smtp, 3))
    await until(async () => (await w.progress()).done === N, 'every email job done')
    last.proc.kill('SIGTERM')
    await last.exited
    expect(await w.progress()).toEqual({ done: N, dead: 0, recorded: N })
    const byId = received(smtp)
    expect(new Set([...byId.values()].map((v) => v.to)).size).toBe(N)
    // A second copy can only come from a kill between the server's acceptance and its record.
    const resent = [...byId.values()].reduce((n, v) => n + v.count - 1, 0)
    expect(resent).toBeLessThanOrEqual(kills)
    await w.close()
  }, 180_000)

  it('two processes on one database racing for the same due jobs send each email once', async () => {
    const smtp = await startTestSmtp()
    const dir = tempDir('jobs-race-')
    const w = await world(kind, dir)
    const [a, b] = await Promise.all([startChildRelay(env(dir, w.store, smtp, 30)), startChildRelay(env(dir, w.store, smtp, 30))])
    await until(async () => (await w.progress()).done === N, 'every email job done')
    for (const c of [a, b]) c.proc.kill('SIGTERM')
    await Promise.all([a.exited, b.exited])
    expect(await w.progress()).toEqual({ done: N, dead: 0, recorded: N })
    expect(smtp.mails).toHaveLength(N)
    const byId = received(smtp)
    expect(byId.size).toBe(N)
    await w.close()
  }, 120_000)
})
