import { randomBytes } from 'node:crypto'
import { ZodError } from 'zod'
import { systemClock, type Clock } from '../../node/clock'
import { pooledRandomIds } from '../../node/ids'
import { BillingError } from '../../shared/errors'
import { CLI_ACTOR } from '../console/audit'
import { normaliseEmail, OperatorAuth } from '../console/operators'
import { openConfiguredStore } from './store'

// `npm run relay -- operator add <email> --role <role>` creates an operator (the first admin
// this way); `operator list`; `operator disable <email>`. The password comes from
// RELAY_OPERATOR_PASSWORD, or from stdin with --password-stdin; with neither, a strong one is
// generated and printed once. Each change is in the audit log with the actor "cli".
// Exit 0 done, 1 refused (the reason), 2 usage, configuration or no database.

const USAGE = [
  'usage: npm run relay -- operator add <email> --role viewer|support|finance|admin [--password-stdin]',
  '       npm run relay -- operator list',
  '       npm run relay -- operator disable <email>'
].join('\n')

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? ''
}

export async function runOperator(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (line: string) => void,
  clock: Clock = systemClock,
  stdin: () => Promise<string> = readStdin
): Promise<0 | 1 | 2> {
  const [command, ...rest] = args
  const add = command === 'add' && rest.length >= 3 && rest[1] === '--role' && (rest.length === 3 || (rest.length === 4 && rest[3] === '--password-stdin'))
  if (!add && !(command === 'list' && rest.length === 0) && !(command === 'disable' && rest.length === 1)) {
    out(USAGE)
    return 2
  }
  const opened = await openConfiguredStore(env, out, 'operator', 'set RELAY_DB_PATH or RELAY_DATA_DIR, or start the relay once')
  if (opened === 2) return 2
  const { store } = opened
  const auth = new OperatorAuth(store, clock, pooledRandomIds(clock))
  try {
    if (add) {
      let password = rest[3] === '--password-stdin' ? await stdin() : (env['RELAY_OPERATOR_PASSWORD'] ?? '')
      const generated = password === ''
      if (generated) password = randomBytes(18).toString('base64url')
      const op = await auth.add({ email: rest[0]!, role: rest[2]!, password }, CLI_ACTOR)
      out(`operator ${op.email} added as ${op.role} (${op.id})`)
      if (generated) out(`password (shown once; keep it in a password manager): ${password}`)
      return 0
    }
    if (command === 'list') {
      out(JSON.stringify(await auth.list()))
      return 0
    }
    const email = normaliseEmail(rest[0])
    const op = (await auth.list()).find((o) => o.email === email)
    if (!op) {
      out(`operator: no operator ${email}`)
      return 1
    }
    await auth.disable(op.id, CLI_ACTOR)
    out(`operator ${email} disabled; their sessions ended`)
    return 0
  } catch (err) {
    if (err instanceof BillingError || err instanceof ZodError) {
      out(`operator: ${err.message}`)
      return 1
    }
    throw err
  } finally {
    await store.close()
  }
}
