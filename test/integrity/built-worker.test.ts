import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { createBilling } from '../../src/main/billing'
import { runFullCheck } from '../../src/main/integrity/full-check'
import { tempDir } from '../support/db'

// The build (electron-vite, as `npm run build` and packaging run it) emits the worker as its
// own file beside the main bundle, and that file runs the check. Built inside the repository
// (test-artifacts/, ignored) so the bundle's external packages resolve from node_modules.
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const OUT = join(ROOT, 'test-artifacts', `integrity-build-${process.pid}`)

afterAll(() => rmSync(OUT, { recursive: true, force: true }))

describe('the built integrity worker', () => {
  it('is emitted beside out/main/index.js, which loads it by that name, and checks a file', async () => {
    execFileSync('npx', ['electron-vite', 'build', '--outDir', OUT, '--logLevel', 'error'], { cwd: ROOT, stdio: 'inherit' })
    const worker = join(OUT, 'main', 'integrity-worker.js')
    expect(existsSync(worker)).toBe(true)
    expect(readFileSync(join(OUT, 'main', 'index.js'), 'utf8')).toContain('./integrity-worker.js')

    const dbPath = join(tempDir(), 'billing.sqlite')
    const billing = createBilling({ dbPath, durability: 'normal' })
    billing.wallet.recharge({ key: 'r1', paymentId: 'pay-1', provider: 'alipay', amount: { amount: 1000, currency: 'CNY' } })
    const whole = await runFullCheck({ path: dbPath, outbox: false, workerUrl: pathToFileURL(worker) })
    expect(whole).toMatchObject({ ok: true, problems: [] })
    billing.db.sqlite.prepare('UPDATE wallet_entries SET amount = 999').run()
    const edited = await runFullCheck({ path: dbPath, outbox: false, workerUrl: pathToFileURL(worker) })
    expect(edited.problems.join('\n')).toMatch(/does not match its hash/)
    billing.close()
  }, 120_000)
})
