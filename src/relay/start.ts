import { openRelay } from './app'
import { runCatalog } from './cli/catalog'
import { startupLines } from './cli/startup'
import { ConfigError, loadConfig } from './config/config'

// `npm run relay`: config from the environment (and RELAY_CONFIG_FILE), validated before
// anything starts; SIGTERM / SIGINT stop gracefully (in-flight requests finish first).
// `npm run relay -- catalog …` runs the catalog command (src/relay/cli/catalog.ts) instead.

async function main(): Promise<void> {
  if (process.argv[2] === 'catalog') {
    process.exit(await runCatalog(process.argv.slice(3), process.env, (line) => process.stdout.write(`${line}\n`)))
  }
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
