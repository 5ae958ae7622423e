import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { runVerify } from '../../src/relay/cli/verify'
import { tempDir } from '../support/db'
import { checkout, notify, paid } from './support/flows'
import { createTestProvider } from './support/hmac-provider'
import { emptyDatabase, pgAvailable } from './support/pg'
import { postgresBin } from './support/pg-cluster'
import { enrolDevice, startTestRelay } from './support/relay'

// The PostgreSQL backup recipe of src/relay/README.md ("Backup"), run as written while the relay
// keeps taking payments: pg_dump (one consistent snapshot), restore into a fresh database,
// relay:verify passes on the copy.

const run = promisify(execFile)
const tool = (name: string) => {
  const bin = postgresBin()
  return bin ? join(bin, name) : name
}

describe.runIf(pgAvailable())('PostgreSQL backup recipe', () => {
  it('pg_dump while payments keep arriving, pg_restore into a new database: relay:verify passes on the copy', async () => {
    const provider = createTestProvider('stripe')
    const t = await startTestRelay({ providers: [provider], store: 'pg' })
    const dev = await enrolDevice(t.api)
    const pay = async (amount: number) => {
      const { order } = await checkout(t.api, dev.token, { provider: 'stripe', item: { kind: 'recharge', amount: { amount, currency: 'CNY' } } })
      expect((await notify(t, provider, [paid(order.orderNo, amount)])).status).toBe(200)
    }
    for (let i = 0; i < 5; i++) await pay(1000 + i)
    let writing = true
    const load = (async () => {
      let n = 0
      while (writing) await pay(2000 + n++)
      return n
    })()
    const file = join(tempDir('relay-dump-'), 'relay.dump')
    const source = t.config.database!.url
    await run(tool('pg_dump'), ['--format=custom', '--no-owner', `--file=${file}`, source])
    writing = false
    expect(await load).toBeGreaterThan(0)
    const copy = await emptyDatabase()
    await run(tool('pg_restore'), ['--no-owner', `--dbname=${copy}`, file])

    const lines: string[] = []
    expect(await runVerify({ RELAY_DATABASE_URL: copy }, (l) => lines.push(l)), lines.join('\n')).toBe(0)
    expect(lines.join('\n')).toMatch(/the books hold/)
    const db = new pg.Client({ connectionString: copy })
    await db.connect()
    const paidOrders = (await db.query("SELECT count(*)::int AS n FROM orders WHERE state = 'paid'")).rows[0].n as number
    await db.end()
    expect(paidOrders).toBeGreaterThanOrEqual(5)
  })
})
