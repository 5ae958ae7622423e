import { hostname } from 'node:os'
import { resolve } from 'node:path'
import { resolveRelay } from '../main/ipc'
import { startHost } from './host'
import { BillingError } from '../shared/errors'

// `tsx src/host/start.ts [--port 5174] [--data .scratch/host] [--relay-url URL --relay-public-key KEY]
// [--enrol-code CODE | --sign-in-email EMAIL --sign-in-code CODE] [--device-name NAME] [--sandbox-origin RELAY_URL]`: the screens in any browser, over the real core and
// sync service. Flags win over the environment (BILLING_RELAY_URL, BILLING_RELAY_PUBLIC_KEY,
// BILLING_ENROLMENT_CODE, BILLING_DEVICE_NAME). No relay: offline, everything local works.
// Once enrolled, the data folder keeps the device; later starts need no code.

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : undefined
}

const env = process.env
const relay = resolveRelay(
  { url: arg('relay-url'), publicKey: arg('relay-public-key') },
  { url: env['BILLING_RELAY_URL'], publicKey: env['BILLING_RELAY_PUBLIC_KEY'] }
)
const code = arg('enrol-code') ?? env['BILLING_ENROLMENT_CODE']
const signInEmail = arg('sign-in-email')
const signInCode = arg('sign-in-code')
const sandboxOrigin = arg('sandbox-origin')
/** What went wrong at start-up, in one line that says what to do. */
function explain(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  if (err instanceof BillingError && err.code === 'UNAUTHORIZED') {
    return `the relay refused the enrolment code (wrong, already used or expired): ask for a new one (POST /v1/admin/enrolments) and pass it with --enrol-code`
  }
  if (message.includes('pinned relay key')) return `${message}: pass the key \`npm run relay\` printed (--relay-public-key or BILLING_RELAY_PUBLIC_KEY)`
  if (err instanceof BillingError && err.code === 'UNAVAILABLE') return `the relay cannot be reached (${message}); check --relay-url or start it with \`npm run relay\``
  return message
}

const host = await startHost({
  dataDir: resolve(arg('data') ?? '.scratch/host'),
  ...(sandboxOrigin
    ? {
        sandboxOrigin,
        // No system browser behind a browser tab: the page to pay on is printed.
        openExternal: async (url: string) => void console.log(`billing host: 打开付款页 open the payment page: ${url}`)
      }
    : {}),
  port: Number(arg('port') ?? 5174),
  relay: relay && {
    ...relay,
    ...(code ? { enrolmentCode: code } : {}),
    ...(signInEmail && signInCode ? { signIn: { method: 'email' as const, target: signInEmail, code: signInCode } } : {}),
    deviceName: arg('device-name') ?? env['BILLING_DEVICE_NAME'] ?? `host on ${hostname()}`
  }
}).catch((err: unknown) => {
  process.stderr.write(`billing host: cannot start: ${explain(err)}\n`)
  process.exit(2)
})
const state = host.sync.state()
console.log(`billing host: ${host.url}`)
console.log(relay ? `relay: ${relay.url} (${host.sync.enrolled ? 'signed in' : 'signed out: sign in on the account screen, or pass --enrol-code'})` : 'relay: none (offline)')
if (state.lastError) console.log(`sync: ${state.lastError}`)
const stop = (): void => void host.close().then(() => process.exit(0))
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
