import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createBilling, type Billing } from '../../src/main/billing'
import { openDatabase } from '../../src/main/db/open'
import { BillingError, BillingFileInUse } from '../../src/shared/errors'
import { tempDir } from '../support/db'

// One process (one opener) per billing file: a second opener is refused with a typed error,
// whether it is another createBilling in this process or another process; a crashed
// holder's lock (SIGKILL: no clean-up runs) does not block the next start.

const HOLDER = join(import.meta.dirname, 'lock-holder.ts')
const children: ChildProcess[] = []
const opened: Billing[] = []
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  for (const b of opened.splice(0)) b.close()
})

function open(dbPath: string): Billing {
  const b = createBilling({ dbPath, durability: 'normal' })
  opened.push(b)
  return b
}

function refusal(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  throw new Error('the second opener was not refused')
}

/** Starts the holder child; resolves with its first line ("ready" or "refused CODE"). */
function holder(dbPath: string): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, dbPath], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c
      if (out.includes('\n')) resolve({ child, line: out.split('\n')[0]! })
    })
    child.stderr!.setEncoding('utf8').on('data', (c: string) => void (err += c))
    child.on('error', reject)
    child.on('close', (code) => {
      if (!out.includes('\n')) reject(new Error(`holder exited ${code} without a line:\n${err}`))
    })
  })
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('close', () => resolve())
    child.kill('SIGKILL')
  })

describe('one opener per billing file', () => {
  it('a second createBilling in the same process is refused with BillingFileInUse; the first keeps working; after close the file opens again', () => {
    const dbPath = join(tempDir(), 'billing.sqlite')
    const first = open(dbPath)
    first.wallet.recharge({ key: 'r1', paymentId: 'p1', provider: 'alipay', amount: 500 })
    const err = refusal(() => createBilling({ dbPath, durability: 'normal' }))
    expect(err).toBeInstanceOf(BillingFileInUse)
    expect((err as BillingError).code).toBe('FILE_IN_USE')
    expect((err as BillingError).message).toMatch(/another/i)
    // The raw opener is held to the same rule.
    expect(refusal(() => openDatabase({ path: dbPath }))).toBeInstanceOf(BillingFileInUse)
    // The refused opener changed nothing and the holder is unaffected.
    first.wallet.recharge({ key: 'r2', paymentId: 'p2', provider: 'alipay', amount: 500 })
    expect(first.wallet.balance().amount).toBe(1000)
    expect(first.verify()).toEqual({ ok: true, problems: [] })
    first.close()
    opened.splice(opened.indexOf(first), 1)
    const again = open(dbPath)
    expect(again.wallet.balance().amount).toBe(1000)
    expect(again.verify().ok).toBe(true)
  })

  it('another process holding the file refuses this one; once that process is SIGKILLed its lock is gone', async () => {
    const dbPath = join(tempDir(), 'billing.sqlite')
    const { child, line } = await holder(dbPath)
    expect(line).toBe('ready')
    expect(refusal(() => createBilling({ dbPath, durability: 'normal' }))).toBeInstanceOf(BillingFileInUse)
    await killed(child)
    // No clean-up ran in the child, and whatever it left on disk does not block this start.
    const b = open(dbPath)
    expect(b.wallet.balance().amount).toBe(100)
    expect(b.verify()).toEqual({ ok: true, problems: [] })
    // And now this process holds it: a new child is refused in turn.
    const second = await holder(dbPath)
    expect(second.line).toBe('refused FILE_IN_USE')
  })

  it('an opener refused for another reason (a newer schema) leaves the file free for the next one', () => {
    const dbPath = join(tempDir(), 'billing.sqlite')
    const first = openDatabase({ path: dbPath })
    const version = first.sqlite.pragma('user_version', { simple: true }) as number
    first.sqlite.pragma(`user_version = ${version + 1}`)
    first.close()
    expect((refusal(() => openDatabase({ path: dbPath })) as BillingError).code).toBe('DATABASE_FROM_FUTURE')
    expect((refusal(() => openDatabase({ path: dbPath })) as BillingError).code).toBe('DATABASE_FROM_FUTURE')
  })
})
