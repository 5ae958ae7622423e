import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { systemClock } from '../../src/node/clock'
import { tempDir } from '../support/db'
import { fund, openModule } from './support'

// A host process SIGKILLed in the middle of a paid use: what it reserved (the hold on the
// price, the live room) must come back without it, and nothing it did not confirm is spent.

const CHILD = join(__dirname, 'crash-child.ts')
const cny = (amount: number) => ({ amount, currency: 'CNY' })

async function killedAfter(dataDir: string, step: 'quote' | 'live'): Promise<{ quote: { outcome: string }; balance: { held: unknown } }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, step], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('\n')) resolve(out.split('\n')[0] ?? '')
    })
    child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${out}`)))
  })
  const exited = new Promise((resolve) => child.on('exit', resolve))
  child.kill('SIGKILL')
  await exited
  return JSON.parse(line)
}

describe('a host process killed mid-use', () => {
  it('killed between begin and confirm: the hold and the room expire, nothing was spent', async () => {
    const dataDir = tempDir('billing-crash-')
    fund(dataDir, 1000, systemClock)
    const seen = await killedAfter(dataDir, 'quote')
    expect(seen.quote.outcome).toBe('paid')
    expect(seen.balance.held).toEqual(cny(500))
    // The next run, after the quote's TTL and the room lease's TTL have passed.
    const later = { now: () => Date.now() + 95_000 }
    const { m } = openModule({ dataDir, clock: later })
    expect(m.balance()).toMatchObject({ balance: cny(1000), held: cny(0) })
    expect(m.quota.check('live_room').allowed).toBe(true)
    expect(m.gate.begin('live_session', { key: 'after-crash-1' }).decision.outcome).toBe('paid')
  })

  it('killed while live: the room is freed at the next start of a single-instance host, the charge stands', async () => {
    const dataDir = tempDir('billing-crash-')
    fund(dataDir, 1000, systemClock)
    const seen = await killedAfter(dataDir, 'live')
    expect(seen.quote.outcome).toBe('paid')
    // Right away (no TTL waited): the host holds the single-instance lock, so the room was the dead run's.
    const { m } = openModule({ dataDir, clock: systemClock, previousRunEnded: true })
    expect(m.balance()).toMatchObject({ balance: cny(500), held: cny(0) })
    expect(m.quota.check('live_room').allowed).toBe(true)
    expect(m.live.sessions()).toEqual([])
  })
})
