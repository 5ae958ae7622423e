import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { runBackup } from '../../src/relay/cli/backup'
import { runVerify } from '../../src/relay/cli/verify'
import { openSqliteStore } from '../../src/relay/store/sqlite/open'
import { tempDir } from '../support/db'
import { sessionCompletedEvent, signStripeEvent, startFakeStripe } from './fakes/stripe'
import { startChildRelay } from './support/child'
import { enrolDevice, makeApi, newKey } from './support/relay'
import { stormEnv } from './support/storm'
import { STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET } from './support/stripe'

// `npm run relay -- backup <file>` (src/relay/cli/backup.ts) against a relay child process in
// the middle of a storm of Stripe notifications: the copy is one consistent snapshot that
// opens, migrates and passes relay:verify, and holds every payment acknowledged before the
// backup began.

const root = fileURLToPath(new URL('../../', import.meta.url))
const ORDERS = 36

function backupCommand(env: Record<string, string>, file: string): Promise<{ code: number | null; stdout: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/relay/start.ts', 'backup', file], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  proc.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')))
  proc.stderr.on('data', (c: Buffer) => (stdout += c.toString('utf8')))
  return new Promise((resolve) => proc.on('exit', (code) => resolve({ code, stdout })))
}

const paidIn = (path: string): Set<string> => {
  const db = new Database(path, { readonly: true })
  try {
    return new Set((db.prepare("SELECT order_no FROM orders WHERE state = 'paid'").all() as { order_no: string }[]).map((r) => r.order_no))
  } finally {
    db.close()
  }
}

describe('relay backup', () => {
  it('copies the live database under a notification storm: the copy opens, migrates and verifies', async () => {
    const fake = await startFakeStripe({ apiKey: STRIPE_SECRET_KEY })
    const dataDir = tempDir('relay-backup-')
    const env = stormEnv(dataDir, fake)
    const relay = await startChildRelay(env)
    try {
      const api = makeApi(relay.url)
      const dev = await enrolDevice(api)
      const orders: string[] = []
      for (let i = 0; i < ORDERS; i++) {
        const r = await api('POST', '/v1/checkouts', {
          token: dev.token,
          body: { provider: 'stripe', item: { kind: 'recharge', amount: { amount: 1000 + i, currency: 'CNY' } } },
          headers: { 'idempotency-key': newKey() }
        })
        expect(r.status).toBe(200)
        orders.push(r.body.order.orderNo)
      }
      const created = Math.floor(Date.now() / 1000)
      const queue = orders.flatMap((orderNo, i) => {
        const body = JSON.stringify(sessionCompletedEvent({ orderNo, amount: 1000 + i, currency: 'cny', created, paid: true, eventId: `evt_${orderNo}` }))
        return [{ orderNo, body }, { orderNo, body }]
      })
      const acked = new Set<string>()
      let ackedAtBackup: Set<string> | null = null
      let backup: Promise<{ code: number | null; stdout: string }> | null = null
      const copy = join(dataDir, 'backups', 'relay-copy.sqlite')
      let delivered = 0
      let duringBackup = 0
      let backupDone = false
      const sent: typeof queue = []
      const post = async (d: (typeof queue)[number]) => {
        const res = await fetch(`${relay.url}/v1/notify/stripe`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'stripe-signature': signStripeEvent(d.body, STRIPE_WEBHOOK_SECRET, Math.floor(Date.now() / 1000)) },
          body: d.body
        })
        await res.text()
        expect(res.status).toBe(200)
        acked.add(d.orderNo)
        if (backup && !backupDone) duringBackup++
      }
      const worker = async () => {
        for (;;) {
          const d = queue.shift()
          // The queue done while the copy still runs: redeliveries keep the relay writing.
          if (!d && backup && !backupDone) {
            await post(sent[delivered++ % sent.length]!)
            continue
          }
          if (!d) return
          sent.push(d)
          await post(d)
          // A sixth of the way in, the backup starts while the other workers keep posting.
          if (++delivered === Math.floor(ORDERS / 3) && !backup) {
            ackedAtBackup = new Set(acked)
            backup = backupCommand(env, copy).finally(() => (backupDone = true))
          }
        }
      }
      mkdirSync(join(dataDir, 'backups'))
      await Promise.all(Array.from({ length: 8 }, worker))
      const result = await backup!
      expect(result.stdout).toMatch(/backup: .* → .*relay-copy\.sqlite \(\d+ pages, one consistent snapshot\)/)
      expect(result.code).toBe(0)
      expect(acked.size).toBe(ORDERS)
      // The relay answered notifications while the backup ran.
      expect(duringBackup).toBeGreaterThan(0)

      // Everything acknowledged before the backup began is in the copy; nothing the relay lacks.
      const inCopy = paidIn(copy)
      for (const orderNo of ackedAtBackup!) expect(inCopy.has(orderNo), orderNo).toBe(true)
      for (const orderNo of inCopy) expect(orders).toContain(orderNo)

      // The copy opens and migrates as a relay database, and its books hold.
      const store = openSqliteStore({ path: copy })
      await store.close()
      const lines: string[] = []
      expect(await runVerify({ RELAY_DB_PATH: copy, RELAY_DATA_DIR: dataDir }, (l) => lines.push(l))).toBe(0)
      expect(lines.join('\n')).toContain('the books hold')
    } finally {
      relay.proc.kill('SIGTERM')
      await relay.exited
      await fake.close()
    }
  }, 120_000)

  it('refuses usage errors, a missing database and an existing target, writing nothing', async () => {
    const dataDir = tempDir('relay-backup-')
    const lines: string[] = []
    const out = (l: string) => lines.push(l)
    expect(await runBackup([], { RELAY_DATA_DIR: dataDir }, out)).toBe(2)
    expect(lines.pop()).toContain('usage: npm run relay -- backup <file>')
    expect(await runBackup([join(dataDir, 'x.sqlite')], { RELAY_DATA_DIR: dataDir }, out)).toBe(2)
    expect(lines.pop()).toContain('no relay database')
    const store = openSqliteStore({ path: join(dataDir, 'relay.sqlite') })
    await store.close()
    const existing = join(dataDir, 'old-backup.sqlite')
    writeFileSync(existing, 'an earlier backup')
    expect(await runBackup([existing], { RELAY_DATA_DIR: dataDir }, out)).toBe(2)
    expect(lines.pop()).toContain('never overwrites')
    expect(await runBackup([join(dataDir, 'relay.sqlite')], { RELAY_DATA_DIR: dataDir }, out)).toBe(2)
    expect(await runBackup([join(dataDir, 'no-such-dir', 'copy.sqlite')], { RELAY_DATA_DIR: dataDir }, out)).toBe(1)
    expect(lines.pop()).toMatch(/failed: .*nothing was kept/)
    expect(await runBackup([join(dataDir, 'copy.sqlite')], { RELAY_DATA_DIR: dataDir, RELAY_PORT: 'x' }, out)).toBe(2)
    expect(lines.pop()).toContain('invalid configuration: RELAY_PORT')
  })
})
