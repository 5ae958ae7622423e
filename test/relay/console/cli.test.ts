import { describe, expect, it } from 'vitest'
import { runOperator } from '../../../src/relay/cli/operator'
import { auditCsv } from '../../../src/relay/console/audit'
import { tempDir } from '../../support/db'
import { startTestRelay } from '../support/relay'
import { PASSWORD } from './support'

// `npm run relay -- operator …` creates the first admin on the relay's own database, who then
// signs in to the console; bad usage and bad input exit 2 and 1 with nothing written.

describe('the operator command', () => {
  it('adds an admin who can sign in, lists and disables operators, each change audited as "cli"', async () => {
    const dataDir = tempDir('relay-ops-')
    const t = await startTestRelay({ dataDir, store: 'sqlite' })
    const env = { RELAY_DATA_DIR: dataDir, RELAY_SIGNING_KEY: t.config.signingKey!, RELAY_OPERATOR_PASSWORD: PASSWORD }
    const lines: string[] = []
    const run = (args: string[], e: NodeJS.ProcessEnv = env, stdin?: string) =>
      runOperator(args, e, (l) => lines.push(l), t.clock, async () => stdin ?? '')
    expect(await run(['add', 'Boss@Example.com', '--role', 'admin'])).toBe(0)
    expect(lines.at(-1)).toMatch(/^operator boss@example\.com added as admin \(op_/)
    expect((await t.api('POST', '/v1/console/login', { body: { email: 'boss@example.com', password: PASSWORD } })).status).toBe(200)

    // No password given: one is generated, printed once, and works.
    const { RELAY_OPERATOR_PASSWORD: _p, ...bare } = env
    expect(await run(['add', 'help@example.com', '--role', 'support'], bare)).toBe(0)
    const generated = lines.at(-1)!.split(': ').at(-1)!
    expect(generated).toHaveLength(24)
    expect((await t.api('POST', '/v1/console/login', { body: { email: 'help@example.com', password: generated } })).status).toBe(200)
    expect(await run(['add', 'pipe@example.com', '--role', 'viewer', '--password-stdin'], bare, 'a password from a pipe')).toBe(0)
    expect((await t.api('POST', '/v1/console/login', { body: { email: 'pipe@example.com', password: 'a password from a pipe' } })).status).toBe(200)

    expect(await run(['add', 'boss@example.com', '--role', 'admin'])).toBe(1) // taken
    expect(await run(['add', 'x@example.com', '--role', 'owner'])).toBe(1)
    expect(await run(['add', 'x@example.com', '--role', 'viewer'], { ...env, RELAY_OPERATOR_PASSWORD: 'short' })).toBe(1)
    expect(await run(['add', 'x@example.com'])).toBe(2)
    expect(await run(['disable', 'nobody@example.com'])).toBe(1)
    expect(await run(['disable', 'help@example.com'])).toBe(0)
    expect(await run(['list'])).toBe(0)
    const listed = JSON.parse(lines.at(-1)!) as { email: string; disabled: boolean }[]
    expect(listed.map((o) => [o.email, o.disabled]).sort()).toEqual([
      ['boss@example.com', false],
      ['help@example.com', true],
      ['pipe@example.com', false]
    ])
    const audit = await t.sql<{ actor: string; action: string }>("SELECT actor, action FROM audit_log WHERE actor = 'cli' ORDER BY seq")
    expect(audit.map((a) => a.action)).toEqual(['operator.add', 'operator.add', 'operator.add', 'operator.disable'])
    expect(await runOperator(['list'], { RELAY_DATA_DIR: tempDir('relay-none-') }, () => {})).toBe(2)
  })
})

describe('the audit CSV', () => {
  it('quotes commas, quotes and line breaks, and defuses spreadsheet formulas', () => {
    const csv = auditCsv([
      { seq: 7, id: 'a', at: 0, operatorId: null, actor: '=cmd|calc', action: 'coupon.create', target: 'x,y', address: '+1', before: null, after: '{"name":"say \\"hi\\"\\n"}' }
    ])
    expect(csv.startsWith('\uFEFFseq,')).toBe(true)
    expect(csv.split('\r\n')[1]).toBe(`7,1970-01-01T00:00:00.000Z,"'=cmd|calc",coupon.create,"x,y","'+1",,"{""name"":""say \\""hi\\""\\n""}"`)
  })
})
