import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../src/node/clock'
import { RateLimited } from '../../src/relay/http/errors'
import { RateLimiter } from '../../src/relay/http/rate-limit'

// The limiter keeps two generations of keys (src/relay/http/rate-limit.ts): memory bounded by
// the keys of the last two windows (and by 2 × maxKeys), no scan per new key.

const MIN = 60_000

const refused = (limiter: RateLimiter, key: string): boolean => {
  try {
    limiter.hit(key)
    return false
  } catch (err) {
    if (err instanceof RateLimited) return true
    throw err
  }
}

describe('rate limiter', () => {
  it('100,000 distinct keys in one window: held keys stay within 2 × maxKeys, limits still apply', () => {
    const clock = new ManualClock(0)
    const limiter = new RateLimiter(3, clock, MIN, 30_000)
    let peak = 0
    for (let i = 0; i < 100_000; i++) {
      limiter.hit(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)
      if (i % 97 === 0) clock.advance(1)
      peak = Math.max(peak, limiter.size)
    }
    expect(peak).toBeLessThanOrEqual(60_000)
    // A client hammering among the flood is still refused past its limit.
    for (let i = 0; i < 3; i++) expect(refused(limiter, 'hammer')).toBe(false)
    expect(refused(limiter, 'hammer')).toBe(true)
  })

  it('100,000 distinct keys over five windows: only the last two windows are held', () => {
    const clock = new ManualClock(0)
    const limiter = new RateLimiter(10, clock, MIN)
    for (let i = 0; i < 100_000; i++) {
      limiter.hit(`k${i}`)
      clock.advance(3) // 300 s in all: 20,000 keys per window
      expect(limiter.size).toBeLessThanOrEqual(40_001)
    }
    clock.advance(2 * MIN)
    limiter.hit('late')
    expect(limiter.size).toBe(1)
  })

  it('a window runs a full minute from its first hit, across a generation turn', () => {
    const clock = new ManualClock(0)
    const limiter = new RateLimiter(2, clock, MIN)
    limiter.hit('other') // starts the generation at 0
    clock.advance(50_000)
    limiter.hit('a')
    limiter.hit('a')
    clock.advance(20_000) // 70 s: the generation turned, a's window (from 50 s) runs until 110 s
    expect(refused(limiter, 'a')).toBe(true)
    let retry = 0
    try {
      limiter.check('a')
    } catch (err) {
      retry = (err as RateLimited).retryAfterSeconds
    }
    expect(retry).toBe(40)
    clock.advance(40_000)
    expect(refused(limiter, 'a')).toBe(false)
  })

  it('property: below maxKeys it answers exactly as one window per key from its first hit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.integer({ min: 0, max: 6 }), dt: fc.integer({ min: 0, max: 40_000 }) }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 4 }),
        (steps, limit) => {
          const clock = new ManualClock(1_000)
          const limiter = new RateLimiter(limit, clock, MIN)
          const model = new Map<number, { start: number; count: number }>()
          for (const { key, dt } of steps) {
            clock.advance(dt)
            const now = clock.now()
            let w = model.get(key)
            if (!w || now - w.start >= MIN) model.set(key, (w = { start: now, count: 0 }))
            w.count++
            expect(refused(limiter, String(key))).toBe(w.count > limit)
          }
        }
      )
    )
  })
})
