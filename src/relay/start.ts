import { openRelay } from './app'
import { runBackup } from './cli/backup'
import { runCatalog } from './cli/catalog'
import { runCoupon } from './cli/coupon'
import { runOperator } from './cli/operator'
import { runKeys } from './cli/keys'
import { startupLines } from './cli/startup'
import { ConfigError, loadConfig } from './config/config'

// `npm run relay`: config from the environment (and RELAY_CONFIG_FILE), validated before
// anything starts; SIGTERM / SIGINT stop gracefully (in-flight requests finish first).
// `npm run relay -- catalog …` runs the catalog command (src/relay/cli/catalog.ts) instead,
// `coupon …` the coupon commands (cli/coupon.ts), `backup <file>` the online backup
// (cli/backup.ts), `keys …` the signing keys (cli/keys.ts), `operator …` the console's
// operators (cli/operator.ts).

type Subcommand = (args: string[], env: NodeJS.ProcessEnv, out: (line: string) => void) => Promise<number>
const SUBCOMMANDS: Record<string, Subcommand> = { catalog: runCatalog, coupon: runCoupon, keys: runKeys, backup: runBackup, operator: runOperator }

async function main(): Promise<void> {
  const command = process.argv[2] ? SUBCOMMANDS[process.argv[2]] : undefined
  if (command) process.exit(await command(process.argv.slice(3), process.env, (line) => process.stdout.write(`${line}\n`)))
  let relay
  try {
    relay = await openRelay(loadConfig(process.env))
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`relay: invalid configuration: ${err.message}\n`)
      process.exit(2)
    }
    // The database is unreachable or refused the migrations: say which, not a stack.
    process.stderr.write(`relay: cannot open the store: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  }
  for (const line of startupLines(relay)) process.stderr.write(`relay: ${line}\n`)
  const url = await relay.start()
  process.stderr.write(`relay: listening on ${url}\n`)

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    relay.app.log.info({ signal }, 'shutting down')
    relay.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        relay.app.log.error({ err }, 'shutdown failed')
        process.exit(1)
      }
    )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

void main()
