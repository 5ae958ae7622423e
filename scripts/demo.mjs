// `npm run demo`: the whole product on this machine, from a fresh clone after `npm ci`. Starts the
// relay on embedded SQLite with sandbox providers for every payment method (RELAY_SANDBOX=1,
// loopback only), a generated admin token and a development signing key, then the host serving
// the screens, signed in by email (demo@example.com) into a new account: the relay's sandbox
// sender prints the one-time code to this terminal, where the script reads it. Prints one URL and
// the admin token, and the operator console with an admin's email and password. Each run starts with fresh demo data (in .scratch/demo). Ctrl+C stops both.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const dir = process.env.DEMO_DIR ? resolve(process.env.DEMO_DIR) : join(root, '.scratch', 'demo')
const tsx = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx')
const port = process.env.DEMO_PORT ?? '5174'
const children = []

function fail(message) {
  process.stderr.write(`demo: ${message}\n`)
  for (const c of children) c.kill('SIGTERM')
  process.exit(1)
}

/**
 * Starts `args` under tsx and resolves with the first stderr/stdout match of `pattern`, and
 * `next(pattern)`: the first match in what it says from then on.
 */
function start(name, args, env, pattern) {
  return new Promise((resolvePromise) => {
    const child = spawn(tsx, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    children.push(child)
    let seen = ''
    let ready = false
    let later = ''
    const watchers = []
    const next = (p) => new Promise((found) => watchers.push({ p, found }))
    const timer = setTimeout(() => fail(`${name} did not start within 60 s:\n${seen}`), 60_000)
    const read = (chunk) => {
      // Once started, what it says (the payment page to open, sign-in codes) goes to the terminal.
      if (ready) {
        process.stdout.write(chunk)
        later += chunk.toString()
        for (const w of watchers.splice(0)) {
          const m = later.match(w.p)
          if (m) w.found(m)
          else watchers.push(w)
        }
        return
      }
      seen += chunk.toString()
      const m = seen.match(pattern)
      if (m) {
        ready = true
        clearTimeout(timer)
        resolvePromise({ match: m, next })
      }
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    child.on('exit', (code) => fail(`${name} stopped (exit ${code}):\n${seen}`))
  })
}

if (!existsSync(tsx)) fail('dependencies are missing: run `npm ci` first')
if (!existsSync(join(root, 'out', 'renderer', 'index.html'))) {
  process.stdout.write('demo: building the screens once (electron-vite build)…\n')
  const built = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' })
  if (built.status !== 0) fail('the build failed (see above)')
}
if (!existsSync(join(root, 'out', 'console', 'index.html'))) {
  process.stdout.write('demo: building the operator console once (vite build)…\n')
  const built = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'console.vite.config.ts', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })
  if (built.status !== 0) fail('the console build failed (see above)')
}
rmSync(dir, { recursive: true, force: true })

const adminToken = randomBytes(24).toString('base64url')
const relay = await start(
  'relay',
  ['src/relay/start.ts'],
  {
    RELAY_SANDBOX: '1',
    RELAY_HOST: '127.0.0.1',
    RELAY_PORT: '0',
    RELAY_DATA_DIR: join(dir, 'relay'),
    RELAY_ADMIN_TOKEN: adminToken,
    RELAY_DB_DURABILITY: 'normal',
    RELAY_LOG_LEVEL: 'warn'
  },
  /public key for the app's config: (\S+)[\s\S]*listening on (http:\/\/\S+)/
)
const [, publicKey, relayUrl] = relay.match
// An admin of the operator console, made as an operator makes the first one (the CLI).
const OPERATOR_EMAIL = 'ops@example.com'
const operatorPassword = randomBytes(12).toString('base64url')
const added = spawnSync(tsx, ['src/relay/start.ts', 'operator', 'add', OPERATOR_EMAIL, '--role', 'admin'], {
  cwd: root,
  env: { ...process.env, RELAY_DATA_DIR: join(dir, 'relay'), RELAY_OPERATOR_PASSWORD: operatorPassword, RELAY_LOG_LEVEL: 'warn' },
  encoding: 'utf8'
})
if (added.status !== 0) fail(`could not create the console's operator:\n${added.stdout}${added.stderr}`)
// Sign-in as a streamer would: a code by email, which the sandbox prints instead of mailing.
const DEMO_EMAIL = 'demo@example.com'
const printed = relay.next(/email to demo@example\.com: \S+ (\d{6})/)
const asked = await fetch(`${relayUrl}/v1/auth/code`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ method: 'email', target: DEMO_EMAIL })
})
if (!asked.ok) fail(`could not ask for the demo sign-in code: ${asked.status} ${await asked.text()}`)
const codeTimer = setTimeout(() => fail('the relay did not print the demo sign-in code within 10 s'), 10_000)
const [, code] = await printed
clearTimeout(codeTimer)
const host = await start(
  'host',
  ['src/host/start.ts', '--port', port, '--data', join(dir, 'host'), '--relay-url', relayUrl, '--relay-public-key', publicKey, '--sign-in-email', DEMO_EMAIL, '--sign-in-code', code, '--device-name', 'demo', '--sandbox-origin', relayUrl],
  {},
  /billing host: (http:\/\/\S+)/
)
process.stdout.write(
  [
    '',
    `  打开 Open:        ${host.match[1]}`,
    `  沙箱收银台 Pay:   ${relayUrl}/sandbox  (在应用里下单后在这里付款 · start a checkout in the app, then pay it here)`,
    `  运营后台 Console: ${relayUrl}/console/  (${OPERATOR_EMAIL} / ${operatorPassword})`,
    `  管理令牌 Admin:   ${adminToken}`,
    `  已登录 Signed in: ${DEMO_EMAIL}  (退出后可用任意邮箱或手机号登录，验证码打印在这里 · sign out and in with any email or number: codes print here)`,
    '  Ctrl+C 停止 to stop · 每次启动都是全新的演示数据 every run starts with fresh demo data',
    ''
  ].join('\n')
)
const stop = () => {
  for (const c of children) {
    c.removeAllListeners('exit')
    c.kill('SIGTERM')
  }
  process.exit(0)
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
