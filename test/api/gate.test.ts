import { describe, expect, it } from 'vitest'
import { codeOf, openModule } from './support'

// gate.begin → quote (reserved, nothing spent) → confirm or cancel, through the public API.

const cny = (amount: number) => ({ amount, currency: 'CNY' })

describe('gate.begin / confirm / cancel', () => {
  it('a paid use: the quote holds the price, confirm takes exactly it, a second confirm takes nothing', () => {
    const { m } = openModule({ balance: 1200 })
    const q = m.gate.begin('live_session', { key: 'live-0000001' })
    expect(q.status).toBe('pending')
    expect(q.decision).toEqual({ outcome: 'paid', feature: 'live_session', price: cny(500), balanceAfter: cny(700) })
    expect(m.balance().held).toEqual(cny(500))
    expect(m.quota.check('live_room').allowed).toBe(false) // the room is reserved for this quote
    const c = q.confirm()
    expect(c).toMatchObject({ outcome: 'paid', price: cny(500), balance: cny(700) })
    expect(c.live?.key).toBe('live-0000001')
    expect(m.balance()).toMatchObject({ balance: cny(700), held: cny(0) })
    expect(q.confirm()).toEqual(c)
    expect(m.gate.confirm('live-0000001')).toEqual(c)
    expect(m.balance().balance).toEqual(cny(700))
    expect(m.live.sessions().map((s) => s.key)).toEqual(['live-0000001'])
  })

  it('cancel gives the hold and the room back; nothing was spent; confirm after cancel is refused', () => {
    const { m } = openModule({ balance: 1200 })
    const q = m.gate.begin('live_session', { key: 'live-0000002' })
    expect(q.cancel().status).toBe('cancelled')
    expect(m.balance()).toMatchObject({ balance: cny(1200), held: cny(0) })
    expect(m.quota.check('live_room').allowed).toBe(true)
    expect(q.cancel().status).toBe('cancelled') // again: the same answer
    expect(codeOf(() => q.confirm())).toBe('INVALID_TRANSITION')
    expect(m.balance().balance).toEqual(cny(1200))
    expect(m.live.sessions()).toEqual([])
  })

  it('first free use: quoted, taken only at confirm; then the next use needs a recharge with its shortfall', () => {
    const { m } = openModule({ balance: 200 })
    const q = m.gate.begin('ai_request', { key: 'ai-00000001' })
    expect(q.decision.outcome).toBe('paid') // ¥0.10 is covered by the balance
    q.cancel()
    const live = m.gate.begin('live_session', { key: 'live-0000003' })
    expect(live.decision).toEqual({ outcome: 'first_free', feature: 'live_session', price: cny(500) })
    expect(m.balance().firstFreeAvailable).toBe(true) // not taken by the quote
    expect(live.confirm()).toMatchObject({ outcome: 'first_free', balance: cny(200) })
    expect(m.balance().firstFreeAvailable).toBe(false)
    m.live.end()
    const next = m.gate.begin('live_session', { key: 'live-0000004' })
    expect(next.decision).toEqual({
      outcome: 'needs_recharge',
      feature: 'live_session',
      price: cny(500),
      balance: cny(200),
      shortfall: cny(300)
    })
    expect(m.quota.check('live_room').allowed).toBe(true) // nothing reserved for an impossible use
    expect(codeOf(() => next.confirm())).toBe('INSUFFICIENT_FUNDS')
    expect(m.balance()).toMatchObject({ balance: cny(200), held: cny(0) })
  })

  it('the free use taken by another quote meanwhile: confirm spends nothing, says why, and the quote is closed', () => {
    const { m } = openModule()
    const a = m.gate.begin('ai_request', { key: 'ai-free-0001' })
    const b = m.gate.begin('export', { key: 'export-free-01' })
    expect([a.decision.outcome, b.decision.outcome]).toEqual(['first_free', 'first_free'])
    b.confirm()
    expect(codeOf(() => a.confirm())).toBe('ALREADY_CLAIMED')
    expect(m.gate.begin('ai_request', { key: 'ai-free-0001' }).status).toBe('cancelled')
    expect(m.balance()).toMatchObject({ balance: cny(0), held: cny(0), firstFreeAvailable: false })
    // Begun again under a new key, it quotes what is true now.
    expect(m.gate.begin('ai_request', { key: 'ai-free-0002' }).decision.outcome).toBe('needs_recharge')
  })

  it('included in the plan (price 0): nothing is charged or held', () => {
    const { m } = openModule({ balance: 100, prices: { live_session: 500, ai_request: 0, export: 100 } })
    const q = m.gate.begin('ai_request', { key: 'ai-00000002' })
    expect(q.decision).toEqual({ outcome: 'included', feature: 'ai_request', price: cny(0) })
    expect(q.confirm()).toMatchObject({ outcome: 'included', balance: cny(100), live: null })
    expect(m.balance()).toMatchObject({ balance: cny(100), held: cny(0), firstFreeAvailable: true })
  })

  it('confirm after the quote expired is refused and releases the hold and the room', () => {
    const { m, clock } = openModule({ balance: 1000 })
    const q = m.gate.begin('live_session', { key: 'live-0000005' })
    clock.advance(60_000)
    expect(codeOf(() => q.confirm())).toBe('HOLD_EXPIRED')
    expect(m.gate.begin('live_session', { key: 'live-0000005' }).status).toBe('expired')
    expect(m.balance()).toMatchObject({ balance: cny(1000), held: cny(0) })
    expect(m.quota.check('live_room').allowed).toBe(true)
    expect(codeOf(() => m.gate.confirm('live-0000005'))).toBe('HOLD_EXPIRED')
  })

  it('two begins for the last room: the second is told there is none and reserves nothing', () => {
    const { m } = openModule({ balance: 5000 })
    const a = m.gate.begin('live_session', { key: 'live-000000a' })
    const b = m.gate.begin('live_session', { key: 'live-000000b' })
    expect(a.decision.outcome).toBe('paid')
    expect(b.decision).toEqual({ outcome: 'no_room', feature: 'live_session', price: cny(500), limit: 1, used: 1 })
    expect(m.balance().held).toEqual(cny(500)) // only a's price
    expect(codeOf(() => b.confirm())).toBe('QUOTA_EXCEEDED')
    a.confirm()
    m.live.end('live-000000a')
    // The room is free again at once: a third begin gets it.
    expect(m.gate.begin('live_session', { key: 'live-000000c' }).decision.outcome).toBe('paid')
    expect(m.balance()).toMatchObject({ balance: cny(4000), held: cny(500) })
  })

  it('the same key for another feature is a conflict; a bad key is invalid input; unknown keys are not found', () => {
    const { m } = openModule({ balance: 1000 })
    m.gate.begin('export', { key: 'export-00001' })
    expect(codeOf(() => m.gate.begin('ai_request', { key: 'export-00001' }))).toBe('IDEMPOTENCY_CONFLICT')
    expect(codeOf(() => m.gate.begin('export', { key: 'short' }))).toBe('INVALID_INPUT')
    expect(codeOf(() => m.gate.confirm('never-begun-1'))).toBe('NOT_FOUND')
    expect(m.balance().held).toEqual(cny(100))
  })
})

describe('quota and events', () => {
  it('quota.check and quota.consume, with events for balance and quota', () => {
    const { m } = openModule({ balance: 1000 })
    const seen: string[] = []
    m.on('balance', (b) => seen.push(`balance:${b.balance.amount}`))
    m.on('quota', (q) => seen.push(`quota:${q.items.find((i) => i.feature === 'ai_request')?.used}`))
    expect(m.quota.check('ai_request', 50).allowed).toBe(true)
    expect(m.quota.check('ai_request', 51)).toMatchObject({ allowed: false, reason: 'quota_exhausted' })
    const rec = m.quota.consume('ai_request', 2, 'ai-use-0001')
    expect(m.quota.consume('ai_request', 2, 'ai-use-0001')).toEqual(rec) // a retry records nothing more
    expect(m.quota.check('ai_request')).toMatchObject({ remaining: 48 })
    expect(codeOf(() => m.quota.consume('ai_request', 49, 'ai-use-0002'))).toBe('QUOTA_EXCEEDED')
    m.gate.begin('export', { key: 'export-00002' }).confirm()
    expect(seen).toEqual(['quota:2', 'quota:2', 'balance:900', 'balance:900'])
  })
})

describe('live sessions', () => {
  it('live.start quotes, confirm goes live, heartbeats keep the room, end frees it at once', () => {
    const { m, clock } = openModule({ balance: 1000 })
    const changes: number[] = []
    m.on('live', (l) => changes.push(l.sessions.length))
    const q = m.live.start({ key: 'stream-00001' })
    expect(q.decision.outcome).toBe('paid')
    q.confirm()
    clock.advance(80_000)
    m.live.heartbeat()
    clock.advance(80_000) // 160 s after start: alive only thanks to the heartbeat
    expect(m.live.heartbeat()[0]?.roomExpiresAt).toBe(clock.now() + 90_000)
    expect(m.quota.check('live_room').allowed).toBe(false)
    expect(m.live.end().key).toBe('stream-00001')
    expect(m.quota.check('live_room').allowed).toBe(true)
    expect(codeOf(() => m.live.end('stream-00001'))).toBe('NOT_FOUND')
    expect(changes).toEqual([1, 0])
  })

  it('a room whose heartbeats stopped expires and the session is reported lost', () => {
    const { m, clock } = openModule({ balance: 1000 })
    m.live.start({ key: 'stream-00002' }).confirm()
    clock.advance(91_000)
    expect(m.quota.check('live_room').allowed).toBe(true)
    expect(m.live.heartbeat()).toEqual([])
    expect(m.live.sessions()).toEqual([])
  })
})
