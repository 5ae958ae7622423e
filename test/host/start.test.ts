import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { startTestRelay } from '../relay/support/relay'
import { tempDir } from '../support/db'

// `npm run host` (src/host/start.ts) turns a bad key or a refused enrolment code into one line
// that says what to do, and exits 2; no stack trace.

const ROOT = join(import.meta.dirname, '../..')
const TSX = join(ROOT, 'node_modules/.bin/tsx')
const args = (more: string[]) => ['src/host/start.ts', '--port', '0', '--data', tempDir('host-start-'), ...more]
/** Runs the host without blocking this process (the relay under test answers from it). */
const run = (more: string[]) =>
  new Promise<{ status: number | null; stderr: string }>((resolve) => {
    const child = spawn(TSX, args(more), { cwd: ROOT })
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => void (stderr += c.toString()))
    child.on('exit', (status) => resolve({ status, stderr }))
  })

describe('npm run host start-up errors', () => {
  it('a malformed relay key: one line naming what to pass', () => {
    const r = spawnSync(TSX, args(['--relay-url', 'http://127.0.0.1:9', '--relay-public-key', 'bad']), { cwd: ROOT, encoding: 'utf8' })
    expect(r.status).toBe(2)
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^billing host: cannot start: .*pass the key `npm run relay` printed/)])
  })

  it('an enrolment code the relay refuses: one line saying to ask for a new one', async () => {
    const t = await startTestRelay()
    try {
      const r = await run(['--relay-url', t.url, '--relay-public-key', t.relay.key.publicKeyBase64, '--enrol-code', 'not-a-real-code-123'])
      expect(r.status).toBe(2)
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^billing host: cannot start: the relay refused the enrolment code .*--enrol-code$/)])
    } finally {
      await t.relay.stop()
    }
  })
})
