import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach } from 'vitest'

// Runs `src/relay/start.ts` (what `npm run relay` runs) as a child process.

const root = fileURLToPath(new URL('../../../', import.meta.url))
const children: ChildProcess[] = []

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
})

export interface ChildRelay {
  proc: ChildProcess
  url: string
  stderr: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

function run(env: Record<string, string>) {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/relay/start.ts'], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', RELAY_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe']
  })
  children.push(proc)
  let err = ''
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal }))
  )
  return { proc, stderr: () => err, exited }
}

/** Runs start.ts to completion (for start-up failures). */
export async function runRelayExpectingExit(env: Record<string, string>) {
  const c = run(env)
  const { code } = await c.exited
  return { code, stderr: c.stderr() }
}

/** Starts a child relay and waits until it listens. */
export async function startChildRelay(env: Record<string, string>): Promise<ChildRelay> {
  const c = run({ RELAY_PORT: '0', ...env })
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(c.stderr())
      if (m) {
        c.proc.stderr!.off('data', onData)
        resolve(m[1]!)
      }
    }
    c.proc.stderr!.on('data', onData)
    void c.exited.then(({ code }) => reject(new Error(`relay exited with ${code}: ${c.stderr()}`)))
  })
  return { ...c, url }
}
