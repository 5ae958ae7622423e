import { createRelay } from './app'
import { ConfigError, loadConfig } from './config/config'

// `npm run relay`: config from the environment (and RELAY_CONFIG_FILE), validated before
// anything starts; SIGTERM / SIGINT stop gracefully (in-flight requests finish first).

async function main(): Promise<void> {
  let relay
  try {
    relay = createRelay(loadConfig(process.env))
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`relay: invalid configuration: ${err.message}\n`)
      process.exit(2)
    }
    throw err
  }
  if (relay.keyCreated) {
    process.stderr.write('relay: generated a development signing key in the data dir (set RELAY_SIGNING_KEY in production)\n')
  }
  for (const d of relay.disabledProviders) process.stderr.write(`relay: provider ${d.name} switched off: ${d.reason}\n`)
  for (const d of relay.disabledSignIn) process.stderr.write(`relay: sign-in by ${d.method} switched off: ${d.reason}\n`)
  process.stderr.write(`relay: public key for the app's config: ${relay.key.publicKeyBase64} (keyId ${relay.key.keyId})\n`)
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
