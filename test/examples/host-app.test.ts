import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { askAi, endLiveSessions, type AiBackend } from '../../examples/host-app/src/main/features'
import { openModule } from '../api/support'

// The example host app's main-process logic under Node, against a real module on a real file.

const echo: AiBackend = { complete: async (p) => `answer to ${p}` }
const failing: AiBackend = {
  complete: async () => {
    throw new Error('model unavailable')
  }
}

describe('example host app: an AI request gated by the public API', () => {
  it('paid from the balance and counted only when the call succeeded; a retry with its key is not paid twice', async () => {
    const { m } = openModule({ balance: 100 })
    const r = await askAi(m, echo, 'hello', 'ai:req-0001')
    expect(r).toMatchObject({ ok: true, text: 'answer to hello', paid: { outcome: 'paid', balance: { amount: 90 } } })
    const again = await askAi(m, echo, 'hello', 'ai:req-0001')
    expect(again).toMatchObject({ ok: true, paid: { balance: { amount: 90 } } })
    expect(m.balance().balance.amount).toBe(90)
    expect(m.quota.check('ai_request')).toMatchObject({ remaining: 49 })
  })

  it('a failed call is neither paid nor counted', async () => {
    const { m } = openModule({ balance: 100 })
    expect(await askAi(m, failing, 'hello', 'ai:req-0002')).toEqual({ ok: false, reason: 'ai_failed' })
    expect(m.balance()).toMatchObject({ balance: { amount: 100 }, held: { amount: 0 } })
    expect(m.quota.check('ai_request')).toMatchObject({ remaining: 50 })
  })

  it('an empty wallet: the first free use pays; after it, recharge first and nothing runs', async () => {
    const { m } = openModule()
    expect(await askAi(m, echo, 'one', 'ai:req-0003')).toMatchObject({ ok: true, paid: { outcome: 'first_free' } })
    let called = false
    const spy: AiBackend = { complete: async () => ((called = true), 'x') }
    const r = await askAi(m, spy, 'two', 'ai:req-0004')
    expect(r).toMatchObject({ ok: false, reason: 'needs_recharge', decision: { shortfall: { amount: 10 } } })
    expect(called).toBe(false)
  })

  it('the plan quota exhausted: refused before the wallet is asked', async () => {
    const { m } = openModule({ balance: 1000 })
    m.quota.consume('ai_request', 50, 'ai:bulk-0001')
    expect(await askAi(m, echo, 'more', 'ai:req-0005')).toEqual({ ok: false, reason: 'quota_exhausted' })
    expect(m.balance()).toMatchObject({ balance: { amount: 1000 }, held: { amount: 0 } })
  })
})

describe('example host app: live sessions', () => {
  it('on quit, the running session ends and its room is free at once', () => {
    const { m } = openModule({ balance: 1000 })
    m.live.start({ key: 'live:example-1' }).confirm()
    expect(m.quota.check('live_room').allowed).toBe(false)
    expect(endLiveSessions(m)).toEqual(['live:example-1'])
    expect(m.quota.check('live_room').allowed).toBe(true)
  })
})

describe('example host app: only the public API', () => {
  it('its main process imports nothing of the module but src/main/index.ts', () => {
    const dir = resolve(__dirname, '../../examples/host-app/src/main')
    const root = resolve(__dirname, '../..')
    for (const f of readdirSync(dir).filter((n) => statSync(join(dir, n)).isFile())) {
      const specs = [...readFileSync(join(dir, f), 'utf8').matchAll(/from '(\.[^']+)'/g)].map((x) => x[1]!)
      for (const s of specs) {
        const target = relative(root, resolve(dir, s))
        if (!target.startsWith('examples/')) expect(target, `${f} imports ${s}`).toBe('src/main')
      }
    }
  })
})
